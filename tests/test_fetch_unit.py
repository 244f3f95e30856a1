"""minebook.fetch piece by piece, in process and fast: the defaults a real refresh runs with (the other fetch tests
override them), every boundary (bytes, redirects, deadline, shrink), every error line word for word, and a whole
refresh checked against the committed snapshots. HTTP runs against real servers on 127.0.0.1: the fixture server,
and a small raw one below for the responses the fixture server cannot send."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import fcntl
import gzip
import hashlib
import json
import os
import socket
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
import requests

from conftest import ROOT, snapshot_bytes
from fixture_server import FIXTURES, url_key
from minebook import fetch, load, paths
from minebook.derive import RawFormatError
from minebook.errors import SourceError
from minebook.fetch import Deadline, _declared_length, _ends_mid_row, build, download, rebase, refresh, session, shrink
from minebook.sources import BY_NAME, SOURCES, Source

DATA = ROOT / "data"
SP500 = BY_NAME["fred_sp500"]
SP500_PATH = url_key(SP500.url)
SP500_BODY = (FIXTURES / "fred_sp500.csv").read_bytes()
TUNING = ["MINEBOOK_RETRIES", "MINEBOOK_BACKOFF", "MINEBOOK_CONNECT_TIMEOUT", "MINEBOOK_READ_TIMEOUT", "MINEBOOK_MAX_BYTES",
          "MINEBOOK_RETRY_AFTER_MAX", "MINEBOOK_DEADLINE", "MINEBOOK_LOCK_WAIT", "MINEBOOK_DATA_DIR"]
# What a refresh from the fixture slices may change in a resource of data/datapackage.json; all else must match.
PER_REFRESH = {"accessed", "bytes", "hash", "rows", "temporal"}


@pytest.fixture(autouse=True)
def defaults(monkeypatch):
    """Every test starts from the settings a real refresh has, so a test of a default really sees the default."""
    for name in TUNING:
        monkeypatch.delenv(name, raising=False)


def tune(monkeypatch, retries=0, backoff=0, read=1, **more):
    """Short waits for a fault test; `more` sets other MINEBOOK_<NAME> variables."""
    settings = {"RETRIES": retries, "BACKOFF": backoff, "READ_TIMEOUT": read, "CONNECT_TIMEOUT": 1, **more}
    for name, value in settings.items():
        monkeypatch.setenv(f"MINEBOOK_{name.upper()}", str(value))


def error_lines(server_or_url, data, *names, **options) -> list[str]:
    base = getattr(server_or_url, "base_url", server_or_url)
    return refresh(list(names) or ["fred_sp500"], base, data, **options)


def refused(server_or_url, data, line: str, *names, **options) -> None:
    """The refresh fails with exactly this one line and leaves the data folder byte for byte as it was."""
    before = snapshot_bytes(data)
    assert error_lines(server_or_url, data, *names, **options) == [line]
    assert snapshot_bytes(data) == before
    assert not list(data.glob(".staging-*"))


def retry_of(http: requests.Session):
    return http.get_adapter("http://127.0.0.1/").max_retries


class Frozen(Deadline):
    """A deadline whose clock stands still `left` seconds short of it: a boundary exactly, with no sleeping."""

    def __init__(self, seconds: float, left: float):
        super().__init__(seconds)
        self.left = left

    def remaining(self) -> float:
        return self.left


def still_clock(monkeypatch, now: list[float]):
    """fetch's own clock, moved only by the test (urllib3 and the lock keep the real one)."""
    monkeypatch.setattr(fetch, "time", types.SimpleNamespace(monotonic=lambda: now[0]))


class RawServer:
    """A second real server on 127.0.0.1 for what the fixture server cannot send: hand-written status lines and
    headers, a hang after a redirect, a reply that moves the test's clock. `routes` maps a request path to a
    function given the handler; `seen` keeps the path and headers of every request."""

    def __init__(self):
        self.routes: dict = {}
        self.seen: list[tuple[str, dict]] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                server.seen.append((self.path, dict(self.headers)))
                try:
                    server.routes[self.path](self)
                    self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        return [p for p, _ in self.seen]


def send(data: bytes):
    return lambda handler: handler.wfile.write(data)


