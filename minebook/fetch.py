"""Download, validate, derive, and only then replace snapshots: all or nothing.

A refresh of several sources either replaces every one of them and datapackage.json, or
leaves data/ exactly as it was, with one line per failing source saying why.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import datapackage, paths, refresh_lock
from .derive import RawFormatError
from .errors import RefreshError, SourceError, clean
from .sources import SOURCES, Source, get
from .validate import ValidationError, validate

USER_AGENT = "minebook/1.0 (data refresh for the book Hashrate on the Move)"
CHUNK = 1 << 16
MAX_REDIRECTS = 5
SHRINK_LIMIT = 0.10  # a refresh may lose this share of a snapshot's rows without --allow-shrink
DEADLINE = 300       # seconds a whole refresh may take, unless --deadline or $MINEBOOK_DEADLINE says otherwise
RETRY_AFTER_MAX = 60  # the longest Retry-After a refresh waits for ($MINEBOOK_RETRY_AFTER_MAX in tests)
MAX_BYTES = 50_000_000  # the largest body one source may send ($MINEBOOK_MAX_BYTES in tests)


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds; the tests shorten them to exercise a hanging server."""
    return (_env("MINEBOOK_CONNECT_TIMEOUT", 10), _env("MINEBOOK_READ_TIMEOUT", 60))


def max_bytes() -> int:
    return int(_env("MINEBOOK_MAX_BYTES", MAX_BYTES))


class Deadline:
    """One clock for the whole refresh: retries, waits and slow bodies all spend from it."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(seconds if seconds is not None else _env("MINEBOOK_DEADLINE", DEADLINE))
        self.at = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self, name: str) -> None:
        if self.remaining() <= 0:
            raise SourceError(name, f"stopped: the refresh ran past its deadline of {self.seconds:g} s (--deadline)")

    def timeouts(self) -> tuple[float, float]:
        connect, read = timeouts()
        # A socket wait may not outlive the deadline; the floor keeps the timeout valid once it has passed.
        return (min(connect, max(self.remaining(), 0.01)), min(read, max(self.remaining(), 0.01)))


class WaitRefused(Exception):
    """A retry would wait longer than the refresh allows; raised from inside urllib3's retry loop."""


class _Retry(Retry):
    """urllib3's Retry, but a long Retry-After or a wait past the deadline fails at once instead of sleeping."""

    deadline: Deadline | None = None

    def new(self, **kw):
        r = super().new(**kw)
        r.deadline = self.deadline
        return r

    def sleep(self, response=None) -> None:
        wait = self.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
        cap = _env("MINEBOOK_RETRY_AFTER_MAX", RETRY_AFTER_MAX)
        if wait is not None and wait > cap:
            raise WaitRefused(f"the server asked to retry after {wait:.0f} s (Retry-After), longer than the {cap:g} s a refresh waits")
        pause = wait if wait else self.get_backoff_time()
        if self.deadline is not None and pause > self.deadline.remaining():
            raise WaitRefused(f"a retry in {pause:.0f} s would run past the refresh deadline of {self.deadline.seconds:g} s")
        super().sleep(response)


class _Session(requests.Session):
    """Even with allow_redirects=False, requests reads a redirect's whole body to prepare `Response.next`; here
    `download` follows redirects itself and never reads a redirect's body, however long or slow."""

    def resolve_redirects(self, *args, **kwargs):
        return iter(())


def session(deadline: Deadline | None = None) -> requests.Session:
    retry = _Retry(
        total=int(_env("MINEBOOK_RETRIES", 3)),
        backoff_factor=_env("MINEBOOK_BACKOFF", 0.5),
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=float("inf"),  # _Retry refuses long waits itself, rather than silently shortening them
        raise_on_status=False,
    )
    retry.deadline = deadline
    s = _Session()
    s.headers["User-Agent"] = USER_AGENT
    s.max_redirects = MAX_REDIRECTS
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def rebase(url: str, base_url: str | None) -> str:
    """The same path and query on another host: how a mirror stands in for the publishers."""
    if not base_url:
        return url
    parts = urlsplit(url)
    return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def _root_cause(exc: Exception):
    """requests wraps urllib3's MaxRetryError, which wraps what really went wrong."""
    inner = exc.args[0] if exc.args else exc
    return inner.reason if isinstance(inner, u3.MaxRetryError) and inner.reason is not None else inner


