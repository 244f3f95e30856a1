"""The built site: light pages, nothing fetched from elsewhere. Needs `make book` first."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from builtsite import PAGES, SITE

pytestmark = pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first")

CHAPTER_BUDGET = 300_000  # bytes of HTML per page: chart images, specs and the Vega bundle are files of their own


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
    # rel="canonical" names the published address of the page; a browser fetches nothing from it.
    external = [tag for tag in re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://[^"]+"[^>]*>', html)
                if 'rel="canonical"' not in tag]
    assert external == []
    assert "THEBE_JS_URL" not in html


def test_the_offline_vega_bundle_is_vegas_runtime_for_the_version_the_charts_are_compiled_for():
    import vl_convert

    bundle = (SITE / "_static" / "vega-bundle.js").read_text()
    version = vl_convert.get_vega_version()
    assert bundle.startswith(f"/* Vega {version}, ") and "BSD-3-Clause" in bundle.splitlines()[0]
    assert bundle.splitlines()[1] == "(function(define,exports,module){"
    assert f'version$1 = "{version}"' in bundle or f'"{version}"' in bundle
    # Vega alone: Vega-Lite's compiler and vega-embed stay out (the specs are compiled at build time).
    assert "vegaEmbed" not in bundle and 400_000 < len(bundle) < 600_000


def _chart_ids(page):
    return re.findall(r'<div id="(vega-[0-9a-f]+)" class="minebook-vega"', (SITE / page).read_text())


@pytest.mark.parametrize("page", [p for p in PAGES if 'class="minebook-vega"' in (SITE / p).read_text()])
def test_every_chart_offers_png_svg_and_the_data_it_plots(page):
    html = (SITE / page).read_text()
    ids = _chart_ids(page)
    assert ids and 'class="minebook-spec"' not in html  # the spec left the page for its own file
    for chart in ids:
        for name in (f"{chart}.png", f"{chart}-download.svg", f"{chart}.csv"):
            assert f'href="../_charts/{name}" download' in html, (page, name)
        png = (SITE / "_charts" / f"{chart}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") >= 1280
        chart_js = json.loads((SITE / "_charts" / f"{chart}.js").read_text().split("]=", 1)[1].rstrip(";\n"))
        assert chart_js["title"]["text"] in (SITE / "_charts" / f"{chart}-download.svg").read_text()
        text = (SITE / "_charts" / f"{chart}.csv").read_text()
        header = [line for line in text.splitlines() if line.startswith("#")]
        assert header[1] == f"# {chart_js['source']}" and header[2].startswith("# Licence: ")
        rows = list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if not l.startswith("#")))))
        # The CSV holds every row the interactive chart (compiled to Vega) is given.
        assert len(rows) == sum(len(values) for values in chart_js["datasets"].values())