def response(status: str, body: bytes, *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", *headers, "Connection: close"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def redirect(location: str) -> bytes:
    return response("302 Found", b"", f"Location: {location}", "Content-Length: 0")


@pytest.fixture
def raw():
    server = RawServer()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cells(line: str) -> tuple:
    """A CSV row with its numbers as numbers: a slice may write 110 where the full file, a float column, writes 110.0."""
    def value(text: str):
        try:
            return float(text)
        except ValueError:
            return text
    return tuple(value(c) for c in next(csv.reader([line])))


def frame_of(days: int, start: str = "2021-01-01") -> pd.DataFrame:
    return pd.DataFrame({"date": pd.date_range(start, periods=days), "sp500": 1.0})


def parsed_by(parse) -> Source:
    """fred_sp500 with another parser: how build reports what a parser raises, whatever derive's parsers raise today."""
    return dataclasses.replace(SP500, parse=parse)


def raises(exc):
    def parse(raw: bytes):
        raise exc
    return parse


def declared(header: str | None):
    resp = requests.Response()
    if header is not None:
        resp.headers["Content-Length"] = header
    return _declared_length("fred_sp500", resp)


# --- settings: the defaults a real refresh runs with, and the variables that change them ------------------------

def test_timeouts_default_and_from_the_environment(monkeypatch):
    assert fetch.timeouts() == (10.0, 60.0)
    monkeypatch.setenv("MINEBOOK_CONNECT_TIMEOUT", "1.5")
    monkeypatch.setenv("MINEBOOK_READ_TIMEOUT", "2.5")
    assert fetch.timeouts() == (1.5, 2.5)


def test_body_size_limit_default_and_from_the_environment(monkeypatch):
    assert fetch.max_bytes() == 50_000_000
    monkeypatch.setenv("MINEBOOK_MAX_BYTES", "1234")
    assert fetch.max_bytes() == 1234


def test_the_retry_policy_a_real_refresh_runs_with():
    deadline = Deadline(30)
    http = session(deadline)
    retry = retry_of(http)
    assert isinstance(retry, fetch._Retry)
    assert http.get_adapter("https://example.org/").max_retries is retry
    assert retry.total == 3
    assert retry.backoff_factor == 0.5
    assert sorted(retry.status_forcelist) == [429, 500, 502, 503, 504]
    assert retry.allowed_methods == frozenset({"GET"})
    assert retry.respect_retry_after_header is True
    assert retry.retry_after_max == float("inf")  # long waits are refused by _Retry.sleep, never shortened
    assert retry.raise_on_status is False
    assert retry.deadline is deadline
    assert retry_of(session()).deadline is None
    assert http.headers["User-Agent"] == "minebook/1.0 (data refresh for the book Hashrate on the Move)"


def test_retries_and_backoff_from_the_environment(monkeypatch):
    monkeypatch.setenv("MINEBOOK_RETRIES", "7")
    monkeypatch.setenv("MINEBOOK_BACKOFF", "0.25")
    retry = retry_of(session())
    assert (retry.total, retry.backoff_factor) == (7, 0.25)


def test_a_retry_keeps_the_deadline():
    deadline = Deadline(30)
    retry = retry_of(session(deadline))
    later = retry.new(total=1)
    assert later.total == 1 and later.deadline is deadline


# --- the deadline ---------------------------------------------------------------------------------------------

def test_deadline_seconds_from_the_argument_the_environment_or_300(monkeypatch):
    assert Deadline().seconds == 300.0
    monkeypatch.setenv("MINEBOOK_DEADLINE", "42")
    assert Deadline().seconds == 42.0
    assert Deadline(7).seconds == 7.0
    assert Deadline(0).seconds == 0.0  # zero is a deadline, not "unset"


def test_deadline_arithmetic(monkeypatch):
    now = [1000.0]
    still_clock(monkeypatch, now)
    deadline = Deadline(10)
    assert deadline.remaining() == 10.0
    now[0] += 9.5
    assert deadline.remaining() == 0.5
    deadline.check("fred_sp500")  # half a second left is time left
    now[0] += 0.5
    with pytest.raises(SourceError) as caught:
        deadline.check("fred_sp500")
    assert str(caught.value) == "fred_sp500: stopped: the refresh ran past its deadline of 10 s (--deadline)"
    short = Deadline(2.5)
    now[0] += 2.5
    with pytest.raises(SourceError, match=r"^x: stopped: the refresh ran past its deadline of 2\.5 s \(--deadline\)$"):
        short.check("x")


def test_socket_timeouts_never_outlive_the_deadline(monkeypatch):
    now = [0.0]
    still_clock(monkeypatch, now)
    deadline = Deadline(300)
    assert deadline.timeouts() == (10.0, 60.0)
    now[0] = 270
    assert deadline.timeouts() == (10.0, 30.0)
    now[0] = 295
    assert deadline.timeouts() == (5.0, 5.0)
    for past in (300, 310):  # a timeout must stay positive for requests to accept it
        now[0] = past
        assert deadline.timeouts() == (0.01, 0.01)


# --- pure helpers --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("base, expected", [
    (None, "https://fred.stlouisfed.org/graph/fredgraph.csv?id=SP500"),
    ("", "https://fred.stlouisfed.org/graph/fredgraph.csv?id=SP500"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765/graph/fredgraph.csv?id=SP500"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/graph/fredgraph.csv?id=SP500"),
    ("http://mirror.local/X/", "http://mirror.local/X/graph/fredgraph.csv?id=SP500"),
])
def test_rebase_keeps_path_and_query(base, expected):
    assert rebase("https://fred.stlouisfed.org/graph/fredgraph.csv?id=SP500", base) == expected


def test_rebase_without_a_query_adds_no_question_mark():
    assert rebase("https://raw.githubusercontent.com/a/b/c.csv", "http://m:1") == "http://m:1/a/b/c.csv"
    assert rebase("https://example.org/p.csv#part", "http://m:1") == "http://m:1/p.csv"


@pytest.mark.parametrize("header, length", [(None, None), ("446", 446), ("0", 0), ("446, 446", 446), (" 446 ,446 ", 446)])
def test_declared_length(header, length):
    assert declared(header) == length


