"""`make pdf`: print the single-page build of the book to PDF with Debian's Chromium.

The page is served on 127.0.0.1 and printed once every chart's static SVG image (the one the page shows
before any JavaScript) has loaded; the PDF shows the same drawings as the site.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .serve import serve_directory

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


def print_pdf(site: Path, target: Path, page: str = "index.html") -> int:
    """Print `site/page` to `target`; returns the number of charts drawn."""
    from playwright.sync_api import sync_playwright

    target.parent.mkdir(parents=True, exist_ok=True)
    # Sphinx's singlehtml writes the page under book/ but links its assets as if it sat at the root.
    printable = site / "print.html"
    shutil.copyfile(site / page, printable)
    with serve_directory(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        tab = browser.new_page(viewport={"width": 1000, "height": 1400})
        # The PDF prints the static drawings: the interactive views are not loaded at all.
        tab.route("**/minebook-charts.js", lambda route: route.abort())
        tab.goto(f"{base}/{printable.name}", wait_until="load")
        tab.emulate_media(media="print")
        # Lazy images below the fold would not load for print: load them all, then wait for every one.
        tab.evaluate("document.querySelectorAll('.minebook-vega img').forEach(i => { i.loading = 'eager'; })")
        tab.wait_for_function("[...document.querySelectorAll('.minebook-vega img')].every(i => i.complete && i.naturalWidth > 0)",
                              timeout=30000)
        drawn = tab.locator(".minebook-vega img").count()
        tab.pdf(path=str(target), format="A4", print_background=True, scale=0.78,
                margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
        browser.close()
    return drawn


def print_notebooks(notebooks: list[Path], target: Path) -> int:
    """Print executed notebooks, one after another, to one PDF (the teacher's answer key); returns its pages.
    Nothing is fetched from the network: the notebook template's CDN scripts are refused."""
    import tempfile

    import nbformat
    from nbconvert import HTMLExporter
    from playwright.sync_api import sync_playwright
    from pypdf import PdfWriter

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        exporter = HTMLExporter(template_name="lab")
        for nb in notebooks:
            html, _ = exporter.from_notebook_node(nbformat.read(nb, as_version=4))
            (folder / f"{nb.stem}.html").write_text(html, encoding="utf-8")
        merged = PdfWriter()
        with serve_directory(folder) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            tab = browser.new_page(viewport={"width": 1000, "height": 1400})
            tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                      else route.abort())
            for nb in notebooks:
                tab.goto(f"{base}/{nb.stem}.html", wait_until="load")
                tab.emulate_media(media="print")
                part = folder / f"{nb.stem}.pdf"
                tab.pdf(path=str(part), format="A4", print_background=True, scale=0.8,
                        margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                merged.append(str(part))
            browser.close()
        with open(target, "wb") as out:
            merged.write(out)
        return len(merged.pages)