def _declared_length(name: str, resp) -> int | None:
    header = resp.headers.get("Content-Length")
    if header is None:
        return None
    values = {v.strip() for v in header.split(",")}  # "42, 42" is legal (RFC 9110), "42, 43" is not
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise SourceError(name, f"invalid Content-Length header {clean(header, 40)!r}")
    return int(values.pop())


def _ends_mid_row(body: bytes) -> bool:
    """Without a Content-Length, a dropped connection looks like the end of the file, except that the
    last row then usually stops short of the one before it."""
    if body.endswith(b"\n"):
        return False
    lines = body.splitlines()
    if len(lines) < 2:
        return False
    prev, last = (next(csv.reader([line.decode("utf-8", "replace")]), []) for line in lines[-2:])
    return len(last) < len(prev)


def _error_text(resp) -> str:
    """The start of an error page, which often says why (rate limit, maintenance), made safe to print."""
    try:
        text = resp.raw.read1(2048, decode_content=True).decode("utf-8", "replace")
    except Exception:  # the status line already says enough; a broken error page must not hide it
        return ""
    text = clean(text, 200)
    return f": {text}" if text else ""


def _body(name: str, resp, deadline: Deadline) -> bytes:
    declared = _declared_length(name, resp)
    cap = max_bytes()
    if declared is not None and declared > cap:
        raise SourceError(name, f"the server announces {declared} bytes, over the {cap} byte limit for one source")
    chunks, size = [], 0
    while True:
        deadline.check(name)
        # read1 returns whatever has arrived, so a server dripping bytes cannot hold us inside one read.
        chunk = resp.raw.read1(CHUNK, decode_content=True)
        if not chunk:
            break
        size += len(chunk)
        if size > cap:
            raise SourceError(name, f"the body passed the {cap} byte limit for one source; stopped reading")
        chunks.append(chunk)
    body = b"".join(chunks)
    # A body shorter than its Content-Length never gets here: urllib3 2 enforces the length itself and raises
    # IncompleteRead, reported below as a connection closed early. Without the header only the rows can tell.
    if declared is None and _ends_mid_row(body):
        raise SourceError(name, "truncated download: no Content-Length, and the last row stops mid-row")
    return body


def download(source: Source, http: requests.Session, base_url: str | None, deadline: Deadline | None = None) -> bytes:
    deadline = deadline or Deadline()
    name, url = source.name, rebase(source.url, base_url)
    deadline.check(name)
    encoding, wait, hops, here = "?", deadline.timeouts(), 0, url
    try:
        while True:
            # Redirects are followed here (see _Session), within the deadline; a redirect's body is never read.
            with http.get(here, timeout=wait, stream=True, allow_redirects=False) as resp:
                if resp.is_redirect:
                    hops += 1
                    if hops > MAX_REDIRECTS:
                        raise SourceError(name, f"more than {MAX_REDIRECTS} redirects from {url} (a redirect loop?)")
                    here = urljoin(here, resp.headers["Location"])
                    deadline.check(name)
                    wait = deadline.timeouts()
                    continue
                encoding = clean(resp.headers.get("Content-Encoding", "?"), 40)
                if resp.status_code != 200:
                    raise SourceError(name, f"HTTP {resp.status_code} {clean(resp.reason, 80)} from {url}{_error_text(resp)}")
                body = _body(name, resp, deadline)
                break
    except WaitRefused as exc:
        raise SourceError(name, str(exc)) from None
    except (requests.exceptions.Timeout, u3.ReadTimeoutError):
        raise SourceError(name, f"timed out after {wait[1]:g} s waiting for {url}") from None
    except (requests.exceptions.ChunkedEncodingError, u3.ProtocolError):
        raise SourceError(name, "truncated download: the connection closed before the body was complete") from None
    except (requests.exceptions.ContentDecodingError, u3.DecodeError) as exc:
        raise SourceError(name, f"could not decode the {encoding}-encoded body ({type(exc).__name__})") from None
    except requests.exceptions.ConnectionError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, u3.ReadTimeoutError):
            raise SourceError(name, f"timed out waiting for {url}, retries included") from None
        raise SourceError(name, f"could not connect to {urlsplit(url).netloc} ({type(cause).__name__})") from None
    except (requests.exceptions.RequestException, u3.HTTPError, OSError) as exc:
        raise SourceError(name, f"request to {url} failed ({type(exc).__name__}: {clean(exc)})") from None
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise SourceError(name, "empty response")
    if stripped[:1] == b"<":
        raise SourceError(name, "got an HTML page where a CSV file was expected")
    return body


