"""Chapter 3's glued numbers against an independent computation from data/.

The block-rate figures are recomputed here with scipy's Poisson and binomial machinery directly,
not with minebook.blockrate, so an error in either would show as a mismatch."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from minebook import load
from notebooks import channels, drawn, executed, glued

pytestmark = pytest.mark.slow
TWO_32 = 2.0 ** 32


@pytest.fixture(scope="module")
def g():
    return glued(executed("ch3-kazakhstan.md"))


@pytest.fixture(scope="module")
def blocks():
    b = load("block_timestamps")
    # Difficulty by epoch from the daily series: the value that repeats over the epoch's days.
    daily = load("btc_difficulty_daily").set_index("date")["difficulty"]
    b["epoch"] = b["height"] // 2016
    diff = {}
    for epoch, times in b.groupby("epoch")["time"]:
        values = daily.reindex(pd.DatetimeIndex(times.dt.normalize().unique())).dropna().round(0)
        diff[epoch] = values.value_counts().idxmax()
    b["difficulty"] = b["epoch"].map(diff)
    return b


def window(blocks, start, end):
    """Count, and exposure integrated second by second over the epochs in force (brute force)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    n = int(blocks["time"].between(start, end, inclusive="left").sum())
    change = blocks.loc[blocks["height"] % 2016 == 0, "time"]
    change = change[(change > start) & (change < end)]
    edges = [start, *change, end]
    expo = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        d = blocks.loc[blocks["time"] >= a, "difficulty"].iloc[0]
        expo += (b - a).total_seconds() / (d * TWO_32)
    return n, expo


def ratio_ci(n, e, nb, eb, conf=0.95):
    # Exact conditional interval via the binomial test's own confidence interval.
    ci = stats.binomtest(n, n + nb).proportion_ci(confidence_level=conf, method="exact")
    to_ratio = lambda p: p / (1 - p) * eb / e  # noqa: E731
    return (n / e) / (nb / eb), to_ratio(ci.low), to_ratio(ci.high)


def test_rise_of_kazakhstan(g):
    kz = load("cbeci_country_shares").query("country == 'Kazakhstan'").set_index("month")
    assert g["ch3_kz_first_share"] == kz["share_pct"].iloc[0]
    assert g["ch3_kz_peak_share"] == kz["share_pct"].max()
    assert g["ch3_kz_peak_month"] == kz["share_pct"].idxmax().strftime("%B %Y")
    assert g["ch3_kz_last_share"] == kz["share_pct"].iloc[-1] == 13.22
    assert g["ch3_kz_rank_at_peak"] == 2 and g["ch3_leader_at_peak"] == "United States"


def test_electricity_mix_and_power_draw(g):
    year = 2021
    mix = load("electricity_share_by_source").query("year == @year")
    kz = mix[mix["country"] == "Kazakhstan"].set_index("source")["share_pct"]
    assert g["ch3_mix_year"] == year
    assert g["ch3_kz_coal_pct"] == pytest.approx(kz["Coal"])
    assert g["ch3_kz_fossil_pct"] == pytest.approx(kz[["Coal", "Gas", "Oil"]].sum())
    peak = load("cbeci_country_shares").query("country == 'Kazakhstan'").set_index("month")
    ehs = peak.loc[peak["share_pct"].idxmax(), "hashrate_ehs"]
    asics = load("asic_efficiency_cbeci").set_index("model")["efficiency_j_per_th"]
    for key, model in (("low", "Bitmain Antminer S19 Pro (110Th)"), ("high", "Bitmain Antminer S9 (11.5Th)")):
        watts = ehs * 1e18 / 1e12 * asics[model]
        assert g[f"ch3_draw_gw_{key}"] == pytest.approx(watts / 1e9)
        assert g[f"ch3_draw_twh_{key}"] == pytest.approx(watts * 365 * 24 / 1e12)
    gen = load("electricity_generation_by_source").query("country == 'Kazakhstan' and year == @year")["generation_twh"].sum()
    assert g["ch3_kz_generation_twh"] == pytest.approx(gen)
    assert g["ch3_draw_share_low"] < g["ch3_draw_share_high"] < 50


