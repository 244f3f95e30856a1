"""`make bench`: the numbers a reader and a maintainer feel, with their budgets.

cold build (empty caches), warm rebuild (nothing changed), HTML bytes per page (shared assets excluded),
and the time from navigation until the last chart of each page has drawn, in headless Chromium; then the
reader's view of each page (tools/reader_report.py).
Exits non-zero if a budget is exceeded.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tools"))

import reader_report  # noqa: E402
from minebook.pdf import CHROMIUM_FLAGS, chromium_path, serve_directory  # noqa: E402

SITE = ROOT / "_build" / "html"
BUILD = [str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", str(ROOT), "--builder", "html", "-n", "-W", "--keep-going"]
BUDGETS = {"cold build (s)": 90, "warm rebuild (s)": 15, "largest page (kB)": 400, "slowest page, last chart drawn (ms)": 2000}


def timed_build() -> float:
    start = time.perf_counter()
    subprocess.run(BUILD, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def chart_times() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    times = {}
    with serve_directory(SITE) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for html in sorted((SITE / "book").glob("*.html")):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/book/{html.name}", wait_until="commit")
            done = page.wait_for_function(
                "() => { const c = [...document.querySelectorAll('.minebook-vega')];"
                " return document.readyState !== 'loading' && c.every(x => x.querySelector('svg')) ? performance.now() : false; }",
                timeout=30000, polling=20)
            times[html.name] = float(done.json_value())
            page.close()
        browser.close()
    return times


def main() -> int:
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    shutil.rmtree(ROOT / ".jupyter_cache", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "minebook", "cache-guard", str(ROOT / ".jupyter_cache")], check=True, cwd=ROOT)
    results = {"cold build (s)": timed_build(), "warm rebuild (s)": timed_build()}
    sizes = {p.name: p.stat().st_size / 1000 for p in sorted((SITE / "book").glob("*.html"))}
    charts = chart_times()

    print(f"{'page':36} {'HTML kB':>8} {'charts drawn (ms)':>18}")
    for name in sizes:
        print(f"{name:36} {sizes[name]:8.0f} {charts.get(name, 0):18.0f}")
    print()
    reader_report.main()  # what a reader sees per page: visible code, sideways scroll, tables, figures
    print()
    print(f"shared Vega bundle: {(SITE / '_static' / 'vega-bundle.js').stat().st_size / 1000:.0f} kB (loaded once, cached)")
    results["largest page (kB)"] = max(sizes.values())
    results["slowest page, last chart drawn (ms)"] = max(charts.values())
    failed = False
    for key, value in results.items():
        ok = value <= BUDGETS[key]
        failed |= not ok
        print(f"{key:40} {value:8.1f}   budget {BUDGETS[key]:>5}   {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
