"""A real HTTP server on 127.0.0.1 that serves tests/fixtures under the public URL paths,
and can be told to misbehave on one path: the faults a live refresh meets."""
from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from minebook.sources import SOURCES

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def url_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class FixtureServer:
    def __init__(self):
        self.routes = {url_key(s.url): FIXTURES / f"{s.name}.csv" for s in SOURCES if not s.curated}
        self.faults: dict[str, dict] = {}  # path -> {"kind": ..., ...}
        self.hits: Counter = Counter()
        self.stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def fault(self, source_name: str, kind: str, **options):
        url = next(s.url for s in SOURCES if s.name == source_name)
        self.faults[url_key(url)] = {"kind": kind, **options}

    def clear(self):
        self.faults.clear()
        self.hits.clear()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status, body: bytes, headers=None, length=None):
                self.send_response(status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.send_header("Connection", "close")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def do_GET(self):  # noqa: N802
                server.hits[self.path] += 1
                n = server.hits[self.path]
                path = server.routes.get(self.path)
                if path is None:
                    return self._send(404, b"not found")
                body = path.read_bytes()
                fault = server.faults.get(self.path)
                kind = fault["kind"] if fault else None
                if kind == "status":  # fail the first `times` requests with `status`
                    if n <= fault.get("times", 10**9):
                        return self._send(fault["status"], b"server error", fault.get("headers"))
                elif kind == "hang":
                    server.stop.wait(fault.get("seconds", 5))
                    return
                elif kind == "truncate":
                    return self._send(200, body[: len(body) // 2], length=len(body))
                elif kind == "body":
                    return self._send(200, fault["body"])
                elif kind == "edit":
                    return self._send(200, fault["edit"](body.decode("utf-8-sig")).encode("utf-8"))
                return self._send(200, body)

            def log_message(self, *args):
                pass

        return Handler