@pytest.mark.parametrize("header, shown", [
    ("42, 43", "'42, 43'"),
    ("abc", "'abc'"),
    ("-5", "'-5'"),
    ("1e3", "'1e3'"),
    ("", "''"),
    ("4" * 30 + ", " + "5" * 30, "'" + "4" * 30 + ", " + "5" * 5 + "...'"),
])
def test_declared_length_refuses(header, shown):
    with pytest.raises(SourceError) as caught:
        declared(header)
    assert caught.value.reason == f"invalid Content-Length header {shown}"


@pytest.mark.parametrize("body, cut", [
    (b"", False),
    (b"a,b", False),                    # one line: nothing to compare with
    (b"a,b\n1,2\n", False),
    (b"a,b\n1\n", False),               # a final newline: the server finished the row
    (b"a,b\n1,2", False),
    (b"a,b\n1,2,3", False),
    (b"a,b\n1", True),
    (b"a,b,c\n1,2,3\n4,5", True),
    (b'a,b\n"1,5"', True),              # a quoted comma is one field
    (b"a,b\n\xff", True),               # undecodable bytes are still a short row
])
def test_ends_mid_row(body, cut):
    assert _ends_mid_row(body) is cut


# --- shrink: the guard against a publisher's accident -----------------------------------------------------------

def test_losing_exactly_ten_percent_passes_and_one_row_more_does_not():
    old = {"rows": 100, "temporal": {"start": "2021-01-01"}}
    assert shrink(SP500, frame_of(90), old) is None
    assert shrink(SP500, frame_of(89), old) == (
        "would drop 11 of the snapshot's 100 rows (11%); pass --allow-shrink if the source really shrank")


def test_a_single_row_snapshot_emptied_is_refused():
    assert shrink(SP500, frame_of(0), {"rows": 1}) == (
        "would drop 1 of the snapshot's 1 rows (100%); pass --allow-shrink if the source really shrank")


def test_a_later_first_date_is_refused_the_same_one_is_not():
    old = {"rows": 10, "temporal": {"start": "2021-01-02"}}
    assert shrink(SP500, frame_of(10, "2021-01-02"), old) is None
    assert shrink(SP500, frame_of(10, "2021-01-01"), old) is None
    assert shrink(SP500, frame_of(10, "2021-01-03"), old) == (
        "would start on 2021-01-03, later than the snapshot's first date 2021-01-02; "
        "pass --allow-shrink if the source really dropped its early years")


@pytest.mark.parametrize("old", [
    None, {}, {"rows": "100"}, {"rows": 0}, {"rows": 5, "temporal": "2021-08-01"}, {"rows": 5, "temporal": {}},
    {"rows": 5, "temporal": {"start": 20210601}}, {"temporal": None},
])
def test_shrink_ignores_what_an_old_descriptor_does_not_say(old):
    assert shrink(SP500, frame_of(5, "2021-07-01"), old) is None


def test_shrink_passes_an_empty_frame_without_a_row_count_and_a_source_without_dates():
    assert shrink(SP500, frame_of(0), {"temporal": {"start": "2021-01-01"}}) is None
    f2pool = BY_NAME["asic_efficiency_f2pool"]
    assert f2pool.time_field is None
    assert shrink(f2pool, load("asic_efficiency_f2pool", DATA), {"rows": 1, "temporal": {"start": "1900-01-01"}}) is None


def test_allow_shrink_accepts_what_the_guard_refuses(server, data_copy, monkeypatch):
    tune(monkeypatch)

    def cut(text: str) -> str:
        return "".join(text.splitlines(keepends=True)[:-10])
    old, new = len(load("fred_sp500", data_copy)), len(SP500.parse(cut(SP500_BODY.decode("utf-8-sig")).encode()))
    server.fault("fred_sp500", "edit", edit=cut)
    refused(server, data_copy, f"error: fred_sp500: would drop {old - new} of the snapshot's {old} rows ({1 - new / old:.0%}); "
                               "pass --allow-shrink if the source really shrank")
    assert error_lines(server, data_copy, allow_shrink=True) == []
    assert len(load("fred_sp500", data_copy)) == new


# --- one download: what is accepted, and the exact line for what is not -----------------------------------------

def test_download_returns_the_body_as_sent(server):
    assert download(SP500, session(), server.base_url) == SP500_BODY


def test_the_user_agent_is_sent(raw):
    raw.routes[SP500_PATH] = send(response("200 OK", SP500_BODY, f"Content-Length: {len(SP500_BODY)}"))
    assert download(SP500, session(), raw.base_url) == SP500_BODY
    assert raw.seen[0][1]["User-Agent"] == "minebook/1.0 (data refresh for the book Hashrate on the Move)"


def test_a_body_of_exactly_the_limit_passes_one_byte_more_does_not(server, data_copy, monkeypatch):
    tune(monkeypatch, max_bytes=len(SP500_BODY))
    assert download(SP500, session(), server.base_url) == SP500_BODY
    monkeypatch.setenv("MINEBOOK_MAX_BYTES", str(len(SP500_BODY) - 1))
    n = len(SP500_BODY)
    refused(server, data_copy, f"error: fred_sp500: the server announces {n} bytes, over the {n - 1} byte limit for one source")


