"""A local HTTP server that serves the raw files under the public URLs' paths.

With it, `make data` runs the real download code on a machine without internet:
`fetch --base-url http://127.0.0.1:PORT` asks this server for the same paths.

A source's mirror entry may be a pattern (`fred/DFF*.csv`) that matches several copies of one
publisher's file, downloaded at different times. The mirror then serves what the publisher serves
today, the whole history: each day from the newest copy that has it, so a newer copy dropped
into the folder updates the book by itself, and an older copy still supplies the years a shorter
new download leaves out.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from .sources import SOURCES

_ISO_DAY = re.compile(rb"^\d{4}-\d{2}-\d{2}")


def _rows(path: Path) -> tuple[bytes, list[bytes]]:
    """A dated CSV's header and its rows (ISO date first), as bytes, each row ending in a newline."""
    header, *rows = path.read_bytes().splitlines(keepends=True)
    rows = [r if r.endswith(b"\n") else r + b"\n" for r in rows if r.strip()]
    if not rows or not all(_ISO_DAY.match(r) for r in rows):
        raise ValueError(f"{path.name}: a copy matched by a pattern must be a CSV with an ISO date in its first column")
    return header, rows


def date_range(path: Path) -> tuple[bytes, bytes]:
    """First and last day a copy covers (ISO dates sort as text)."""
    _, rows = _rows(path)
    return rows[0][:10], rows[-1][:10]


def copies(root: Path, pattern: str) -> list[Path]:
    """The copies a mirror entry names, newest first: by last day; of two ending on the same day, the one
    reaching further back first."""
    ranged = {p: date_range(p) for p in Path(root).glob(pattern)}
    by_start = sorted(ranged, key=lambda p: (ranged[p][0], p.name))
    return sorted(by_start, key=lambda p: ranged[p][1], reverse=True)


def assembled(paths: list[Path]) -> bytes:
    """The whole history from copies made at different times, newest first: the newest copy's header and rows,
    preceded by the days only older copies hold (a publisher's later revisions win where copies overlap)."""
    header, rows = _rows(paths[0])
    for older in paths[1:]:
        _, old_rows = _rows(older)
        first = rows[0][:10]
        rows = [r for r in old_rows if r[:10] < first] + rows
    return header + b"".join(rows)


def body_for(root: Path, entries: tuple[str, ...]) -> Callable[[], bytes | None]:
    """What the publisher serves for a source: its file(s), a pattern's copies assembled; None if absent."""
    def body() -> bytes | None:
        parts = []
        for entry in entries:
            if any(ch in entry for ch in "*?["):
                found = copies(root, entry)
                if not found:
                    return None
                parts.append(assembled(found))
            else:
                path = Path(root) / entry
                if not path.exists():
                    return None
                parts.append(path.read_bytes())
        return b"".join(parts)
    return body


def routes(root: Path) -> dict[str, Callable[[], bytes | None]]:
    """URL path (with query) -> the bytes the publisher serves there."""
    table = {}
    for s in SOURCES:
        if s.curated:
            continue
        parts = urlsplit(s.url)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        table[key] = body_for(Path(root), s.mirror)
    return table


def handler_for(table: dict[str, Callable[[], bytes | None]]):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            try:
                body = table[self.path]() if self.path in table else None
            except ValueError as exc:  # a copy the mirror cannot read: the publisher's server fails, visibly
                self.send_error(500, str(exc))
                return
            if body is None:
                self.send_error(404, "not in the mirror")
                return
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
