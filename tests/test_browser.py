"""Every page in a real Chromium, served from 127.0.0.1: no request leaves the machine, no console
error, every chart draws an SVG of real size. Screenshots go to _build/screenshots/."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builtsite import CHROMIUM, PAGES, ROOT, SITE, serve_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed (apt-get install -y chromium): browser tests skipped"),
    pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first"),
]
SHOTS = ROOT / "_build" / "screenshots"
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def base_url():
    with serve_site() as url:
        yield url


def visit(browser, url, color_scheme="light"):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, seen


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_and_every_chart_renders(browser, base_url, path):
    page, seen = visit(browser, f"{base_url}/{path}")
    charts = page.locator(".minebook-vega")
    for i in range(charts.count()):
        svg = charts.nth(i).locator("svg")
        svg.wait_for(state="attached", timeout=5000)
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"chart {i} of {path} is {box}"
        label = charts.nth(i).get_attribute("aria-label") or ""
        assert len(label) > 40, f"chart {i} of {path} has no text description"
    hosts = {urlsplit(u).hostname for u in seen["requests"] if not u.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert seen["errors"] == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(path).stem}.png"), full_page=True)
    page.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (make test installs it from npm): accessibility tests skipped")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violations(browser, base_url, path, scheme):
    page, _ = visit(browser, f"{base_url}/{path}", color_scheme=scheme)
    charts = page.locator(".minebook-vega svg")
    if page.locator(".minebook-vega").count():
        charts.first.wait_for(state="attached", timeout=5000)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    page.close()
    # Includes image-alt (critical): any image added to the book must carry alt text.
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


def test_charts_stay_readable_in_dark_mode(browser, base_url):
    page, seen = visit(browser, f"{base_url}/book/ch1-how-mining-works.html", color_scheme="dark")
    page.locator(".minebook-vega svg").first.wait_for(timeout=5000)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    # Charts sit on a light card in dark mode, so their dark labels keep their contrast.
    bg = page.evaluate("getComputedStyle(document.querySelector('.minebook-vega svg')).backgroundColor")
    assert bg in ("rgb(244, 244, 244)", "rgb(255, 255, 255)")
    page.screenshot(path=str(SHOTS / "ch1-dark.png"))
    page.close()
    assert seen["errors"] == []