@pytest.mark.parametrize("kind", ["no-length", "gzip"])
def test_the_limit_counts_the_bytes_kept_not_the_bytes_announced(kind, server, data_copy, monkeypatch):
    """Without a length, or with a compressed one, the limit is met while reading."""
    server.fault("fred_sp500", kind)
    tune(monkeypatch, max_bytes=len(SP500_BODY))
    assert download(SP500, session(), server.base_url) == SP500_BODY
    monkeypatch.setenv("MINEBOOK_MAX_BYTES", str(len(SP500_BODY) - 1))
    refused(server, data_copy, f"error: fred_sp500: the body passed the {len(SP500_BODY) - 1} byte limit for one source; stopped reading")


def test_the_limit_adds_up_a_body_that_arrives_in_pieces(raw, data_copy, monkeypatch):
    """No piece passes the limit by itself; together they do."""
    tune(monkeypatch, max_bytes=300)

    def in_two_pieces(handler):
        handler.wfile.write(response("200 OK", SP500_BODY[:200]))
        handler.wfile.flush()
        raw.stop.wait(0.5)
        handler.wfile.write(SP500_BODY[200:])

    raw.routes[SP500_PATH] = in_two_pieces
    refused(raw, data_copy, "error: fred_sp500: the body passed the 300 byte limit for one source; stopped reading")


def test_an_endless_body_stops_at_the_limit(raw, data_copy, monkeypatch):
    """Sent at about 2 MB/s and with a deadline, so that code which failed to count would stop at the deadline,
    not fill the memory."""
    tune(monkeypatch, max_bytes=300_000)

    def endless(handler):
        handler.wfile.write(response("200 OK", b""))
        while not raw.stop.is_set():
            handler.wfile.write(b"2021-06-01,4200.5\n" * 500)
            raw.stop.wait(0.005)

    raw.routes[SP500_PATH] = endless
    start = time.perf_counter()
    refused(raw, data_copy, "error: fred_sp500: the body passed the 300000 byte limit for one source; stopped reading", deadline=3)
    assert time.perf_counter() - start < 2


def test_a_body_whose_length_was_announced_may_end_without_a_newline(server, data_copy, good_snapshot, monkeypatch):
    """With a Content-Length the end is known: a last row cut short is the file, not a dropped connection."""
    tune(monkeypatch)
    body = SP500_BODY.rstrip(b"\n")
    body = body[: body.rindex(b",")]  # the last day with no value: a gap
    server.fault("fred_sp500", "body", body=body)
    assert download(SP500, session(), server.base_url) == body
    assert error_lines(server, data_copy) == []
    assert len(load("fred_sp500", data_copy)) == len(load("fred_sp500", good_snapshot)) - 1


def test_truncated_and_cut_bodies(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "truncate")
    refused(server, data_copy, "error: fred_sp500: truncated download: the connection closed before the body was complete")
    server.fault("fred_sp500", "no-length-cut")
    refused(server, data_copy, "error: fred_sp500: truncated download: no Content-Length, and the last row stops mid-row")


def test_html_and_empty_bodies_behind_a_bom_and_whitespace(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "body", body=b"\xef\xbb\xbf \r\n\t<html>maintenance</html>")
    refused(server, data_copy, "error: fred_sp500: got an HTML page where a CSV file was expected")
    server.fault("fred_sp500", "body", body=b"\xef\xbb\xbf \r\n\t")
    refused(server, data_copy, "error: fred_sp500: empty response")
    server.fault("fred_sp500", "body", body=b"XX\n")  # not empty and not HTML: the parser says what is wrong
    refused(server, data_copy, "error: fred_sp500: missing date column ('observation_date' or 'DATE'); got ['XX']")


def test_a_file_the_pipeline_cannot_read_is_named_with_the_problem(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "edit", edit=lambda text: text.replace(",SP500", ",SP5000", 1))
    refused(server, data_copy, "error: fred_sp500: missing column(s) 'SP500'; got ['observation_date', 'SP5000']")


def test_a_body_that_does_not_decode(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "status", status=200, body=b"not gzip", headers={"Content-Encoding": "gzip"})
    refused(server, data_copy, "error: fred_sp500: could not decode the gzip-encoded body (DecodeError)")
    server.fault("fred_sp500", "status", status=200, body=b"not gzip", headers={"Content-Encoding": ", ".join(["gzip"] * 9)})
    refused(server, data_copy, "error: fred_sp500: could not decode the gzip, gzip, gzip, gzip, gzip, gzip, g...-encoded body (DecodeError)")


def test_lengths_urllib3_refuses_are_one_line_too(raw, data_copy, monkeypatch):
    tune(monkeypatch)
    raw.routes[SP500_PATH] = send(response("200 OK", SP500_BODY, "Content-Length: 42, 43"))
    refused(raw, data_copy, f"error: fred_sp500: request to {raw.base_url}{SP500_PATH} failed "
                            "(InvalidHeader: Content-Length contained multiple unmatching values (42, 43))")
    raw.routes[SP500_PATH] = send(response("200 OK", SP500_BODY, "Content-Length: 1e3"))
    refused(raw, data_copy, "error: fred_sp500: invalid Content-Length header '1e3'")


# --- error pages: status, reason and the start of the page --------------------------------------------------------

