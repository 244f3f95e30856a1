"""Command line: `python -m minebook fetch|mirror|bundle`."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from . import paths
from .errors import clean


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one `error:` line like every other failure."""

    def error(self, message):
        self.exit(2, f"error: {clean(message, 400)}\n")


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number of seconds")
    return value


def usage_error(args) -> str | None:
    """What is wrong with a fetch command line, checked before anything is downloaded."""
    from .sources import BY_NAME

    unknown = [n for n in args.names if n not in BY_NAME]
    if unknown:
        return f"unknown data set {', '.join(map(repr, unknown))}; valid names: {', '.join(BY_NAME)}"
    if args.base_url is not None:
        try:
            parts = urlsplit(args.base_url)
            parts.port  # raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not args.base_url.isprintable():
            return f"--base-url {clean(args.base_url, 80)!r} is not an http:// or https:// URL with a host"
    if args.mirror and not args.mirror.is_dir():
        return f"mirror folder {args.mirror} does not exist"
    return None


def _terminated(signum, frame):
    raise KeyboardInterrupt(signal.SIGTERM)


def fetch(args) -> int:
    from .fetch import refresh
    from .mirror import serving

    problem = usage_error(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    options = dict(deadline=args.deadline, allow_shrink=args.allow_shrink)  # no --deadline: $MINEBOOK_DEADLINE or 300 s
    data_dir = args.data_dir or paths.data_dir()
    start = time.perf_counter()
    # SIGTERM unwinds like Ctrl-C, so an unfinished staging folder is removed on the way out.
    previous = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        if args.mirror:
            with serving(args.mirror) as base:
                errors = refresh(args.names, base, data_dir, **options)
        else:
            errors = refresh(args.names, args.base_url, data_dir, **options)
    except KeyboardInterrupt as exc:
        signum = exc.args[0] if exc.args and isinstance(exc.args[0], signal.Signals) else signal.SIGINT
        print(f"error: fetch: interrupted by {signum.name}", file=sys.stderr)
        return 128 + signum
    except Exception as exc:  # noqa: BLE001 -- a bug must still end in one line, not a traceback
        print(f"error: fetch: unexpected {type(exc).__name__}: {clean(exc)}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    for line in errors:
        print(line, file=sys.stderr)
    if errors:
        # A commit cut short by the disk leaves its journal: the next refresh, or the next read, finishes it.
        pending = any(Path(data_dir).glob(".staging-*/journal.json"))
        print(f"{data_dir}: an interrupted commit is pending; the next refresh or read finishes it." if pending else
              f"{data_dir} left unchanged.")
        return 1
    print(f"refreshed {len(args.names) or 'all'} data set(s) in {time.perf_counter() - start:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m minebook")
    sub = parser.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fetch", help="download sources, validate, and replace snapshots in data/")
    f.add_argument("names", nargs="*", help="data sets to refresh (default: all)")
    f.add_argument("--base-url", help="fetch every source from this host instead, keeping the URL paths")
    f.add_argument("--mirror", type=Path, help="serve this folder of raw files on 127.0.0.1 and fetch from it")
    f.add_argument("--data-dir", type=Path, help="write snapshots here instead of data/")
    f.add_argument("--deadline", type=positive_seconds, metavar="SECONDS",
                   help="give up on the whole refresh after this long (default: $MINEBOOK_DEADLINE or 300)")
    f.add_argument("--allow-shrink", action="store_true",
                   help="accept a snapshot that loses more than 10%% of its rows or starts later than before")

    m = sub.add_parser("mirror", help="serve the raw files under the public URLs' paths")
    m.add_argument("--root", type=Path, default=paths.SHARED_SOURCES)
    m.add_argument("--port", type=int, default=8765)

    c = sub.add_parser("cache-guard", help="clear the execution cache if data/ or minebook changed")
    c.add_argument("cache_dir", type=Path)

    nbp = sub.add_parser("notebooks", help="write reader and student .ipynb files for every page")
    nbp.add_argument("out_dir", type=Path)
    nbp.add_argument("--cache", type=Path, default=paths.ROOT / ".jupyter_cache")

    kit = sub.add_parser("classroom", help="write the classroom kit (the package's wheel with the data, and a zip)")
    kit.add_argument("site", type=Path, help="the built site; the kit goes to its classroom/ folder")
    kit.add_argument("--offline", type=Path, metavar="DIR",
                     help="also write the kit with a wheelhouse for this platform (for a lab without internet) here")

    pdf = sub.add_parser("pdf", help="print the single-page build to PDF with Chromium")
    pdf.add_argument("site", type=Path)
    pdf.add_argument("target", type=Path)
    pdf.add_argument("--page", default="index.html", help="the page to print, relative to the site")

    key = sub.add_parser("answer-key-pdf", help="print the chapters' answer-key notebooks to one PDF (needs Chromium)")
    key.add_argument("target", type=Path)

    b = sub.add_parser("bundle", help="write the offline Vega JavaScript bundle")
    b.add_argument("target", type=Path, nargs="?")
    b.add_argument("--tools", type=Path, default=Path(".tools"), help="where `npm pack` left vega-<version>.tgz")
    b.add_argument("--vega-version", action="store_true", help="print the Vega version the charts are compiled for")

    args = parser.parse_args(argv)
    if args.command == "fetch":
        return fetch(args)
    if args.command == "mirror":
        from .mirror import serving

        with serving(args.root, args.port) as base:
            print(f"serving {args.root} at {base}; Ctrl-C to stop", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
    if args.command == "cache-guard":
        from .cache import guard

        if guard(args.cache_dir):
            print(f"data or code changed: cleared {args.cache_dir}, every chapter will run again")
        return 0
    if args.command == "notebooks":
        from .notebooks import build

        written = build(args.out_dir, args.cache)
        notebooks = [p for p in written if p.suffix == ".ipynb"]
        print(f"wrote {len(notebooks)} notebooks and the exercises' answers to {args.out_dir}")
        return 0
    if args.command == "classroom":
        from .classroom import ClassroomError, build_kit

        try:
            written = build_kit(args.site, args.offline)
        except ClassroomError as exc:
            print(f"error: classroom: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return 0
    if args.command == "answer-key-pdf":
        from .classroom import ClassroomError, answer_keys
        from .pdf import print_notebooks

        try:
            keys = answer_keys(paths.ROOT / "_build" / "html" / "notebooks")
        except ClassroomError as exc:
            print(f"error: classroom: {exc}", file=sys.stderr)
            return 1
        pages = print_notebooks(keys, args.target)
        print(f"wrote {args.target} ({pages} pages, {len(keys)} chapters)")
        return 0
    if args.command == "pdf":
        from .pdf import print_pdf

        charts = print_pdf(args.site, args.target, args.page)
        print(f"wrote {args.target} ({args.target.stat().st_size / 1e6:.1f} MB, {charts} charts)")
        return 0
    if args.command == "bundle":
        from . import vega_bundle
        from .errors import SourceError

        if args.vega_version:
            print(vega_bundle.vega_version())
            return 0
        if args.target is None:
            parser.error("bundle: give the file to write")
        try:
            made_of = vega_bundle.write_bundle(args.target, args.tools)
        except SourceError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.target} ({made_of}, {args.target.stat().st_size / 1000:.0f} kB)")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
