"""Download, validate, derive, and only then replace snapshots: all or nothing.

A refresh of several sources either replaces every one of them and datapackage.json, or
leaves data/ exactly as it was, with one line per failing source saying why.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from . import datapackage, paths
from .derive import RawFormatError
from .errors import SourceError
from .sources import SOURCES, Source, get
from .validate import ValidationError, validate

USER_AGENT = "minebook/1.0 (data refresh for the book Hashrate on the Move)"


def timeouts() -> tuple[float, float]:
    """(connect, read) seconds; the tests shorten them to exercise a hanging server."""
    return (float(os.environ.get("MINEBOOK_CONNECT_TIMEOUT", 10)), float(os.environ.get("MINEBOOK_READ_TIMEOUT", 60)))


def session() -> requests.Session:
    retry = Retry(
        total=int(os.environ.get("MINEBOOK_RETRIES", 3)),
        backoff_factor=float(os.environ.get("MINEBOOK_BACKOFF", 0.5)),
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
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
    return inner.reason if isinstance(inner, MaxRetryError) and inner.reason is not None else inner


def download(source: Source, http: requests.Session, base_url: str | None) -> bytes:
    url = rebase(source.url, base_url)
    try:
        with http.get(url, timeout=timeouts(), stream=True) as resp:
            if resp.status_code != 200:
                raise SourceError(source.name, f"HTTP {resp.status_code} from {url}")
            body = b"".join(resp.iter_content(chunk_size=1 << 16))
            expected = resp.headers.get("Content-Length")
            if expected is not None and int(expected) != len(body):
                raise SourceError(source.name, f"truncated download: {len(body)} of {expected} bytes")
    except requests.exceptions.RetryError as exc:
        raise SourceError(source.name, f"gave up after retries ({_root_cause(exc)})") from None
    except requests.exceptions.Timeout:
        raise SourceError(source.name, f"timed out after {timeouts()[1]:g} s waiting for {url}") from None
    except requests.exceptions.ChunkedEncodingError:
        raise SourceError(source.name, "truncated download: the connection closed before the body was complete") from None
    except requests.exceptions.ConnectionError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, ReadTimeoutError):
            raise SourceError(source.name, f"timed out after {timeouts()[1]:g} s waiting for {url}, retries included") from None
        raise SourceError(source.name, f"could not connect to {urlsplit(url).netloc} ({type(cause).__name__})") from None
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise SourceError(source.name, "empty response")
    if stripped[:1] == b"<":
        raise SourceError(source.name, "got an HTML page where a CSV file was expected")
    return body


def build(source: Source, raw: bytes):
    try:
        frame = source.parse(raw)
        return validate(frame, source)
    except (RawFormatError, ValidationError) as exc:
        raise SourceError(source.name, str(exc)) from None
    except (ValueError, KeyError, TypeError) as exc:  # anything else a malformed file provokes
        raise SourceError(source.name, f"could not derive the snapshot ({type(exc).__name__}: {exc})") from None


def raw_bytes(source: Source, http: requests.Session, base_url: str | None) -> bytes:
    if source.curated:
        return (paths.FACTS_DIR / f"{source.name}.csv").read_bytes()
    return download(source, http, base_url)


def refresh(names: list[str] | None = None, base_url: str | None = None, data_dir: Path | None = None,
            accessed: str | None = None) -> list[str]:
    """Refresh the named sources (all by default). Returns error lines; data/ changes only if there are none."""
    data_dir = Path(data_dir or paths.data_dir())
    data_dir.mkdir(parents=True, exist_ok=True)
    sources = [get(n) for n in names] if names else list(SOURCES)
    accessed = accessed or dt.datetime.now(dt.timezone.utc).date().isoformat()
    http = session()
    errors: list[str] = []
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".staging-") as staging:
        staged: dict[str, tuple[Path, dict]] = {}
        for source in sources:
            try:
                frame = build(source, raw_bytes(source, http, base_url))
            except SourceError as exc:
                errors.append(f"error: {exc.source}: {exc.reason}")
                continue
            tmp = Path(staging) / f"{source.name}.csv"
            tmp.write_bytes(datapackage.csv_bytes(frame, source))
            staged[source.name] = (tmp, datapackage.resource_descriptor(source, tmp, frame, accessed))
        if errors:
            return errors
        package = datapackage.merged(datapackage.read(data_dir), {n: d for n, (_, d) in staged.items()})
        pkg_tmp = Path(staging) / "datapackage.json"
        pkg_tmp.write_bytes(datapackage.dumps(package))
        # Every file is complete on disk before the first rename; renames are atomic.
        for name, (tmp, _) in staged.items():
            os.replace(tmp, data_dir / f"{name}.csv")
        os.replace(pkg_tmp, data_dir / "datapackage.json")
    return []