@pytest.mark.parametrize("body, headers, shown", [
    (b"down for maintenance", None, ": down for maintenance"),
    (b"", None, ""),
    (b"x" * 300, None, ": " + "x" * 197 + "..."),
    (gzip.compress(b"rate limited", mtime=0), {"Content-Encoding": "gzip"}, ": rate limited"),
    (b"not gzip", {"Content-Encoding": "gzip"}, ""),    # a page that cannot be read must not hide the status
    (b"\xff busy", None, ": \ufffd busy"),              # a page in another encoding is still quoted
    (b" " * 2048 + b"tail", None, ""),                  # only the first 2 KiB of a page is read
])
def test_an_error_page_is_quoted_short_and_safe(body, headers, shown, server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "status", status=404, body=body, headers=headers)
    refused(server, data_copy, f"error: fred_sp500: HTTP 404 Not Found from {server.base_url}{SP500_PATH}{shown}")
    assert server.hits[SP500_PATH] == 1  # 404 is not retried


def test_a_long_reason_phrase_is_cut(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "status", status=418, reason="R" * 100, body=b"")
    refused(server, data_copy, f"error: fred_sp500: HTTP 418 {'R' * 77}... from {server.base_url}{SP500_PATH}")


# --- retries ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_each_retried_status_then_success(status, server, monkeypatch):
    tune(monkeypatch, retries=1)
    server.fault("fred_sp500", "status", status=status, times=1)
    assert download(SP500, session(), server.base_url) == SP500_BODY
    assert server.hits[SP500_PATH] == 2


def test_three_retries_by_default_then_the_last_status(server, data_copy, monkeypatch):
    monkeypatch.setenv("MINEBOOK_BACKOFF", "0")
    server.fault("fred_sp500", "status", status=502, body=b"bad gateway")
    refused(server, data_copy, f"error: fred_sp500: HTTP 502 Bad Gateway from {server.base_url}{SP500_PATH}: bad gateway")
    assert server.hits[SP500_PATH] == 4


def test_the_default_backoff_doubles_from_half_a_second(server):
    """urllib3 retries the first failure at once, then waits backoff * 2 ** (n - 1): 1 s, then 2 s, which a deadline
    with 1.05 s left refuses."""
    server.fault("fred_sp500", "status", status=503)
    deadline = Frozen(9, left=1.05)
    start = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        download(SP500, session(deadline), server.base_url, deadline)
    assert caught.value.reason == "a retry in 2 s would run past the refresh deadline of 9 s"
    assert server.hits[SP500_PATH] == 3
    assert time.perf_counter() - start >= 1.0


def test_a_retry_after_at_the_cap_and_at_the_deadline_is_waited_for(server, monkeypatch):
    tune(monkeypatch, retries=1, retry_after_max=1)
    server.fault("fred_sp500", "status", status=503, times=1, headers={"Retry-After": "1"})
    start = time.perf_counter()
    deadline = Frozen(9, left=1.0)
    assert download(SP500, session(deadline), server.base_url, deadline) == SP500_BODY
    assert time.perf_counter() - start >= 1.0
    assert server.hits[SP500_PATH] == 2


def test_a_retry_after_over_the_cap_fails_at_once(server, data_copy, monkeypatch):
    tune(monkeypatch, retries=3)
    server.fault("fred_sp500", "retry-after-long", seconds=61)
    refused(server, data_copy, "error: fred_sp500: the server asked to retry after 61 s (Retry-After), longer than the 60 s a refresh waits")
    assert server.hits[SP500_PATH] == 1
    monkeypatch.setenv("MINEBOOK_RETRY_AFTER_MAX", "1.5")
    server.fault("fred_sp500", "retry-after-long", seconds=2)
    refused(server, data_copy, "error: fred_sp500: the server asked to retry after 2 s (Retry-After), longer than the 1.5 s a refresh waits")


def test_a_retry_after_past_the_deadline_fails_at_once(server, monkeypatch):
    tune(monkeypatch, retries=3)
    server.fault("fred_sp500", "retry-after-long", seconds=2)
    deadline = Frozen(5, left=1.5)
    with pytest.raises(SourceError) as caught:
        download(SP500, session(deadline), server.base_url, deadline)
    assert caught.value.reason == "a retry in 2 s would run past the refresh deadline of 5 s"
    assert server.hits[SP500_PATH] == 1


def test_a_refresh_spends_from_its_own_deadline(server, data_copy, monkeypatch):
    tune(monkeypatch, retries=3)
    server.fault("fred_sp500", "retry-after-long", seconds=2)
    refused(server, data_copy, "error: fred_sp500: a retry in 2 s would run past the refresh deadline of 1 s", deadline=1)


def test_a_refused_connection_is_retried_then_named(data_copy, monkeypatch):
    tune(monkeypatch, retries=1)
    port = closed_port()
    refused(f"http://127.0.0.1:{port}", data_copy, f"error: fred_sp500: could not connect to 127.0.0.1:{port} (NewConnectionError)")


def test_a_server_that_never_answers_is_retried_then_timed_out(server, data_copy, monkeypatch):
    tune(monkeypatch, retries=1, read=0.3)
    server.fault("fred_sp500", "hang", seconds=5)
    start = time.perf_counter()
    refused(server, data_copy, f"error: fred_sp500: timed out waiting for {server.base_url}{SP500_PATH}, retries included")
    assert server.hits[SP500_PATH] == 2
    assert time.perf_counter() - start < 3