def build(source: Source, raw: bytes):
    try:
        frame = source.parse(raw)
        return validate(frame, source)
    except (RawFormatError, ValidationError) as exc:
        raise SourceError(source.name, str(exc)) from None
    except Exception as exc:  # noqa: BLE001 -- whatever else a malformed file provokes still names its source
        raise SourceError(source.name, f"could not derive the snapshot ({type(exc).__name__}: {exc})") from None


def raw_bytes(source: Source, http: requests.Session, base_url: str | None, deadline: Deadline | None = None) -> bytes:
    if source.curated:
        path = paths.FACTS_DIR / f"{source.name}.csv"
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SourceError(source.name, f"cannot read {path} ({exc.strerror})") from None
    return download(source, http, base_url, deadline)


def shrink(source: Source, frame, old: dict | None) -> str | None:
    """Why replacing `old` with `frame` looks like a publisher's accident rather than news, or None.
    A shorter history usually means a cut download or a changed export, not a rewritten past."""
    if source.curated or not old:
        return None
    rows = old.get("rows")
    if isinstance(rows, int) and rows > 0 and len(frame) < rows * (1 - SHRINK_LIMIT):
        return (f"would drop {rows - len(frame)} of the snapshot's {rows} rows ({1 - len(frame) / rows:.0%}); "
                "pass --allow-shrink if the source really shrank")
    start = (old.get("temporal") or {}).get("start") if isinstance(old.get("temporal"), dict) else None
    if source.time_field and isinstance(start, str) and len(frame):
        first = frame[source.time_field].min().strftime("%Y-%m-%d")
        if first > start:
            return (f"would start on {first}, later than the snapshot's first date {start}; "
                    "pass --allow-shrink if the source really dropped its early years")
    return None


def existing_package(data_dir: Path) -> dict:
    path = data_dir / paths.DATAPACKAGE
    if not path.exists():
        return datapackage.read(data_dir)
    try:
        package = json.loads(path.read_bytes())
    except ValueError as exc:
        raise RefreshError(f"{path}: not valid JSON ({clean(exc, 120)}); restore it with `git checkout data/`") from None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) and isinstance(r.get("name"), str) for r in resources):
        raise RefreshError(f"{path}: not a data package (it needs a list of named resources); restore it with `git checkout data/`")
    return package


def refresh(names: list[str] | None = None, base_url: str | None = None, data_dir: Path | None = None,
            accessed: str | None = None, *, deadline: float | None = None, allow_shrink: bool = False) -> list[str]:
    """Refresh the named sources (all by default). Returns error lines; data/ changes only if there are none."""
    data_dir = Path(data_dir or paths.data_dir())
    sources = [get(n) for n in names] if names else list(SOURCES)
    accessed = accessed or dt.datetime.now(dt.timezone.utc).date().isoformat()
    clock = Deadline(deadline)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with refresh_lock.locked(data_dir, _env("MINEBOOK_LOCK_WAIT", 2)):
            refresh_lock.recover(data_dir)
            old = existing_package(data_dir)
            with refresh_lock.staging_folder(data_dir) as staging:
                return _stage_and_commit(sources, base_url, data_dir, staging, old, accessed, clock, allow_shrink)
    except RefreshError as exc:
        return [f"error: {exc}"]
    except OSError as exc:
        return [f"error: data folder {data_dir}: {clean(exc.strerror or exc)} ({type(exc).__name__})"]


def _stage_and_commit(sources, base_url, data_dir, staging, old, accessed, clock, allow_shrink) -> list[str]:
    http = session(clock)
    old_by_name = {r["name"]: r for r in old["resources"]}
    errors: list[str] = []
    staged: dict[str, dict] = {}
    for source in sources:
        try:
            frame = build(source, raw_bytes(source, http, base_url, clock))
            why = None if allow_shrink else shrink(source, frame, old_by_name.get(source.name))
            if why:
                raise SourceError(source.name, why)
        except SourceError as exc:
            errors.append(f"error: {exc.source}: {exc.reason}")
            if clock.remaining() <= 0:
                break  # every later source would fail the same way; one line says it
            continue
        tmp = staging / f"{source.name}.csv"
        refresh_lock.write_synced(tmp, datapackage.csv_bytes(frame, source))
        staged[source.name] = datapackage.resource_descriptor(source, tmp, frame, accessed)
    if errors:
        return errors
    refresh_lock.write_synced(staging / paths.DATAPACKAGE, datapackage.dumps(datapackage.merged(old, staged)))
    refresh_lock.commit(staging, [f"{n}.csv" for n in staged] + [paths.DATAPACKAGE], data_dir)
    return []
