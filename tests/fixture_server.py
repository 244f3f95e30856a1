"""A real HTTP server on 127.0.0.1 that serves tests/fixtures under the public URL paths,
and can be told to misbehave on one path: the faults a live refresh meets, from honest (gzip, deflate,
no Content-Length, a few redirects) to hostile (a redirect loop, a forged length, a drip, an endless body)."""
from __future__ import annotations

import gzip
import re
import threading
import zlib
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

            def _send(self, status, body: bytes, headers=None, length=None, reason=None):
                """`length`: the Content-Length to announce; False sends none, and closing the connection ends the body."""
                self.send_response(status, reason)
                self.send_header("Content-Type", "text/csv")
                if length is not False:
                    self.send_header("Content-Length", str(len(body) if length is None else length))
                self.send_header("Connection", "close")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True

            def _trickle(self, pieces):
                """Write until the client hangs up or the server stops: a slow or endless body."""
                try:
                    for piece in pieces:
                        if server.stop.is_set():
                            break
                        self.wfile.write(piece)
                        self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True

            @staticmethod
            def _dripped(body, interval):
                for i in range(len(body)):
                    if i and server.stop.wait(interval):
                        return
                    yield body[i:i + 1]

            def do_GET(self):  # noqa: N802
                hop = re.match(r"/hop/(\d+)(/.*)", self.path)
                request_path = hop.group(2) if hop else self.path
                server.hits[request_path] += 1
                n = server.hits[request_path]
                path = server.routes.get(request_path)
                if path is None:
                    return self._send(404, b"not found")
                body = path.read_bytes()
                fault = server.faults.get(request_path)
                kind = fault["kind"] if fault else None
                if kind == "status":  # fail the first `times` requests with `status`
                    if n <= fault.get("times", 10**9):
                        return self._send(fault["status"], fault.get("body", b"server error"), fault.get("headers"),
                                          reason=fault.get("reason"))
                elif kind == "hang":
                    server.stop.wait(fault.get("seconds", 5))
                    return
                elif kind == "truncate":
                    return self._send(200, body[: len(body) // 2], length=len(body))
                elif kind == "body":
                    return self._send(200, fault["body"])
                elif kind == "edit":
                    return self._send(200, fault["edit"](body.decode("utf-8-sig")).encode("utf-8"))
                elif kind == "gzip":
                    return self._send(200, gzip.compress(body), {"Content-Encoding": "gzip"})
                elif kind == "deflate":
                    return self._send(200, zlib.compress(body), {"Content-Encoding": "deflate"})
                elif kind == "no-length":  # an honest server that streams and closes
                    return self._send(200, body, length=False)
                elif kind == "no-length-cut":  # the connection drops mid-row and nothing says so
                    middle = body.index(b"\n", len(body) // 2) + 1
                    return self._send(200, body[: body.index(b",", middle)], length=False)
                elif kind == "bad-length":
                    return self._send(200, body, length=fault.get("value", "abc"))
                elif kind == "redirect-loop":
                    return self._send(302, b"", {"Location": request_path})
                elif kind == "redirect":  # `hops` redirects, then the file
                    k = int(hop.group(1)) if hop else 0
                    if k < fault["hops"]:
                        return self._send(302, b"", {"Location": f"/hop/{k + 1}{request_path}"})
                elif kind == "redirect-drip":  # a redirect whose own body never ends: only its Location matters
                    if not hop:
                        self.send_response(302)
                        self.send_header("Location", f"/hop/1{request_path}")
                        self.send_header("Connection", "close")
                        self.end_headers()
                        return self._trickle(self._dripped(b"x" * 10**6, fault.get("interval", 1.0)))
                elif kind == "retry-after-long":
                    return self._send(503, b"busy", {"Retry-After": str(fault.get("seconds", 3600))})
                elif kind == "drip":  # the whole length announced, then one byte per `interval` seconds
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return self._trickle(self._dripped(body, fault.get("interval", 1.0)))
                elif kind == "huge":  # an endless body, or with `declared` an honest but enormous length
                    self.send_response(200)
                    self.send_header("Connection", "close")
                    if fault.get("declared"):
                        self.send_header("Content-Length", str(fault["declared"]))
                    self.end_headers()
                    row = b"2021-06-01," + b"1" * 53 + b"\n"
                    return self._trickle(iter(lambda: row * 1024, None))
                return self._send(200, body)

            def log_message(self, *args):
                pass

        return Handler
