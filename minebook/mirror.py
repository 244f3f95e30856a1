"""A local HTTP server that serves the raw files under the public URLs' paths.

With it, `make data` runs the real download code on a machine without internet:
`fetch --base-url http://127.0.0.1:PORT` asks this server for the same paths.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .sources import SOURCES


def routes(root: Path) -> dict[str, list[Path]]:
    """URL path (with query) -> the file(s) whose bytes the publisher serves there."""
    table = {}
    for s in SOURCES:
        if s.curated:
            continue
        parts = urlsplit(s.url)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        table[key] = [Path(root) / m for m in s.mirror]
    return table


def handler_for(table: dict[str, list[Path]]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            files = table.get(self.path)
            if not files or not all(f.exists() for f in files):
                self.send_error(404, "not in the mirror")
                return
            body = b"".join(f.read_bytes() for f in files)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep `make data` output to what matters
            pass

    return Handler


@contextmanager
def serving(root: Path, port: int = 0):
    """Serve `root` on 127.0.0.1 in a background thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(routes(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
