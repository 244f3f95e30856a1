"""Command line: `python -m minebook fetch|mirror|bundle`."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minebook")
    sub = parser.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fetch", help="download sources, validate, and replace snapshots in data/")
    f.add_argument("names", nargs="*", help="data sets to refresh (default: all)")
    f.add_argument("--base-url", help="fetch every source from this host instead, keeping the URL paths")
    f.add_argument("--mirror", type=Path, help="serve this folder of raw files on 127.0.0.1 and fetch from it")
    f.add_argument("--data-dir", type=Path, help="write snapshots here instead of data/")

    m = sub.add_parser("mirror", help="serve the raw files under the public URLs' paths")
    m.add_argument("--root", type=Path, default=paths.SHARED_SOURCES)
    m.add_argument("--port", type=int, default=8765)

    c = sub.add_parser("cache-guard", help="clear the execution cache if data/ or minebook changed")
    c.add_argument("cache_dir", type=Path)

    nbp = sub.add_parser("notebooks", help="write reader and student .ipynb files for every page")
    nbp.add_argument("out_dir", type=Path)
    nbp.add_argument("--cache", type=Path, default=paths.ROOT / ".jupyter_cache")

    pdf = sub.add_parser("pdf", help="print the single-page build to PDF with Chromium")
    pdf.add_argument("site", type=Path)
    pdf.add_argument("target", type=Path)
    pdf.add_argument("--page", default="index.html", help="the page to print, relative to the site")

    b = sub.add_parser("bundle", help="write the offline Vega JavaScript bundle")
    b.add_argument("target", type=Path, nargs="?")
    b.add_argument("--tools", type=Path, default=Path(".tools"), help="where `npm pack` left vega-<version>.tgz")
    b.add_argument("--vega-version", action="store_true", help="print the Vega version the charts are compiled for")

    args = parser.parse_args(argv)
    if args.command == "fetch":
        from .fetch import refresh
        from .mirror import serving

        start = time.perf_counter()
        if args.mirror:
            if not args.mirror.is_dir():
                print(f"error: mirror folder {args.mirror} does not exist", file=sys.stderr)
                return 2
            with serving(args.mirror) as base:
                errors = refresh(args.names, base, args.data_dir)
        else:
            errors = refresh(args.names, args.base_url, args.data_dir)
        for line in errors:
            print(line, file=sys.stderr)
        if errors:
            print("data/ left unchanged.", file=sys.stderr)
            return 1
        print(f"refreshed {len(args.names) or 'all'} data set(s) in {time.perf_counter() - start:.1f} s")
        return 0
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
        print(f"wrote {len(written)} notebooks to {args.out_dir}")
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
