"""Both bundles `make book` can ship (Vega's npm runtime, or vl-convert's fallback where npm could not fetch
it) draw a chart through the page's own loader, with the book's number format and tooltips, in Chromium."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from builtsite import CHROMIUM
from minebook import charts, vega_bundle
from minebook.serve import serve_directory

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed: browser tests skipped")]
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"


def _site(folder: Path, tools: Path, spec: dict | None = None, chart_id: str = "vega-test") -> str:
    """A page with one chart box, the book's loader and stylesheet, and the chart's compiled spec; with `spec`,
    that chart written the way the book writes every figure (`charts.html_for`: finding, description, source
    line and the inline spec), in place of the bare box."""
    charts.setup()
    still = '<picture><img alt="" src="data:,"></picture>'    # the build puts the static images here
    figure = f'<div id="{chart_id}" class="minebook-vega">{still}</div>'
    if spec is not None:
        chart_id = charts.chart_id(spec)
        figure = charts.html_for(spec, box=still)
    spec = spec or charts.finish(alt.Chart(pd.DataFrame({"country": ["Kazakhstan", "Russia"], "ehs": [1200.5, -450.0]}))
                                 .mark_bar().encode(x="country:N", y="ehs:Q", tooltip=["country", "ehs"]),
                                 finding="f", subtitle="s", source="test", description="two bars for a test").to_dict()
    (folder / "_static").mkdir(parents=True)
    (folder / "_charts").mkdir()
    made_of = vega_bundle.write_bundle(folder / "_static" / "vega-bundle.js", tools)
    for name in ("minebook-charts.js", "minebook.css"):
        shutil.copy(ROOT / "_static" / name, folder / "_static" / name)
    (folder / "_charts" / f"{chart_id}.js").write_text(charts.interactive_script(spec, chart_id), encoding="utf-8")
    (folder / "index.html").write_text(
        '<!doctype html><html data-content_root="./"><head><link rel="icon" href="data:,"><link rel="stylesheet" href="_static/minebook.css">'
        '<script defer src="_static/minebook-charts.js"></script></head><body style="width:700px">'
        f'{figure}</body></html>', encoding="utf-8")
    return made_of


@pytest.mark.parametrize("source", ["npm", "vl-convert"])
def test_the_loader_draws_a_chart_with_either_bundle(tmp_path, source):
    from playwright.sync_api import sync_playwright

    if source == "npm" and not vega_bundle.tarball(TOOLS).exists():
        pytest.skip("Vega's npm package not fetched (make book fetches it with npm)")
    made_of = _site(tmp_path / "site", TOOLS if source == "npm" else tmp_path / "no-tools")
    assert made_of == ("vl-convert" if source == "vl-convert" else f"vega {vega_bundle.vega_version()}")
    with serve_directory(tmp_path / "site") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 800, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(f"{base}/index.html", wait_until="load")
        page.locator("#vega-test.is-interactive svg").wait_for(timeout=10000)
        bars = page.locator("#vega-test svg .mark-rect path")
        n_bars = bars.count()
        labels = " ".join(page.locator("#vega-test svg text").all_text_contents())
        still = page.locator("#vega-test picture").count()
        width = page.locator("#vega-test svg").bounding_box()["width"]
        box = bars.first.bounding_box()
        for step in (0, 0.5):
            page.mouse.move(box["x"] + box["width"] / 2 + step, box["y"] + box["height"] / 2)
            page.wait_for_timeout(100)
        tip = page.locator(".minebook-tooltip")
        tip_text = tip.inner_text() if tip.count() and tip.is_visible() else ""
        browser.close()
    assert errors == [] and n_bars == 2
    assert still == 0 and width > 500                       # the image is replaced, the chart fills its column
    assert "Kazakhstan" in labels and "Russia" in labels
    assert "1\u202f200" in labels and "\u2212400" in labels and not re.search(r"-\d", labels)  # thin spaces, true minus
    assert re.search(r"^country: (Kazakhstan|Russia)$", tip_text, re.M), tip_text


HOSTILE = ['</script><script>window.__pwned = "script"</script>', '<img src=x onerror="window.__pwned = \'img\'">',
           "\u2028line\u2029separators &amp; <b>tags</b>"]


def test_text_from_data_is_never_markup_or_script_on_a_chart(tmp_path):
    """Issue 16: a chart whose data, finding, subtitle, source and description carry `</script>`, `<img onerror>`
    and line separators, written the way the book writes every figure and drawn by the real loader, runs nothing
    and shows every string as text: in the page's HTML, in the inline spec, and in the drawn chart."""
    from playwright.sync_api import sync_playwright

    spec = charts.finish(alt.Chart(pd.DataFrame({"country": HOSTILE, "ehs": [3.0, 2.0, 1.0]}))
                         .mark_bar().encode(x="country:N", y="ehs:Q", tooltip=["country", "ehs"]),
                         finding=HOSTILE[0], subtitle=HOSTILE[1], source=HOSTILE[1], description=HOSTILE[0]).to_dict()
    chart = charts.chart_id(spec)
    _site(tmp_path / "site", TOOLS if vega_bundle.tarball(TOOLS).exists() else tmp_path / "no-tools", spec)
    with serve_directory(tmp_path / "site") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 800, "height": 900})
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/index.html", wait_until="load")
        page.locator(f"#{chart}.is-interactive svg").wait_for(timeout=10000)
        page.wait_for_timeout(300)
        pwned = page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)")
        title = page.locator(".minebook-chart-title").inner_text()
        subtitle = page.locator(".minebook-chart-subtitle").inner_text()
        label = page.locator(f"#{chart}").get_attribute("aria-label")
        inline = page.evaluate("JSON.parse(document.querySelector('script.minebook-spec').textContent).title.text")
        injected = page.locator("body img[src='x'], body script:not([src]):not(.minebook-spec)").count()
        drawn = " ".join(page.locator(f"#{chart} svg text").all_text_contents())
        browser.close()
    assert pwned is None and dialogs == [] and injected == 0, (pwned, dialogs, injected)
    assert title == HOSTILE[0] and subtitle == HOSTILE[1] and label == HOSTILE[0] and inline == HOSTILE[0]
    assert "</script><script>" in drawn and "<img src=x" in drawn   # the axis labels show the markup as text
