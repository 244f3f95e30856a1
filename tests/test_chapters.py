"""Every chapter executes cleanly, glues every number its prose uses, and gives the outputs of the book build
on a second run."""
from __future__ import annotations

import html

import pytest

from notebooks import (CHAPTERS, VEGALITE, chart_outputs, chart_specs, comparable_outputs, drawn, executed,
                       built_outputs, glue_names_in_prose, glued, problems)

pytestmark = pytest.mark.slow


def test_every_chapter_is_tested():
    assert set(CHAPTERS) >= {"intro.md", "ch1-how-mining-works.md", "appendix-data.md"}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_without_errors_warnings_or_stderr(chapter):
    assert problems(executed(chapter)) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_number_in_the_prose_is_glued(chapter):
    wanted = glue_names_in_prose(chapter)
    have = glued(executed(chapter))
    assert wanted, f"{chapter} glues nothing"
    assert wanted <= set(have), sorted(wanted - set(have))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_second_run_gives_the_outputs_of_the_book_build(chapter):
    """The book build executed each chapter in another process, often at another time; a test run here
    must reproduce every output and every glued value (no hidden state, clock or randomness)."""
    cells, glue = comparable_outputs(executed(chapter))
    built_cells, built_glue = built_outputs(chapter)
    assert sorted(glue) == sorted(built_glue)
    assert [name for name in glue if glue[name] != built_glue[name]] == []
    assert cells == built_cells, f"{chapter}: outputs differ from the book build's (run `make book` if the chapter changed)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chart_has_a_source_line_and_a_description(chapter):
    for data in chart_outputs(executed(chapter)):
        spec = data[VEGALITE]
        assert spec["title"]["text"] and spec["title"]["subtitle"], spec.get("title")
        assert len(spec.get("description", "")) > 40
        source = spec["usermeta"]["source"]
        assert source.startswith("Source: ") and len(source) > 20
        assert f'<p class="minebook-source">{html.escape(source)}</p>' in data["text/html"]
        assert 'class="minebook-spec"' in data["text/html"] and 'role="img"' in data["text/html"]


def _facet_layers_with_own_data(spec):
    """Layers inside a facet that carry their own data: the facet would not split them among panels."""
    found = []
    if isinstance(spec, dict):
        if "facet" in spec and "spec" in spec:
            inner = spec["spec"]  # Altair may hoist the layers' shared data onto the inner spec itself
            found += [part for part in [inner, *inner.get("layer", [])] if "data" in part]
        for value in spec.values():
            found += _facet_layers_with_own_data(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _facet_layers_with_own_data(value)
    return found


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_faceted_charts_split_their_data(chapter):
    specs = chart_specs(executed(chapter))
    assert [s["title"]["text"] for s in specs if _facet_layers_with_own_data(s)] == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_charts_fill_their_column_with_no_small_or_rotated_text(chapter):
    """Single and layered charts take the column's width; faceted ones say how they fit a phone; no mark or
    axis sets text under 11 px or turns its labels."""
    for spec in chart_specs(executed(chapter)):
        title = spec["title"]["text"]
        if "facet" in spec or "vconcat" in spec or "hconcat" in spec:
            assert spec["usermeta"]["narrow"], f"{title}: a composed chart needs its phone layout (narrow=)"
        else:
            assert spec["width"] == "container", title
        nodes = drawn(spec)
        assert all(n.get("fontSize", 11) >= 11 and n.get("labelFontSize", 11) >= 11 for n in nodes), title
        assert all(n.get("labelAngle", 0) == 0 for n in nodes), title
