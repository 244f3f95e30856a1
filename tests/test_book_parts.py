"""The pieces every chapter shares: renderer, theme, cache guard; and the landing page's numbers."""
from __future__ import annotations

import json
import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from minebook import load
from minebook.cache import guard
from minebook.charts import COUNTRY_COLORS, chart_id, country_scale, finish, renderer


def small_chart(value=1):
    return finish(alt.Chart(pd.DataFrame({"x": [1, 2], "y": [value, 2]})).mark_line().encode(x="x:Q", y="y:Q"),
                  finding="A finding", subtitle="What is plotted, in units", source="Somebody",
                  description="A line chart of two points for the test.")


def test_renderer_emits_vegalite_and_offline_html_with_a_stable_id():
    spec = small_chart().to_dict()
    out = renderer(spec)
    assert out["application/vnd.vegalite.v6+json"] == spec
    html = out["text/html"]
    assert f'<div id="{chart_id(spec)}" class="minebook-vega" role="img"' in html
    assert '<p class="minebook-chart-title">A finding</p><p class="minebook-chart-subtitle">What is plotted, in units</p>' in html
    # Nothing is loaded from any host: the only URL is the spec's $schema identifier.
    assert "src=" not in html and "import(" not in html
    assert html.replace(spec["$schema"], "").count("http") == 0
    assert chart_id(small_chart().to_dict()) == chart_id(spec)
    assert chart_id(small_chart(5).to_dict()) != chart_id(spec)
    payload = html.split('class="minebook-spec" data-chart="' + chart_id(spec) + '">')[1].split("</script>")[0]
    assert json.loads(payload) == spec


def test_a_chart_fills_its_column_and_keeps_its_title_for_downloads():
    from minebook.charts import NARROW_WIDTH, WIDTH, export_spec, for_width

    spec = finish(alt.Chart(pd.DataFrame({"x": [1, 2], "y": [1, 2]})).mark_line().encode(x="x:Q", y="y:Q"),
                  finding="F", subtitle="S", source="Somebody", description="d" * 50,
                  narrow={"height": 200, "encoding.x.axis.tickCount": 3}).to_dict()
    assert spec["width"] == "container" and spec["autosize"] == {"type": "fit", "contains": "padding"}
    phone = for_width(spec, NARROW_WIDTH, title=False)
    assert phone["width"] == NARROW_WIDTH and "title" not in phone
    assert phone["height"] == 200 and phone["encoding"]["x"]["axis"]["tickCount"] == 3
    desktop = for_width(spec, WIDTH, title=False)
    assert desktop["width"] == WIDTH and "height" not in desktop and "axis" not in desktop["encoding"]["x"]
    export = export_spec(spec)
    assert export["title"]["text"] == "F" and export["vconcat"][1]["data"]["values"] == [{"text": "Source: Somebody"}]
    assert spec["width"] == "container"  # the page's spec is not changed by drawing it


def test_theme_draws_no_text_below_eleven_pixels_and_no_rotated_labels():
    from minebook.charts import MIN_FONT, theme

    config = theme()["config"]
    assert MIN_FONT >= 11
    sizes = [config["axis"]["labelFontSize"], config["axis"]["titleFontSize"], config["legend"]["labelFontSize"],
             config["legend"]["titleFontSize"], config["text"]["fontSize"], config["header"]["labelFontSize"]]
    assert min(sizes) >= MIN_FONT
    assert config["axis"]["labelAngle"] == 0 and config["axis"]["labelOverlap"] == "greedy"


def test_country_colours_are_fixed_and_distinct():
    scale = country_scale(["Kazakhstan", "China"]).to_dict()
    assert scale["range"] == [COUNTRY_COLORS["Kazakhstan"], COUNTRY_COLORS["China"]]
    assert len(set(COUNTRY_COLORS.values())) == len(COUNTRY_COLORS)


def test_cache_guard_clears_when_data_changes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "datapackage.json").write_text('{"resources": []}')
    cache = tmp_path / "cache"
    assert guard(cache, data) is False  # first use: nothing to clear
    (cache / "executed.db").write_text("outputs")
    assert guard(cache, data) is False and (cache / "executed.db").exists()
    (data / "datapackage.json").write_text('{"resources": [1]}')
    assert guard(cache, data) is True
    assert not (cache / "executed.db").exists()


@pytest.mark.slow
def test_landing_page_numbers():
    from notebooks import executed, glued

    g = glued(executed("intro.md"))
    shares = load("cbeci_country_shares").pivot(index="month", columns="country", values="share_pct")
    assert g["intro_china_first"] == shares["China"].iloc[0] == 75.53
    assert g["intro_us_last"] == shares["United States"].iloc[-1]
    assert g["intro_kz_last"] == shares["Kazakhstan"].iloc[-1]
    assert g["intro_kz_first"] == shares["Kazakhstan"].iloc[0]
    assert g["intro_first_month"] == "September 2019" and g["intro_last_month"] == "January 2022"
    # In the last month of the map China is back ahead of Kazakhstan, which is third, not second.
    last = shares.iloc[-1].drop("Other").sort_values(ascending=False)
    assert g["intro_china_last"] == shares["China"].iloc[-1] > shares["Kazakhstan"].iloc[-1]
    assert g["intro_kz_rank"] == "third" == ["first", "second", "third"][list(last.index).index("Kazakhstan")]
    china_jan2020 = shares.loc[:"2020-01-01", "China"].iloc[-1]
    assert g["intro_china_word"] == ("most of" if china_jan2020 > 50 else "much of") == "most of"


