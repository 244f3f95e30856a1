"""Chapter 4's glued numbers against an independent computation from data/."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from minebook import charts, load
from notebooks import ROOT, chart_specs, executed, glued

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def g():
    return glued(executed("ch4-what-moves-the-price.md"))


@pytest.fixture(scope="module")
def rets():
    price = load("btc_daily").set_index("date")["price_usd"]
    nasdaq = load("fred_nasdaqcom").set_index("date")["nasdaq_composite"].dropna()
    both = pd.DataFrame({"btc": price.reindex(nasdaq.index), "nq": nasdaq})
    both = both[both.index >= "2019-01-01"]
    return np.log(both).diff().dropna()


def test_yearly_correlations(g, rets):
    for year in (2021, 2022):
        r = rets.loc[str(year)]
        assert g[f"ch4_corr_nasdaq_{year}"] == pytest.approx(np.corrcoef(r["btc"], r["nq"])[0, 1], abs=1e-9)
    assert g["ch4_corr_nasdaq_2022"] > g["ch4_corr_nasdaq_2021"]


def test_first_hike(g):
    dff = load("fred_dff").set_index("date")["fed_funds_pct"]
    steps = dff.diff()["2020":]
    assert g["ch4_first_hike"] == steps[steps > 0.1].index[0].strftime("%-d %B %Y") == "17 March 2022"


def market_model(rets, first, last, estimation=250, gap=10):
    i = rets.index.searchsorted(pd.Timestamp(first))
    est = rets.iloc[i - gap - estimation:i - gap]
    X = np.column_stack([np.ones(len(est)), est["nq"]])
    (alpha, beta), *_ = np.linalg.lstsq(X, est["btc"], rcond=None)
    resid = est["btc"] - X @ np.array([alpha, beta])
    sigma = np.sqrt((resid ** 2).sum() / (len(est) - 2))
    win = rets.loc[first:last]
    car = (win["btc"] - alpha - beta * win["nq"]).sum()
    return beta, car, sigma * np.sqrt(len(win)), win["btc"].sum()


@pytest.mark.parametrize("key,first,last", [
    ("jan22", "2022-01-05", "2022-01-07"), ("apr21", "2021-04-16", "2021-04-19"),
    ("may21", "2021-05-21", "2021-05-21"), ("jun21", "2021-06-18", "2021-06-21"),
])
def test_event_studies(g, rets, key, first, last):
    beta, car, se, actual = market_model(rets, first, last)
    assert g[f"ch4_{key}_car_pct"] == pytest.approx(100 * car, abs=1e-6)
    assert g[f"ch4_{key}_t"] == pytest.approx(car / se, abs=1e-6)
    assert g[f"ch4_{key}_car_lo_pct"] == pytest.approx(100 * (car - 1.96 * se), abs=1e-6)
    assert g[f"ch4_{key}_fall_pct"] == pytest.approx(-100 * (np.exp(actual) - 1), abs=1e-6)


def test_the_verdicts_the_prose_states(g):
    # The text says January 2022 is within chance and the three 2021 shocks are beyond it.
    assert g["ch4_jan22_t"] > -1.96
    assert all(g[f"ch4_{k}_t"] < -1.96 for k in ("apr21", "may21", "jun21"))
    assert g["ch4_n_beyond_chance"] == 3


def test_cross_correlation(g):
    btc = load("btc_daily").set_index("date")
    w = pd.DataFrame({"p": btc["price_usd"].resample("W-SUN").last(),
                      "h": btc["hashrate_ehs"].rolling(7).mean().resample("W-SUN").last()}).loc["2016":]
    c = np.log(w).diff().dropna()
    values = {k: c["p"].corr(c["h"].shift(-k)) for k in range(-12, 13)}
    band = 1.96 / np.sqrt(len(c))
    outside = [k for k, v in values.items() if abs(v) > band]
    assert g["ch4_ccf_weeks"] == len(c)
    assert g["ch4_ccf_lag0"] == pytest.approx(values[0])
    assert g["ch4_ccf_outside"] == len(outside)
    assert g["ch4_ccf_outside_price_first"] == sum(k > 0 for k in outside)
    assert g["ch4_ccf_outside_price_first"] > g["ch4_ccf_outside_hash_first"]  # "if anything, the price leads"


def test_price_source_check(g):
    cm = load("btc_daily").set_index("date")["price_usd"]
    cb = load("fred_cbbtcusd").set_index("date")["btc_usd_coinbase"]
    gap = (100 * (cb / cm - 1)).dropna()
    assert g["ch4_gap_median_pct"] == pytest.approx(gap.abs().median())
    assert g["ch4_gap_max_date"] == gap.abs().idxmax().strftime("%-d %B %Y")


# --- The chapter's charts: they fit a phone and a desktop, in the book's one visual language -------------

@pytest.fixture(scope="module")
def specs():
    return chart_specs(executed("ch4-what-moves-the-price.md"))


def _walk(node, path=()):
    """Every (path, key, value) in a spec, leaving out the theme's config (its category range lists the
    country colours for charts that colour by country)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("config", "datasets", "usermeta"):
                continue
            yield path, key, value
            yield from _walk(value, path + (key,))
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)


