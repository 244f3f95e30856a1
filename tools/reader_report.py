"""Per page, what a reader sees: visible-code share at 1280 px, sideways scroll at 390 px, raw table
faults, citation labels, charts in numbered figures. `python tools/reader_report.py` after `make book`."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from builtsite import CHROMIUM, PAGES, serve_site  # noqa: E402
from reader_page import (BIBTEX_KEY, CITATIONS, FIGURES, SIDEWAYS_SCROLL, TABLES, VISIBLE_CODE_SHARE,  # noqa: E402
                         raw_table_faults)


def main() -> None:
    from playwright.sync_api import sync_playwright

    print(f"{'page':34} {'code %':>7} {'sideways px':>11} {'table faults':>12} {'bibkeys':>7} {'figures':>9}")
    with serve_site() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for path in PAGES:
            wide = browser.new_page(viewport={"width": 1280, "height": 900})
            wide.goto(f"{base}/{path}", wait_until="load")
            wide.wait_for_timeout(300)
            share = wide.evaluate(VISIBLE_CODE_SHARE)
            faults = raw_table_faults(wide.evaluate(TABLES))
            keys = [c for c in wide.evaluate(CITATIONS) if BIBTEX_KEY.match(c)]
            figs = wide.evaluate(FIGURES)
            numbered = sum(1 for f in figs if f["caption"].startswith("Figure"))
            wide.close()
            narrow = browser.new_page(viewport={"width": 390, "height": 844})
            narrow.goto(f"{base}/{path}", wait_until="load")
            narrow.wait_for_timeout(300)
            sideways = narrow.evaluate(SIDEWAYS_SCROLL)
            narrow.close()
            print(f"{path:34} {100 * share:7.1f} {sideways:11d} {len(faults):12d} {len(keys):7d} {numbered:4d}/{len(figs):<4d}")
            for f in faults[:6]:
                print("    ", f)
            if keys:
                print("     bibtex keys:", sorted(set(keys)))
        browser.close()


if __name__ == "__main__":
    main()