@pytest.mark.slow
def test_data_appendix_counts():
    from notebooks import executed, glued

    from minebook.data import package
    from minebook.sources import SOURCES

    g = glued(executed("appendix-data.md"))
    res = package()["resources"]
    assert g["data_n_resources"] == len(res) == len(SOURCES)
    assert g["data_total_rows"] == sum(len(load(r["name"])) for r in res)


@pytest.mark.slow
def test_data_appendix_cross_checks():
    from notebooks import executed, glued

    g = glued(executed("appendix-data.md"))
    cm = load("btc_daily").set_index("date")
    both = pd.concat([load("bc_hashrate_daily").set_index("date")["hashrate_ehs"], cm["hashrate_ehs"]], axis=1, join="inner")
    close = ((both.iloc[:, 0] / both.iloc[:, 1] - 1).abs() < 0.005).mean()
    assert g["data_hash_days"] == len(both) == 365
    assert g["data_hash_within_half_pct"] == pytest.approx(100 * close)
    d = pd.concat([load("bc_difficulty_daily").set_index("date")["difficulty"],
                   load("btc_difficulty_daily").set_index("date")["difficulty"]], axis=1, join="inner")
    same = np.isclose(d.iloc[:, 0], d.iloc[:, 1], rtol=1e-9, atol=0)  # "identical" up to float noise in daily means
    assert g["data_diff_identical_pct"] == pytest.approx(100 * same.mean())
    rev = pd.concat([load("bc_miners_revenue_daily").set_index("date")["miners_revenue_usd"],
                     cm["issuance_usd"] + cm["fees_usd_computed"]], axis=1, join="inner")
    assert g["data_revenue_median_gap_pct"] == pytest.approx(100 * (rev.iloc[:, 0] / rev.iloc[:, 1] - 1).median())
    f2 = load("asic_efficiency_f2pool")
    assert g["data_s19pro_f2pool"] == f2.loc[f2["model"] == "Antminer S19 Pro", "efficiency_j_per_th"].iloc[0]


def test_text_from_data_cannot_end_a_charts_script_or_add_markup():
    hostile = "</script><script>alert(1)</script>\u2028<b>&"
    spec = finish(alt.Chart(pd.DataFrame({"model": [hostile], "y": [1]})).mark_bar().encode(x="model:N", y="y:Q"),
                  finding=hostile, subtitle="s", source=hostile, description=hostile).to_dict()
    html = renderer(spec)["text/html"]
    assert html.count("<script") == 1 and html.count("</script>") == 1  # only the book's own inert JSON element
    script = html.split('<script type="application/json" class="minebook-spec"', 1)[1].split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "\u2028" not in script
    assert json.loads(script) == spec
    assert '<p class="minebook-source">Source: &lt;/script&gt;&lt;script&gt;' in html
    assert '<p class="minebook-chart-title">&lt;/script&gt;' in html


def test_reader_tables_relabel_format_and_escape():
    from minebook.tables import table

    frame = pd.DataFrame({"car": [-0.1234, np.nan], "label": ["<i>x</i>", "b"], "day": pd.to_datetime(["2022-01-05", "2021-04-16"])})
    shown = table(frame, {"label": "Event", "car": "Cumulative abnormal return, %", "day": "Date"},
                  formats={"car": "{:+.1%}"}, caption="Events", note="— : no estimate")._repr_html_()
    headers = re.findall(r'<th id="[^"]*" class="col_heading[^"]*" >([^<]*)</th>', shown)
    cells = re.findall(r'<td id="[^"]*" class="data[^"]*" >([^<]*)</td>', shown)
    assert headers == ["Event", "Cumulative abnormal return, %", "Date"]
    assert cells == ["&lt;i&gt;x&lt;/i&gt;", "\u221212.3%", "5 Jan 2022", "b", "—", "16 Apr 2021"]
    assert "row_heading" not in shown and shown.startswith('<p class="minebook-table-caption">Events</p>')
    assert 'class="minebook-table" role="region" aria-label="Events" tabindex="0"' in shown


def test_table_links_escape_their_text_address_and_title():
    from minebook.tables import table

    frame = pd.DataFrame({"outlet": ["<b>News</b>", "Evil"], "url": ['https://x.test/?a=1&b="2"', "javascript:alert(1)"],
                          "title": ['A "quoted" <title>', "t"]})
    shown = table(frame, {"outlet": "Source"}, links={"outlet": ("url", "title")}, caption="Links")._repr_html_()
    cells = re.findall(r'<td id="[^"]*" class="data[^"]*" >(.*?)</td>', shown)
    assert cells == ['<a href="https://x.test/?a=1&amp;b=&quot;2&quot;" title="A &quot;quoted&quot; &lt;title&gt;">'
                     "&lt;b&gt;News&lt;/b&gt;</a>",
                     "Evil"]   # only an https address becomes a link
    assert "javascript:" not in shown


def test_counts_in_words_agree_with_their_nouns():
    from minebook.book import in_words, plural

    assert [in_words(n) for n in (0, 1, 13, 20, 21, 1500)] == ["no", "one", "thirteen", "twenty", "21", "1,500"]
    assert in_words(0, zero="none", capital=True) == "None" and in_words(3, capital=True) == "Three"
    assert [plural(1, "day"), plural(2, "day"), plural(0, "study", "studies")] == ["one day", "two days", "no studies"]
