"""Every page in a real Chromium, served from 127.0.0.1: no request leaves the machine, no console
error, every chart draws an SVG of real size. Screenshots go to _build/screenshots/."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builtsite import CHROMIUM, PAGES, ROOT, SITE, serve_site
from reader_page import (BIBTEX_KEY, CITATION, CITATIONS, FIGURE_CAPTION, FIGURES, PRINTED_PLUMBING, SIDEWAYS_SCROLL,
                         TABLES, VISIBLE_CODE_SHARE, raw_table_faults)

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


def visit(browser, url, color_scheme="light", width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
    seen = {"requests": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, seen


def interactive(page, chart, timeout=8000):
    """Bring a chart near the screen (the page loads its interactive view then) and wait for its SVG."""
    chart.scroll_into_view_if_needed()
    chart.locator("svg").wait_for(state="attached", timeout=timeout)
    return chart.locator("svg")


@pytest.mark.parametrize("path", PAGES)
def test_page_is_offline_clean_and_every_chart_renders(browser, base_url, path):
    page, seen = visit(browser, f"{base_url}/{path}")
    charts = page.locator(".minebook-vega")
    for i in range(charts.count()):
        box = interactive(page, charts.nth(i)).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"chart {i} of {path} is {box}"
        label = charts.nth(i).get_attribute("aria-label") or ""
        assert len(label) > 40, f"chart {i} of {path} has no text description"
    hosts = {urlsplit(u).hostname for u in seen["requests"] if not u.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert seen["errors"] == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(path).stem}.png"), full_page=True)
    page.close()


CHART_PAGES = [p for p in PAGES if (SITE / p).read_text().count('class="minebook-vega"')]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_every_chart_is_drawn_with_javascript_off(browser, base_url, path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{base_url}/{path}", wait_until="load")
    # No page script runs; lazy images load as a reader scrolls to them.
    images = page.locator(".minebook-vega img")
    drawn = []
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("(i) => document.querySelectorAll('.minebook-vega img')[i].complete", arg=i, timeout=5000)
        drawn.append(images.nth(i).evaluate(
            "i => [i.naturalWidth, i.currentSrc.split('/').pop(), i.getBoundingClientRect().width,"
            " i.closest('article').getBoundingClientRect().width]"))
    context.close()
    assert len(drawn) == (SITE / path).read_text().count('class="minebook-vega"')
    for natural, src, shown, column in drawn:
        assert natural > 0 and src.endswith("-narrow.svg"), (natural, src)
        assert shown <= column + 1, f"{src} is {shown:.0f} px wide in a {column:.0f} px column"


MIN_FONT_PX = {390: 10, 1280: 11}
SMALLEST_TEXT = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
  const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  return [Math.min(...sizes), svg.getBoundingClientRect().width, svg.closest('article').getBoundingClientRect().width];
}"""


@pytest.mark.parametrize("width", sorted(MIN_FONT_PX))
@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_text_is_legible_at_arms_length(browser, base_url, path, width):
    """The smallest text of every chart, as drawn (font size times the drawing's scale), and no chart wider
    than its column: in the interactive view, and in the static image shown before it."""
    page, seen = visit(browser, f"{base_url}/{path}", width=width)
    charts = page.locator(".minebook-vega")
    # The image a screen of this width is given: the <source> for phones, the <img> otherwise.
    static = page.evaluate("""() => [...document.querySelectorAll('.minebook-vega picture')].map(p =>
        [matchMedia(p.querySelector('source').media).matches ? p.querySelector('source').srcset : p.querySelector('img').src,
         p.querySelector('img').getBoundingClientRect().width])""")
    smallest = []
    for i in range(charts.count()):
        svg = interactive(page, charts.nth(i))
        smallest.append(svg.evaluate(SMALLEST_TEXT))
    page.close()
    for i, (size, drawn, column) in enumerate(smallest):
        assert size >= MIN_FONT_PX[width], f"chart {i + 1} of {path}: text of {size:.1f} px at {width} px"
        assert drawn <= column + 1, f"chart {i + 1} of {path}: {drawn:.0f} px wide in a {column:.0f} px column"
    for src, shown in static:
        svg = (SITE / "_charts" / src.split("/")[-1]).read_text()
        drawn_width = float(re.search(r'width="([\d.]+)"', svg).group(1))
        fonts = [float(f) for f in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]
        assert fonts, src
        assert min(fonts) * shown / drawn_width >= MIN_FONT_PX[width] - 0.5, f"{src} shown at {shown:.0f} px"
    assert seen["errors"] == []


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (make test installs it from npm): accessibility tests skipped")
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violations(browser, base_url, path):
    # In the light scheme only: every page is the same page in a dark system theme (the next test).
    page, _ = visit(browser, f"{base_url}/{path}", color_scheme="light")
    charts = page.locator(".minebook-vega")
    for i in range(charts.count()):  # the page as a reader has scrolled through it: every chart interactive
        interactive(page, charts.nth(i))
    page.evaluate("window.scrollTo(0, 0)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))")
    page.close()
    # Includes image-alt (critical): any image added to the book must carry alt text.
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