def test_seven_charts_each_naming_its_data(specs):
    names = {r["name"] for r in json.loads((ROOT / "data" / "datapackage.json").read_text())["resources"]}
    assert len(specs) == 7
    for spec in specs:
        datasets = spec["usermeta"]["datasets"]
        assert datasets and set(datasets) <= names, (spec["title"]["text"], datasets)


@pytest.mark.parametrize("width", [charts.WIDTH, charts.NARROW_WIDTH])
def test_every_chart_fits_its_width(specs, width):
    import vl_convert as vlc

    for spec in specs:
        drawn = charts.for_width(spec, width, title=False)
        svg = vlc.vegalite_to_svg(drawn, format_locale=charts.FORMAT_LOCALE)
        drawn_width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
        assert drawn_width <= width, (spec["title"]["text"], width, drawn_width)


def test_the_event_study_panels_take_one_column_on_a_phone(specs):
    (facet,) = [s for s in specs if "facet" in s]
    assert facet["columns"] == 2 and facet["usermeta"]["narrow"]["columns"] == 1
    assert "width" in facet["spec"] and "spec.width" in facet["usermeta"]["narrow"]


def test_no_small_text_and_no_rotated_labels(specs):
    for spec in specs:
        for _, key, value in _walk(spec):
            if key in ("fontSize", "labelFontSize", "titleFontSize"):
                assert value >= charts.MIN_FONT, (spec["title"]["text"], key, value)
            assert key != "labelAngle" or value == 0, spec["title"]["text"]


def test_long_time_axes_show_years(specs):
    for spec in specs:
        for _, key, value in _walk(spec):
            if key == "x" and isinstance(value, dict) and value.get("type") == "temporal" and "axis" in value:
                assert value["axis"].get("format") == "%Y", spec["title"]["text"]


def test_colours_come_from_the_books_palette(specs):
    allowed = {charts.PRICE, charts.MARKET, charts.HASHRATE, charts.EVENT, charts.MUTED, charts.INK, "white",
               "#4D4D4D",   # the page's darker shade of MARKET, for a second market on one chart
               "#A6A6A6", "#737373"}   # bitcoin's 2021 returns and their line, light shades of PRICE's ink
    countries = set(charts.COUNTRY_COLORS.values())
    for spec in specs:
        used = set()
        for path, key, value in _walk(spec):
            if key in ("color", "stroke", "fill") and isinstance(value, str) and value.startswith("#"):
                used.add(value.upper())
            if key == "value" and path[-1:] in (("color",), ("stroke",), ("fill",)) and isinstance(value, str):
                used.add(value.upper())
            if key == "range" and path[-2:] == ("color", "scale"):
                used |= {v.upper() for v in value}
        title = spec["title"]["text"]
        assert used, title
        assert used <= {c.upper() for c in allowed}, (title, used)
        assert not used & {c.upper() for c in countries}, (title, used)


def test_finding_titles_follow_the_data(g, specs):
    titles = [s["title"]["text"] for s in specs]
    assert f"{g['ch4_corr_nasdaq_2021']:.2f} in 2021, {g['ch4_corr_nasdaq_2022']:.2f} in 2022" in titles[0]
    assert titles[3].startswith(f"{g['ch4_n_beyond_chance']} of 4 event windows fall beyond chance")
    assert titles[3].endswith("January 2022 is not one of them") == (g["ch4_jan22_t"] > -1.96)
    assert titles[2].endswith(pd.Timestamp(g["ch4_first_hike"]).strftime("%B %Y"))
