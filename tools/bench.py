"""`make bench`: the numbers a reader and a maintainer feel, with their budgets.

Lighthouse (mobile preset) on every page: performance, paint times, blocking time, layout shift, bytes.

cold build (empty caches), warm rebuild (nothing changed), HTML bytes per page (shared assets excluded),
and, in headless Chromium at 390 and 1280 px, the time from DOMContentLoaded to the first chart visible
(its static image) and to every chart interactive while a reader scrolls through, with the smallest chart
text; then the reader's view of each page (tools/reader_report.py).
Exits non-zero if a budget is exceeded.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tools"))

import reader_report  # noqa: E402
from minebook.pdf import CHROMIUM_FLAGS, chromium_path  # noqa: E402
from minebook.serve import serve_directory  # noqa: E402

SITE = ROOT / "_build" / "html"
BUILD = [str(ROOT / ".venv" / "bin" / "jupyter-book"), "build", str(ROOT), "--builder", "html", "-n", "-W", "--keep-going"]
BUDGETS = {"cold build (s)": 60, "warm rebuild (s)": 15, "largest page (kB)": 300,
           "first chart visible after DOMContentLoaded (ms)": 100, "all charts interactive after DOMContentLoaded (ms)": 800}
MIN_FONT_PX = {390: 10, 1280: 11}


def timed_build() -> float:
    start = time.perf_counter()
    subprocess.run(BUILD, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


# When the first chart's static image has arrived, relative to DOMContentLoaded (negative: before it). The
# interactive view may already have replaced the image; the image's timing entry stays.
FIRST_VISIBLE = """async () => {
  const dcl = performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;
  const box = document.querySelector('.minebook-vega'), img = box.querySelector('img');
  if (img) { await new Promise(done => { const tick = () => img.complete ? done() : setTimeout(tick, 2); tick(); }); }
  const still = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/_charts/' + box.id) && e.name.endsWith('.svg'));
  return Math.min(...still.map(e => e.responseEnd)) - dcl;
}"""
ALL_INTERACTIVE = """async () => {
  const dcl = performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;
  const boxes = [...document.querySelectorAll('.minebook-vega')];
  const until = (test) => new Promise(done => { const tick = () => test() ? done(performance.now()) : setTimeout(tick, 5); tick(); });
  const all = await until(() => boxes.every(b => b.classList.contains('is-interactive') && b.querySelector('svg')));
  const smallest = Math.min(...boxes.map(b => { const svg = b.querySelector('svg');
    const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
    return Math.min(...[...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale)); }));
  return [all - dcl, smallest];
}"""
WIDTHS = (390, 1280)
LOADS = 3  # the all-interactive time is the median of this many loads: one load on a 2-core machine varies by ±150 ms


def chart_times() -> dict[tuple[str, int], list[float]]:
    """Per page and width: ms from DOMContentLoaded to the first chart visible (its static image, in a
    phone- or desktop-sized window) and to every chart interactive (in a window as tall as the page, so
    the time is the machinery's, not a reader's scrolling; median of LOADS loads), and the smallest chart text
    in CSS px."""
    from playwright.sync_api import sync_playwright

    times = {}
    with serve_directory(SITE) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for html in sorted((SITE / "book").glob("*.html")):
            if 'class="minebook-vega"' not in html.read_text():
                continue
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(f"{base}/book/{html.name}", wait_until="domcontentloaded")
                first = page.evaluate(FIRST_VISIBLE)
                page.wait_for_load_state("load")
                tall = page.evaluate("document.documentElement.scrollHeight")
                page.close()
                runs = []
                for _ in range(LOADS):
                    page = browser.new_page(viewport={"width": width, "height": tall})
                    page.goto(f"{base}/book/{html.name}", wait_until="domcontentloaded")
                    runs.append(page.evaluate(ALL_INTERACTIVE))
                    page.close()
                times[html.name, width] = [first, statistics.median(r[0] for r in runs), min(r[1] for r in runs)]
        browser.close()
    return times


LIGHTHOUSE_RUNS = 3  # each page's row is the median of this many runs (lighthouse.median_run)


def lighthouse_table() -> bool:
    """Lighthouse's mobile preset on every page, one page at a time (the performance figures depend on the
    machine being otherwise idle), behind a server that compresses as a real host does. True if within budget."""
    from minebook import lighthouse

    if not lighthouse.available():
        print("Lighthouse not installed (make installs it with npm into .tools/): skipped")
        return True
    columns = ["performance", "accessibility", "best-practices", "seo", "first paint (s)", "largest paint (s)",
               "blocking time (ms)", "layout shift", "transferred (KiB)"]
    print(f"Lighthouse {lighthouse.VERSION}, mobile preset (simulated slow 4G, 4x CPU slowdown), gzip; "
          f"median of {LIGHTHOUSE_RUNS} runs a page")
    print(f"{'page':32}" + "".join(f"{c:>20}" for c in columns))
    within = True
    with serve_directory(SITE) as base:
        for html in sorted((SITE / "book").glob("*.html")):
            row = lighthouse.summary(lighthouse.median_run(
                [lighthouse.audit(f"{base}/book/{html.name}") for _ in range(LIGHTHOUSE_RUNS)]))
            over = [c for c, limit in lighthouse.BUDGETS.items()
                    if (row[c] < limit if c == "performance" else row[c] > limit)]
            within &= not over and all(row[c] == 100 for c in ("accessibility", "best-practices", "seo"))
            print(f"{html.name:32}" + "".join(f"{row[c]:20.2f}" if isinstance(row[c], float) else f"{row[c]:>20}"
                                              for c in columns) + (f"   OVER: {', '.join(over)}" if over else ""))
    print("budgets: " + ", ".join(f"{k} {'>=' if k == 'performance' else '<='} {v}" for k, v in lighthouse.BUDGETS.items()))
    return within


def main() -> int:
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    shutil.rmtree(ROOT / ".jupyter_cache", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "minebook", "cache-guard", str(ROOT / ".jupyter_cache")], check=True, cwd=ROOT)
    results = {"cold build (s)": timed_build(), "warm rebuild (s)": timed_build()}
    sizes = {p.name: p.stat().st_size / 1000 for p in sorted((SITE / "book").glob("*.html"))}
    charts = chart_times()

    print(f"{'page':36} {'HTML kB':>8} " + " ".join(f"{'first/all ms, min font @' + str(w):>30}" for w in WIDTHS))
    for name in sizes:
        cells = []
        for w in WIDTHS:
            first, every, font = charts.get((name, w), (0, 0, 0))
            cells.append(f"{first:9.0f} {every:9.0f} {font:8.1f} px" if (name, w) in charts else f"{'no charts':>30}")
        print(f"{name:36} {sizes[name]:8.0f} " + " ".join(f"{c:>30}" for c in cells))
    print()
    reader_report.main()  # what a reader sees per page: visible code, sideways scroll, tables, figures
    print()
    print(f"Vega bundle: {(SITE / '_static' / 'vega-bundle.js').stat().st_size / 1000:.0f} kB, loaded when a chart nears the screen")
    results["largest page (kB)"] = max(sizes.values())
    results["first chart visible after DOMContentLoaded (ms)"] = max(v[0] for v in charts.values())
    results["all charts interactive after DOMContentLoaded (ms)"] = max(v[1] for v in charts.values())
    print()
    small = {key: v[2] for key, v in charts.items() if v[2] < MIN_FONT_PX[key[1]]}
    failed = not lighthouse_table() or bool(small)
    for (name, width), font in small.items():
        print(f"TEXT TOO SMALL: {name} at {width} px: {font:.1f} px")
    for key, value in results.items():
        ok = value <= BUDGETS[key]
        failed |= not ok
        print(f"{key:40} {value:8.1f}   budget {BUDGETS[key]:>5}   {'ok' if ok else 'OVER BUDGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    from minebook.lighthouse import LighthouseError

    try:
        sys.exit(main())
    except (LighthouseError, subprocess.CalledProcessError) as failed:
        sys.exit(f"error: make bench: {failed}")