def test_a_body_that_stalls_times_out(server, data_copy, monkeypatch):
    tune(monkeypatch, read=0.3)
    server.fault("fred_sp500", "drip", interval=1.0)
    refused(server, data_copy, f"error: fred_sp500: timed out after 0.3 s waiting for {server.base_url}{SP500_PATH}")


def test_a_dripping_body_stops_at_the_deadline(server, data_copy):
    server.fault("fred_sp500", "drip", interval=0.1)
    start = time.perf_counter()
    refused(server, data_copy, "error: fred_sp500: stopped: the refresh ran past its deadline of 0.5 s (--deadline)", deadline=0.5)
    assert time.perf_counter() - start < 3


# --- redirects ------------------------------------------------------------------------------------------------

def test_five_redirects_are_followed_six_are_not(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "redirect", hops=5)
    assert download(SP500, session(), server.base_url) == SP500_BODY
    assert server.hits[SP500_PATH] == 6
    server.clear()
    server.fault("fred_sp500", "redirect", hops=6)
    refused(server, data_copy, f"error: fred_sp500: more than 5 redirects from {server.base_url}{SP500_PATH} (a redirect loop?)")
    assert server.hits[SP500_PATH] == 6


def test_a_redirect_to_another_host(raw, server):
    raw.routes[SP500_PATH] = send(redirect(server.base_url + SP500_PATH))
    assert download(SP500, session(), raw.base_url) == SP500_BODY
    assert server.hits[SP500_PATH] == 1


def test_a_redirect_whose_body_never_ends_is_not_read(server, monkeypatch):
    tune(monkeypatch, read=2)
    server.fault("fred_sp500", "redirect-drip", interval=0.5)
    start = time.perf_counter()
    assert download(SP500, session(), server.base_url) == SP500_BODY
    assert time.perf_counter() - start < 2


def test_the_deadline_is_checked_after_a_redirect(raw, monkeypatch):
    tune(monkeypatch)
    deadline = Frozen(4, left=30)

    def expire_then_redirect(handler):
        deadline.left = 0
        handler.wfile.write(redirect("/next"))

    raw.routes[SP500_PATH] = expire_then_redirect
    with pytest.raises(SourceError) as caught:
        download(SP500, session(deadline), raw.base_url, deadline)
    assert str(caught.value) == "fred_sp500: stopped: the refresh ran past its deadline of 4 s (--deadline)"
    assert raw.paths() == [SP500_PATH]


def test_a_redirect_to_a_server_that_never_answers_times_out(raw, data_copy, monkeypatch):
    """Every hop gets the socket timeouts, not only the first."""
    tune(monkeypatch, read=0.3)
    raw.routes[SP500_PATH] = send(redirect("/slow"))
    raw.routes["/slow"] = lambda handler: raw.stop.wait(5)
    start = time.perf_counter()
    refused(raw, data_copy, f"error: fred_sp500: timed out waiting for {raw.base_url}{SP500_PATH}, retries included")
    assert time.perf_counter() - start < 3


def test_no_request_is_made_once_the_deadline_has_passed(server):
    with pytest.raises(SourceError) as caught:
        download(SP500, session(), server.base_url, Frozen(3, left=0))
    assert str(caught.value) == "fred_sp500: stopped: the refresh ran past its deadline of 3 s (--deadline)"
    assert server.hits[SP500_PATH] == 0


# --- a whole refresh --------------------------------------------------------------------------------------------