MAX_VISIBLE_CODE = 0.15  # share of a page's height that is code a reader did not ask for


@pytest.mark.parametrize("path", PAGES)
def test_reader_edition_prose_first(browser, base_url, path):
    """At 1280 px: little visible code, tables in words, author-year citations, every chart a numbered figure."""
    page, _ = visit(browser, f"{base_url}/{path}")
    share = page.evaluate(VISIBLE_CODE_SHARE)
    tables = page.evaluate(TABLES)
    citations = page.evaluate(CITATIONS)
    figures = page.evaluate(FIGURES)
    text = page.inner_text("article.bd-article")
    page.close()
    assert share <= MAX_VISIBLE_CODE, f"{path}: {share:.0%} of the page is visible code"
    assert raw_table_faults(tables) == []
    assert [c for c in citations if not CITATION.match(c)] == []
    assert BIBTEX_KEY.findall(text) == []
    assert [f for f in figures if not FIGURE_CAPTION.match(f["caption"])] == []
    assert [f for f in figures if not f["source"].startswith("Source: ")] == []


@pytest.mark.parametrize("path", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(browser, base_url, path):
    page, _ = visit(browser, f"{base_url}/{path}", width=390)
    overflow = page.evaluate(SIDEWAYS_SCROLL)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{Path(path).stem}-390.png"), full_page=True)
    page.close()
    assert overflow <= 0, f"{path} scrolls {overflow} px sideways at 390 px"


def test_figures_are_numbered_per_chapter_and_referenced(browser, base_url):
    page, _ = visit(browser, f"{base_url}/book/ch3-kazakhstan.html")
    captions = [f["caption"] for f in page.evaluate(FIGURES)]
    references = page.locator("article.bd-article a.reference span.std-numref, article.bd-article a.reference.internal")
    texts = [references.nth(i).inner_text() for i in range(references.count())]
    page.close()
    numbers = [c.split(" ")[1] for c in captions]
    assert numbers == [f"3.{i}" for i in range(1, len(captions) + 1)], numbers
    assert any(t.startswith("Figure 3.") for t in texts), "the prose never refers to a figure by number"


def test_data_appendix_lists_every_figure_with_its_source(browser, base_url):
    page, _ = visit(browser, f"{base_url}/book/appendix-data.html")
    rows = page.evaluate("""() => [...document.querySelectorAll('table.minebook-figure-list tbody tr')]
        .map(r => [...r.querySelectorAll('td')].map(td => td.textContent.trim()))""")
    page.close()
    chapter_figures = {}
    for path in PAGES:
        html = (SITE / path).read_text()
        chapter_figures[path] = html.count('class="minebook-vega"')
    assert len(rows) == sum(chapter_figures.values()) and len(rows) >= 30
    assert all(r[0].startswith("Figure ") and len(r[1]) > 10 and len(r[2]) > 5 for r in rows)


def test_print_shows_no_code_and_keeps_the_licence_footer(browser, base_url):
    page, _ = visit(browser, f"{base_url}/book/ch3-kazakhstan.html")
    page.emulate_media(media="print")
    plumbing = page.evaluate(PRINTED_PLUMBING)
    footer = page.locator("footer.bd-footer-content")
    footer_printed = footer.is_visible()
    footer = footer.inner_text()
    breaks = page.evaluate("getComputedStyle(document.querySelector('article figure')).breakInside")
    page.close()
    assert plumbing == []
    assert footer_printed and "CC BY 4.0" in footer and "Data retrieved on" in footer
    assert breaks == "avoid"


def test_the_site_stays_light_in_a_dark_system_theme(browser, base_url):
    """Fixed to light on purpose: charts, their images and the PDF share one set of colours. So the
    accessibility checks above, run in the light scheme, hold for a reader whose system is dark."""
    for path in PAGES:
        page, seen = visit(browser, f"{base_url}/{path}", color_scheme="dark")
        charts = page.locator(".minebook-vega")
        if charts.count():
            interactive(page, charts.first)
        looks = page.evaluate("""() => [document.documentElement.dataset.theme,
            document.querySelectorAll('.theme-switch-button').length, getComputedStyle(document.body).backgroundColor]""")
        page.close()
        assert looks == ["light", 0, "rgb(255, 255, 255)"], path
        assert seen["errors"] == [], path


def test_fact_check_verdicts_are_labelled_badges(browser, base_url):
    page, _ = visit(browser, f"{base_url}/book/appendix-fact-check.html")
    badges = page.evaluate("""() => [...document.querySelectorAll('table.verdict-table tbody tr')].map(r => {
        const b = r.querySelector('.verdict');
        return b ? [b.textContent.trim(), getComputedStyle(b).backgroundColor] : null; })""")
    page.close()
    scale = {"supported", "partly supported", "not supported", "cannot be tested with open data"}
    claims = re.findall(r"^\| \d+ \|", (ROOT / "book" / "appendix-fact-check.md").read_text(), flags=re.M)
    assert len(badges) == len(claims) >= 13 and all(b and b[0] in scale for b in badges), badges
    # The colour repeats the word: one colour per verdict, and no two verdicts share one.
    colours = {word: colour for word, colour in badges}
    assert len(set(colours.values())) == len(colours)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_visible_menu_buttons_open_the_navigation(browser, base_url, width):
    """The theme wires up only the first of its two buttons per sidebar; the one a reader sees must work."""
    page, seen = visit(browser, f"{base_url}/book/ch2-china-exodus.html", width=width)
    sidebar_left = "document.querySelector('.bd-sidebar-primary').getBoundingClientRect().left"
    if width == 1280:  # beside the article, the button folds the sidebar away and brings it back
        page.locator(".primary-toggle").locator("visible=true").first.click()
        page.wait_for_function(f"{sidebar_left} < 0", timeout=3000)
        page.locator(".primary-toggle").locator("visible=true").first.click()
        page.wait_for_function(f"{sidebar_left} >= 0", timeout=3000)
        assert seen["errors"] == []
        return page.close()
    page.locator(".primary-toggle").locator("visible=true").first.click()
    dialog = page.locator("dialog#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible", timeout=3000)
    assert dialog.locator('a[href="ch3-kazakhstan.html"]').count() == 1
    page.keyboard.press("Escape")
    page.locator(".secondary-toggle").locator("visible=true").first.click()
    page.locator("dialog#pst-secondary-sidebar-modal").wait_for(state="visible", timeout=3000)
    assert page.locator("dialog#pst-secondary-sidebar-modal a[href='#why-the-united-states']").count() == 1
    assert seen["errors"] == []
    page.close()


def test_search_finds_pages_without_errors(browser, base_url):
    """The search index loads on the search page only; the search must still work there."""
    page, seen = visit(browser, f"{base_url}/search.html?q=Kazakhstan")
    page.locator("#search-results li").first.wait_for(timeout=10000)
    titles = page.locator("#search-results li a").all_inner_texts()
    assert any("Kazakhstan" in t for t in titles), titles
    assert seen["errors"] == []
    page.close()


def test_copy_buttons_arrive_when_a_reader_opens_the_code(browser, base_url):
    """The copy buttons' scripts wait until a reader opens a code cell (they were most of a phone's work)."""
    page, seen = visit(browser, f"{base_url}/book/ch3-kazakhstan.html", width=390)
    page.wait_for_timeout(300)
    assert not any(url.endswith(("copybutton.js", "clipboard.min.js")) for url in seen["requests"])
    assert page.locator(".copybtn").count() == 0
    cell = page.locator("details.hide").first
    cell.locator("summary").click()
    cell.locator(".copybtn").first.wait_for(state="attached", timeout=5000)
    assert page.locator(".copybtn").count() == page.locator("div.highlight pre").count()
    assert seen["errors"] == []
    page.close()


HOSTILE_TEXT = '<img src=x onerror="window.pwned=1">'


@pytest.mark.parametrize("width", [390, 1280])
def test_a_tooltip_shows_source_text_as_text_and_stays_on_screen(browser, base_url, width):
    """Pointing at an event's rule shows the event in the book's own tooltip. Every source title in the
    chart's data gets markup put before it on the way from the server: the tooltip must show it as text."""
    page_path = "book/ch2-china-exodus.html"
    ids = re.findall(r'<div id="(vega-[0-9a-f]+)" class="minebook-vega"', (SITE / page_path).read_text())
    chart = next(i for i in ids if '"source_title":"' in (SITE / "_charts" / f"{i}.js").read_text())
    hostile_json = HOSTILE_TEXT.replace("<", "\\u003c").replace(">", "\\u003e").replace('"', '\\"')
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(f"**/_charts/{chart}.js", lambda route: route.fulfill(
        content_type="text/javascript",
        body=route.fetch().text().replace('"source_title":"', f'"source_title":"{hostile_json}')))
    page.goto(f"{base_url}/{page_path}", wait_until="load")
    page.locator(f"#{chart}").scroll_into_view_if_needed()
    page.locator(f"#{chart}.is-interactive svg").wait_for()
    rule = page.locator(f"#{chart} g.mark-rule.role-mark line").first.bounding_box()
    tip = page.locator(".minebook-tooltip")
    for dy in range(4, 40):  # the rule is dashed: move down it until the pointer is on a dash
        page.mouse.move(rule["x"] + rule["width"] / 2, rule["y"] + dy)
        if tip.count() and tip.is_visible():
            break
    tip.wait_for(state="visible", timeout=2000)
    text, inside = tip.inner_text(), tip.bounding_box()
    markup, pwned = page.locator(".minebook-tooltip img").count(), page.evaluate("window.pwned")
    page.mouse.move(1, 1)
    page.wait_for_timeout(100)
    hidden = not tip.is_visible()
    page.close()
    assert re.search(f"^source_title: {re.escape(HOSTILE_TEXT)}\\w", text, re.M) and "\nevent: " in text, text
    assert markup == 0 and pwned is None and errors == []
    assert inside["x"] >= 0 and inside["x"] + inside["width"] <= width, inside
    assert hidden, "the tooltip stays after the pointer left the chart"
