"""The built site: light pages, nothing fetched from elsewhere. Needs `make book` first."""
from __future__ import annotations

import re

import pytest

from builtsite import PAGES, SITE

pytestmark = pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first")

CHAPTER_BUDGET = 400_000  # bytes of HTML per page, not counting the shared Vega bundle


def test_the_site_has_every_page():
    assert {"book/intro.html", "book/ch1-how-mining-works.html", "book/appendix-data.html",
            "book/glossary.html", "book/bibliography.html"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_weight_within_budget(page):
    size = (SITE / page).stat().st_size
    assert size < CHAPTER_BUDGET, f"{page} is {size / 1000:.0f} kB"


@pytest.mark.parametrize("page", PAGES)
def test_no_script_or_stylesheet_from_another_host(page):
    html = (SITE / page).read_text()
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    assert "THEBE_JS_URL" not in html


def test_the_offline_vega_bundle_is_shipped_and_wrapped():
    bundle = (SITE / "_static" / "vega-bundle.js").read_text()
    assert bundle.startswith("(function(){") and "window.vegaEmbed=" in bundle
    assert len(bundle) > 500_000