def test_xinjiang_validation_detects_the_known_loss(g, blocks):
    nb, eb = window(blocks, "2021-04-07", "2021-04-15")
    n, e = window(blocks, "2021-04-16", "2021-04-22")
    est, lo, hi = ratio_ci(n, e, nb, eb)
    assert g["ch3_xj_blocks"] == n
    assert g["ch3_xj_loss_pct"] == pytest.approx(100 * (1 - est), abs=1e-6)
    assert g["ch3_xj_loss_lo_pct"] == pytest.approx(100 * (1 - hi), abs=1e-6)
    assert g["ch3_xj_loss_hi_pct"] == pytest.approx(100 * (1 - lo), abs=1e-6)
    assert hi < 1, "the method must detect the April 2021 fall"


def test_kazakh_shutdown_estimates(g, blocks):
    off, on = pd.Timestamp("2022-01-05 11:00"), pd.Timestamp("2022-01-10 02:00")
    nb, eb = window(blocks, "2021-12-28", "2022-01-04")
    n, e = window(blocks, off, on)
    est, lo, hi = ratio_ci(n, e, nb, eb)
    assert g["ch3_off_hours"] == pytest.approx(111)
    assert g["ch3_kz_blocks"] == n
    assert g["ch3_kz_expected_blocks"] == pytest.approx(nb / eb * e)
    assert g["ch3_kz_change_pct"] == pytest.approx(100 * (est - 1), abs=1e-6)
    assert (g["ch3_kz_change_lo_pct"], g["ch3_kz_change_hi_pct"]) == pytest.approx((100 * (lo - 1), 100 * (hi - 1)), abs=1e-6)
    one_sided_low = ratio_ci(n, e, nb, eb, conf=0.90)[1]
    assert g["ch3_max_sustained_loss_pct"] == pytest.approx(100 * (1 - one_sided_low), abs=1e-6)
    assert g["ch3_max_sustained_loss_pct"] < 13  # the claim tested in the prose and the appendix


def test_detection_power_is_consistent_with_a_normal_approximation(g):
    # Days d at which a 13% loss is detected with 95% power, one-sided 5%, 8-day baseline at 144/day:
    # log-ratio noise sqrt(1/(144 d (1-L)) + 1/(144*8)); need -log(1-L) >= 2 * 1.645 * noise.
    def needed_noise(d):
        return np.sqrt(1 / (144 * d * 0.87) + 1 / (144 * 8))
    grid = np.arange(0.5, 10.01, 0.5)
    approx = grid[np.argmax(-np.log(0.87) >= 2 * 1.645 * needed_noise(grid))]
    assert abs(g["ch3_days_needed_95"] - approx) <= 1.0
    assert 0.5 < g["ch3_power_at_shutdown"] < 0.99


def test_timestamps_match_coin_metrics_daily_counts(g, blocks):
    counts = blocks["time"].dt.normalize().value_counts().sort_index()
    inner = [d for d in counts.index if d - pd.Timedelta(days=1) in counts.index and d + pd.Timedelta(days=1) in counts.index]
    cm = load("btc_daily").set_index("date")["blocks"]
    assert g["ch3_days_compared"] == len(inner) == 36
    assert g["ch3_days_agree"] == sum(int(counts[d]) == int(cm[d]) for d in inner)


def test_every_figure_on_the_page_is_a_glued_chart():
    import re

    from notebooks import BOOK, VEGALITE

    nb = executed("ch3-kazakhstan.md")
    charts = {out["metadata"]["scrapbook"]["name"] for cell in nb.cells for out in cell.get("outputs", [])
              if "scrapbook" in out.get("metadata", {})
              and out["metadata"]["scrapbook"].get("mime_prefix", "") + VEGALITE in out["data"]}
    figures = re.findall(r"```\{glue:figure\} (\S+)\n:name: (fig-ch3-[a-z-]+)\n", (BOOK / "ch3-kazakhstan.md").read_text())
    assert len(figures) == 8 and len({name for _, name in figures}) == 8
    assert {key for key, _ in figures} == charts