def test_a_refresh_writes_the_committed_layout_and_describes_what_it_wrote(server, tmp_path):
    """The fixtures are slices of the same public files data/ was built from: every refreshed file has data/'s
    header, and every row is one of data/'s rows; where a slice is the whole file, the bytes are data/'s. Only
    what a refresh must change in datapackage.json differs from the committed one."""
    target = tmp_path / "fresh"
    assert refresh(base_url=server.base_url, data_dir=target, accessed="2026-03-04") == []
    assert sorted(p.name for p in target.iterdir()) == sorted([f"{s.name}.csv" for s in SOURCES] + ["datapackage.json"])
    for source in SOURCES:
        new = (target / f"{source.name}.csv").read_text().splitlines()
        old = (DATA / f"{source.name}.csv").read_text().splitlines()
        assert new[0] == old[0], source.name
        assert {cells(line) for line in new[1:]} <= {cells(line) for line in old[1:]}, source.name
    for whole in ("events", "reported_figures", "electricity_consumption_countries"):
        assert (target / f"{whole}.csv").read_bytes() == (DATA / f"{whole}.csv").read_bytes()

    package = json.loads((target / "datapackage.json").read_text())
    committed = json.loads((DATA / "datapackage.json").read_text())
    assert {k: v for k, v in package.items() if k != "resources"} == {k: v for k, v in committed.items() if k != "resources"}
    assert [r["name"] for r in package["resources"]] == [s.name for s in SOURCES] == [r["name"] for r in committed["resources"]]
    for new, old in zip(package["resources"], committed["resources"]):
        body = (target / new["path"]).read_bytes()
        assert new["accessed"] == "2026-03-04"
        assert new["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
        assert new["bytes"] == len(body)
        assert new["rows"] == body.count(b"\n") - 1
        assert set(new) == set(old)
        assert {k: v for k, v in new.items() if k not in PER_REFRESH} == {k: v for k, v in old.items() if k not in PER_REFRESH}
        if "temporal" in new:
            dates = pd.read_csv(target / new["path"])[BY_NAME[new["name"]].time_field].str[:10]
            assert new["temporal"] == {"start": dates.min(), "end": dates.max()}


def test_a_refresh_of_some_keeps_the_rest_and_stamps_today(server, data_copy):
    before = json.loads((data_copy / "datapackage.json").read_text())
    days = {dt.datetime.now(dt.timezone.utc).date().isoformat()}
    assert refresh(["fred_dff", "fred_sp500"], server.base_url, data_copy) == []
    days.add(dt.datetime.now(dt.timezone.utc).date().isoformat())
    after = json.loads((data_copy / "datapackage.json").read_text())
    assert [r["name"] for r in after["resources"]] == [r["name"] for r in before["resources"]]
    for old, new in zip(before["resources"], after["resources"]):
        if new["name"] in ("fred_dff", "fred_sp500"):
            assert new["accessed"] in days and {k: v for k, v in new.items() if k != "accessed"} == {k: v for k, v in old.items() if k != "accessed"}
        else:
            assert new == old
    assert not list(data_copy.glob(".staging-*"))


@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
def test_accessed_is_the_utc_date_whatever_the_local_zone(zone, server, data_copy, monkeypatch):
    """26 hours apart: at any moment at least one of the two zones is on another date than UTC."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        utc = {dt.datetime.now(dt.timezone.utc).date().isoformat()}
        assert refresh(["fred_sp500"], server.base_url, data_copy) == []
        utc.add(dt.datetime.now(dt.timezone.utc).date().isoformat())
    finally:
        monkeypatch.undo()
        time.tzset()
    package = json.loads((data_copy / "datapackage.json").read_text())
    assert next(r for r in package["resources"] if r["name"] == "fred_sp500")["accessed"] in utc


def test_the_new_files_are_staged_inside_the_data_folder(raw, data_copy):
    """The commit renames them into place, which is atomic only within one file system."""
    staged = []

    def look_then_send(handler):
        staged.extend(data_copy.glob(".staging-*"))
        handler.wfile.write(response("200 OK", SP500_BODY, f"Content-Length: {len(SP500_BODY)}"))

    raw.routes[SP500_PATH] = look_then_send
    assert refresh(["fred_sp500"], raw.base_url, data_copy) == []
    assert [p.parent for p in staged] == [data_copy]
    assert not list(data_copy.glob(".staging-*"))


def test_a_refresh_into_a_new_folder(server, tmp_path):
    target = tmp_path / "a" / "b" / "data"
    assert refresh(["fred_sp500"], server.base_url, target, accessed="2026-03-04") == []
    assert sorted(p.name for p in target.iterdir()) == ["datapackage.json", "fred_sp500.csv"]
    package = json.loads((target / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == ["fred_sp500"]
    assert package["name"] == "hashrate-on-the-move"


def test_the_data_folder_defaults_to_minebook_data_dir(server, data_copy, monkeypatch):
    monkeypatch.setenv("MINEBOOK_DATA_DIR", str(data_copy))
    before = snapshot_bytes(data_copy)
    assert refresh(["fred_sp500"], server.base_url, accessed="2026-03-04") == []
    assert snapshot_bytes(data_copy)["datapackage.json"] != before["datapackage.json"]


def test_every_failing_source_gets_its_line_and_nothing_changes(server, data_copy, monkeypatch):
    tune(monkeypatch)
    server.fault("fred_sp500", "body", body=b"<html>")
    server.fault("fred_dgs10", "body", body=b"")
    refused(server, data_copy, "error: fred_dgs10: empty response", "fred_dff", "fred_dgs10")
    before = snapshot_bytes(data_copy)
    assert error_lines(server, data_copy, "fred_sp500", "fred_dff", "fred_dgs10") == [
        "error: fred_sp500: got an HTML page where a CSV file was expected", "error: fred_dgs10: empty response"]
    assert snapshot_bytes(data_copy) == before


def test_time_left_is_time_to_try_the_next_source(server, data_copy, monkeypatch):
    tune(monkeypatch)
    still_clock(monkeypatch, [50.0])
    server.fault("fred_sp500", "body", body=b"<html>")
    server.fault("fred_dff", "body", body=b"<html>")
    assert error_lines(server, data_copy, "fred_sp500", "fred_dff", deadline=0.5) == [
        "error: fred_sp500: got an HTML page where a CSV file was expected",
        "error: fred_dff: got an HTML page where a CSV file was expected"]


def test_past_the_deadline_one_line_says_so(server, data_copy, monkeypatch):
    still_clock(monkeypatch, [50.0])
    refused(server, data_copy, "error: fred_sp500: stopped: the refresh ran past its deadline of 0 s (--deadline)",
            "fred_sp500", "fred_dff", deadline=0)
    assert sum(server.hits.values()) == 0


def test_a_running_refresh_holds_the_folder_for_two_seconds_by_default(server, data_copy, monkeypatch):
    fd = os.open(data_copy, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        start = time.perf_counter()
        refused(server, data_copy, f"error: another refresh is running on {data_copy}")
        assert 2.0 <= time.perf_counter() - start < 2.9
        monkeypatch.setenv("MINEBOOK_LOCK_WAIT", "0.2")
        start = time.perf_counter()
        refused(server, data_copy, f"error: another refresh is running on {data_copy}")
        assert time.perf_counter() - start < 0.5
    finally:
        os.close(fd)


def test_a_data_folder_under_a_file(server, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"x")
    assert refresh(["fred_sp500"], server.base_url, blocker / "data") == [
        f"error: data folder {blocker / 'data'}: Not a directory (NotADirectoryError)"]


@pytest.mark.parametrize("text, why", [
    (b"{not json", "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    (b"[]", "not a data package (it needs a list of named resources)"),
    (b'{"resources": "btc_daily"}', "not a data package (it needs a list of named resources)"),
    (b'{"resources": [1]}', "not a data package (it needs a list of named resources)"),
    (b'{"resources": [{"name": 5}]}', "not a data package (it needs a list of named resources)"),
    (b'{"resources": [{"name": "fred_sp500"}, {"title": "no name"}]}', "not a data package (it needs a list of named resources)"),
])
def test_a_broken_datapackage_json_stops_the_refresh(text, why, server, data_copy):
    (data_copy / "datapackage.json").write_bytes(text)
    refused(server, data_copy, f"error: {data_copy / 'datapackage.json'}: {why}; restore it with `git checkout data/`")
    assert server.hits[SP500_PATH] == 0


def test_an_empty_list_of_resources_is_a_data_package(server, data_copy):
    (data_copy / "datapackage.json").write_bytes(b'{"resources": []}')
    assert refresh(["fred_sp500"], server.base_url, data_copy) == []
    assert [r["name"] for r in json.loads((data_copy / "datapackage.json").read_text())["resources"]] == ["fred_sp500"]


def test_a_curated_table_that_is_missing(data_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "FACTS_DIR", tmp_path)
    refused("http://127.0.0.1:9", data_copy, f"error: events: cannot read {tmp_path / 'events.csv'} (No such file or directory)", "events")


def test_a_curated_date_before_year_1_is_refused_by_name_and_data_stays(data_copy, tmp_path, monkeypatch):
    # pandas reads year 0 but cannot write it back out: before the date-span rule this ended as
    # "error: fetch: unexpected NotImplementedError", naming no source.
    events = (paths.FACTS_DIR / "events.csv").read_text().splitlines()
    first = events[1].split(",", 1)
    (tmp_path / "events.csv").write_text("\n".join([events[0], "0000" + first[0][4:] + "," + first[1], *events[2:]]) + "\n")
    monkeypatch.setattr(paths, "FACTS_DIR", tmp_path)
    day, event = "0000" + first[0][4:], first[1].split(",", 2)[1]
    refused("http://127.0.0.1:9", data_copy, f"error: events: date = {day} at date={day}, event={event} is outside "
                                              "1900-01-01 to 2100-12-31, the span of every date in this book", "events")


@pytest.mark.parametrize("parse, reason", [
    (raises(RawFormatError("missing column(s) 'SP500'")), "missing column(s) 'SP500'"),
    (lambda raw: frame_of(2), "only 2 rows, expected at least 5"),  # validate's word, as it said it
    (raises(KeyError("SP500")), "could not derive the snapshot (KeyError: 'SP500')"),
    (raises(ValueError("attempt to get argmax of an empty sequence")),
     "could not derive the snapshot (ValueError: attempt to get argmax of an empty sequence)"),
    (raises(TypeError("unsupported operand")), "could not derive the snapshot (TypeError: unsupported operand)"),
    (raises(NotImplementedError("strftime not yet supported\n<b>x</b>")),
     "could not derive the snapshot (NotImplementedError: strftime not yet supported <b>x</b>)"),
])
def test_build_names_the_source_and_what_went_wrong(parse, reason):
    with pytest.raises(SourceError) as caught:
        build(parsed_by(parse), SP500_BODY)
    assert (caught.value.source, caught.value.reason) == ("fred_sp500", reason)


def test_a_sigterm_as_the_staging_folder_is_made_leaves_no_folder_behind(server, data_copy, monkeypatch):
    # The signal lands inside mkdtemp, after the folder exists and before any name for it is returned.
    import signal
    import tempfile

    from minebook import refresh_lock
    from minebook.__main__ import _terminated

    made, real_mkdtemp = [], tempfile.mkdtemp

    def mkdtemp_then_sigterm(**kwargs):
        made.append(real_mkdtemp(**kwargs))
        signal.raise_signal(signal.SIGTERM)
        return made[-1]

    monkeypatch.setattr(refresh_lock.tempfile, "mkdtemp", mkdtemp_then_sigterm)
    previous = signal.signal(signal.SIGTERM, _terminated)
    before = snapshot_bytes(data_copy)
    try:
        with pytest.raises(KeyboardInterrupt):
            refresh(["fred_sp500"], server.base_url, data_copy)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(made) == 1 and made[0].startswith(str(data_copy / refresh_lock.STAGING_PREFIX))
    assert not list(data_copy.glob(".staging-*")) and snapshot_bytes(data_copy) == before
    assert server.hits.get(SP500_PATH, 0) == 0
