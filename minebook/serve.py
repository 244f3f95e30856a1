"""A static file server on 127.0.0.1 that behaves like the hosts a reader's browser meets.

Real static hosts (GitHub Pages among them) compress text with gzip and serve a project site under a
sub-path (`/<repository>/`). Python's `http.server` does neither, so pages measured or tested behind it would
look three times heavier than they are, and links that only work at the root would go unnoticed.
"""
from __future__ import annotations

import gzip
import io
import sys
import threading
from contextlib import contextmanager
from functools import lru_cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSED = (".html", ".js", ".css", ".svg", ".json", ".csv", ".xml", ".txt", ".md", ".ipynb", ".map")


@lru_cache(maxsize=512)
def _gzipped(path: str, mtime: float) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class _Handler(SimpleHTTPRequestHandler):
    prefix = ""

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        # Under a sub-path only that sub-path exists, as on GitHub Pages; everything else is a 404.
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return str(Path(self.directory) / "__outside_the_sub_path__")
            path = path[len(self.prefix):]
        return super().translate_path(path)

    def send_head(self):
        local = Path(self.translate_path(self.path))
        if local.is_dir() and self.path.split("?")[0].endswith("/"):
            local = local / "index.html"
        if not ("gzip" in self.headers.get("Accept-Encoding", "") and local.suffix in COMPRESSED and local.is_file()):
            return super().send_head()  # directories without a slash are redirected, other files sent as they are
        body = _gzipped(str(local), local.stat().st_mtime)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(local)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path):
        self.send_error(404)  # static hosts do not list folders

    def send_error(self, code, message=None, explain=None):
        # A 404 shows the site's own 404 page, as GitHub Pages does.
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser that closes a connection early (a page closed mid-load) is not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@contextmanager
def serve_directory(root: Path, prefix: str = ""):
    """Serve `root` on 127.0.0.1 with gzip, under `prefix` (e.g. "/hashrate-on-the-move") if given, in a
    background thread; yields the base URL (ending without a slash)."""
    prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    httpd = _Server(("127.0.0.1", 0), partial(handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()