# Charts: the book's conventions for reading at 360 and 640 px (see minebook/charts.py).
FIGURES = ["rise", "mix", "draw", "xinjiang", "shutdown", "six_hours", "hourly", "power"]
BLOCK_CHARTS = ("xinjiang", "shutdown", "six_hours", "hourly")
INTERVAL_CHARTS = ("xinjiang", "shutdown", "six_hours")
BLOCK_DATA = ["block_timestamps", "btc_difficulty_daily", "events"]
DATASETS = {
    "rise": ["cbeci_country_shares"], "mix": ["electricity_share_by_source"],
    "draw": ["cbeci_country_shares", "asic_efficiency_cbeci", "cbeci_consumption", "electricity_consumption_countries",
             "electricity_generation_by_source"],
    **{slug: BLOCK_DATA for slug in BLOCK_CHARTS}, "power": [],
}


@pytest.fixture(scope="module")
def specs():
    from notebooks import chart_specs

    found = chart_specs(executed("ch3-kazakhstan.md"))
    assert len(found) == len(FIGURES)
    return dict(zip(FIGURES, found))


def _marks(spec, kind):
    return [n for n in spec.get("layer", [spec]) if (n["mark"]["type"] if isinstance(n["mark"], dict) else n["mark"]) == kind]


def test_charts_name_their_data(specs):
    assert {slug: spec["usermeta"]["datasets"] for slug, spec in specs.items()} == DATASETS


def test_short_time_spans_label_day_and_month(specs):
    for slug in BLOCK_CHARTS:
        axes = [x["axis"] for x in channels(specs[slug], "x") if "axis" in x]
        assert len(axes) == 1 and axes[0]["format"] == "%-d %b" and axes[0]["labelSeparation"] > 0, slug
        # Ticks at midnight, evenly spaced, one of them on the event's first day.
        ticks = pd.to_datetime([f"{v['year']}-{v['month']}-{v['date']}" for v in axes[0]["values"]])
        assert len(set(np.diff(ticks))) == 1, slug
        span = _marks(specs[slug], "rect")[0]
        start = pd.Timestamp(specs[slug]["datasets"][span["data"]["name"]][0]["start"])
        assert start.floor("D") in ticks, slug


def test_interval_charts_say_percent_of_baseline_and_centre_each_window(specs):
    for slug in INTERVAL_CHARTS:
        spec = specs[slug]
        y = [c for c in channels(spec, "y") if c.get("field") == "low"][0]
        assert y["title"] == "Hash rate, % of baseline" and y["axis"]["format"] == "%", slug
        rows = pd.DataFrame(spec["datasets"][_marks(spec, "point")[0]["data"]["name"]])
        start = "day" if "day" in rows else "start"
        step = pd.Timedelta(days=1) if start == "day" else pd.Timedelta(hours=6)
        assert (pd.to_datetime(rows["middle"]) == pd.to_datetime(rows[start]) + step / 2).all(), slug
        rule = [n for n in _marks(spec, "rule") if n["encoding"]["y"].get("field") == "y"][0]
        assert spec["datasets"][rule["data"]["name"]] == [{"y": 1.0}], slug  # the dashed 100% line


def test_colours_and_event_labels_follow_the_book(specs):
    from minebook import charts

    kz = charts.COUNTRY_COLORS["Kazakhstan"]
    allowed = {
        "rise": {kz}, "draw": {kz, charts.MUTED}, "power": {charts.HASHRATE, charts.MUTED},
        **{slug: {charts.HASHRATE, charts.INTERVAL, charts.EVENT, charts.EVENT_SHADE, charts.MUTED} for slug in INTERVAL_CHARTS},
        "hourly": {charts.HASHRATE, charts.EVENT, charts.EVENT_SHADE, charts.MUTED},  # grey: the band of chance
    }
    for slug, spec in specs.items():
        nodes = drawn(spec)
        used = {n["color"] for n in nodes if isinstance(n.get("color"), str)}
        used |= {c for n in nodes if isinstance(n.get("scale"), dict) for c in n["scale"].get("range", [])
                 if isinstance(c, str) and c.startswith("#")}
        if slug == "mix":  # sources of electricity: nine colours, none a country's or one of the book's meanings
            fixed = {charts.HASHRATE, charts.INTERVAL, charts.PRICE, charts.MARKET, charts.EVENT, charts.EVENT_SHADE,
                     charts.MUTED, *charts.COUNTRY_COLORS.values()}
            assert len(used) == 9 and not {c.upper() for c in used} & {c.upper() for c in fixed}
        else:
            assert used == allowed[slug], (slug, used)
    labels = {"xinjiang": "Xinjiang blackout", "shutdown": "Shutdown", "six_hours": "Shutdown", "hourly": "Shutdown"}
    assert "Xinjiang blackout" in set(load("events")["label"])
    for slug, label in labels.items():
        spec = specs[slug]
        (span,) = _marks(spec, "rect")
        assert span["mark"]["color"] == charts.EVENT_SHADE and "opacity" not in span["mark"], slug
        (name,) = _marks(spec, "text")
        assert name["mark"]["color"] == charts.EVENT and name["encoding"]["text"]["field"] == "label"
        assert [row["label"] for row in spec["datasets"][name["data"]["name"]]] == [label], slug


def test_the_mix_legend_wraps_on_a_phone(specs):
    from minebook import charts

    spec = specs["mix"]
    assert spec["encoding"]["color"]["legend"]["columns"] == 9
    phone = charts.for_width(spec, charts.NARROW_WIDTH, title=False)
    assert phone["encoding"]["color"]["legend"]["columns"] == 3 and phone["height"] > spec["height"]
    assert charts.for_width(spec, charts.WIDTH, title=False)["encoding"]["color"]["legend"]["columns"] == 9


def test_finding_titles_hold_in_the_data(g, specs, blocks):
    titles = {slug: spec["title"]["text"] for slug, spec in specs.items()}
    off, on = pd.Timestamp("2022-01-05 11:00"), pd.Timestamp("2022-01-10 02:00")
    nb, eb = window(blocks, "2021-12-28", "2022-01-04")
    # Xinjiang: the loss is seen (tested above) and the title's figure is the glued one.
    assert titles["xinjiang"] == f"The block record sees the Xinjiang blackout: about {g['ch3_xj_loss_pct']:.0f}% of hash rate lost"
    # Shutdown, daily: "almost the usual rate", within 5%.
    assert titles["shutdown"].endswith("blocks kept coming at almost the usual rate")
    assert abs(g["ch3_kz_change_pct"]) < 5
    # Six hours: no step that overlaps the shutdown has an interval wholly below 100%.
    assert titles["six_hours"] == "Six hours at a time, the shutdown is lost in the noise"
    six = pd.Timedelta(hours=6)
    highs = [ratio_ci(*window(blocks, s, s + six), nb, eb)[2] for s in pd.date_range(off.floor("6h"), on, freq="6h") if s < on]
    assert len(highs) == g["ch3_6h_n_steps"] and min(highs) >= 1 and g["ch3_6h_n_below"] == 0
    # Hourly: the cumulative surplus never leaves ±1.96 √(cumulative expected).
    assert titles["hourly"] == "Hour by hour, the count never strays outside what chance allows"
    hour = pd.Timedelta(hours=1)
    counts = [window(blocks, h, h + hour) for h in pd.date_range("2022-01-03", "2022-01-14", freq="1h")[:-1]]
    found = np.cumsum([n for n, _ in counts])
    expected = np.cumsum([nb / eb * e for _, e in counts])
    assert (np.abs(found - expected) <= 1.96 * np.sqrt(expected)).all()
    # Power: computed from the simulation's own loss and duration.
    assert titles["power"] == (f"A 13% loss must last about {g['ch3_days_needed_95']:g} days before block counts catch it "
                               "95% of the time")
