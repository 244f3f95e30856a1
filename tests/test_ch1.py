"""Chapter 1's glued numbers against an independent computation from data/."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from minebook import load
from notebooks import channels, drawn, executed, glued

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def g():
    return glued(executed("ch1-how-mining-works.md"))


@pytest.fixture(scope="module")
def btc():
    return load("btc_daily")


def test_toy_proof_of_work(g):
    import hashlib

    nonce = 0
    while hashlib.sha256(f"block 1: Alice pays Bob 1 coin{nonce}".encode()).digest()[:2] != b"\x00\x00":
        nonce += 1
    assert g["ch1_demo_bits"] == 16
    assert g["ch1_demo_attempts"] == nonce + 1
    assert g["ch1_demo_expected"] == 65536
    assert 0.5 < g["ch1_work_ratio_14"] < 1.5


def test_hash_rate_today_and_growth(g, btc):
    latest = btc["hashrate_ehs"].iloc[-7:].mean()
    jan16 = btc.loc[btc["date"].dt.strftime("%Y-%m") == "2016-01", "hashrate_ehs"].mean()
    assert g["ch1_latest_ehs"] == pytest.approx(latest, rel=1e-9)
    assert g["ch1_growth_since_2016"] == pytest.approx(latest / jan16, rel=1e-9)
    assert g["ch1_latest_date"] == btc["date"].iloc[-1].strftime("%-d %B %Y")
    assert g["ch1_bits_today"] == pytest.approx(np.log2(latest * 1e18 * 600), abs=1e-9)
    monthly = btc.groupby(btc["date"].dt.to_period("M"))["hashrate_ehs"].mean()
    assert g["ch1_orders_of_magnitude"] == pytest.approx(np.log10(monthly.iloc[-1] / monthly.iloc[0]), abs=1e-9)
    assert g["ch1_first_year"] == 2010


def test_halvings_seen_in_issuance(g, btc):
    per_block = btc["issuance_btc"] / btc["blocks"]
    # Whole days at each subsidy level: 50, 25, 12.5, 6.25 ... BTC per block.
    whole = btc["date"][np.isclose(per_block, 50 / 2 ** np.round(np.log2(50 / per_block)))]
    levels = np.round(np.log2(50 / per_block[whole.index])).astype(int)
    firsts = whole.groupby(levels.values).min().iloc[1:]
    published = load("events").query("category == 'halving'")["date"].to_numpy()
    gaps = (firsts.to_numpy() - published) / np.timedelta64(1, "D")
    assert g["ch1_n_halvings"] == len(published) == 4
    assert g["ch1_halving_max_gap_days"] == int(np.abs(gaps).max()) <= 1


def test_blocks_and_target(g, btc):
    assert g["ch1_target_per_day"] == 144
    assert g["ch1_blocks_mean_since_2016"] == pytest.approx(btc.query("date >= '2016-01-01'")["blocks"].mean(), rel=1e-12)


def test_difficulty_rule(g):
    d = load("btc_difficulty_daily")
    # Retargets: days where difficulty moved and the next day holds the new value (skip the blend day).
    v, dates = d["difficulty"].to_numpy(), d["date"].to_numpy()
    same_as_next = np.isclose(v[:-1], v[1:], rtol=1e-9, atol=0)
    plateau_starts = [i for i in range(1, len(v) - 1) if same_as_next[i] and not np.isclose(v[i], v[i - 1], rtol=1e-9, atol=0)]
    steps = pd.DataFrame({"date": dates[plateau_starts], "value": v[plateau_starts]})
    steps["ratio"] = steps["value"] / steps["value"].shift()
    steps["observed"] = steps["date"].diff().dt.days
    steps = steps[steps["date"] >= "2013-01-01"].dropna()
    err = (14 / steps["ratio"] - steps["observed"]).abs()
    assert g["ch1_n_retargets"] == len(steps)
    assert g["ch1_rule_median_error_days"] == pytest.approx(err.median(), abs=1e-9)
    assert g["ch1_rule_share_within_1day"] == pytest.approx(100 * (err <= 1).mean(), abs=1e-9)
    worst = steps.loc[steps["ratio"].idxmin()]
    assert g["ch1_biggest_cut_pct"] == pytest.approx(100 * (worst["ratio"] - 1), abs=1e-9)
    assert g["ch1_biggest_cut_date"] == "4 July 2021"
    assert -30 < g["ch1_biggest_cut_pct"] < -25  # the known -27.9% of July 2021


def test_hashprice_and_fees(g, btc):
    b = btc[btc["date"] >= "2014-01-01"]
    revenue = b["issuance_usd"] + b["fees_usd_computed"]
    hp = (revenue / (b["hashrate_ehs"] * 1000)).groupby(b["date"].dt.to_period("M")).mean()
    assert g["ch1_hashprice_peak"] == pytest.approx(hp.max(), rel=1e-9)
    assert g["ch1_hashprice_peak_month"] == hp.idxmax().strftime("%B %Y")
    assert g["ch1_hashprice_recent"] == pytest.approx(hp.iloc[-1], rel=1e-9)
    assert g["ch1_fee_share_pct"] == pytest.approx(100 * b["fees_usd_computed"].sum() / revenue.sum(), rel=1e-9)


def test_break_even_prices(g, btc):
    asics = load("asic_efficiency_cbeci").set_index("model")["efficiency_j_per_th"]
    s9, s19 = asics["Bitmain Antminer S9 (11.5Th)"], asics["Bitmain Antminer S19 Pro (110Th)"]
    assert g["ch1_old_j_th"] == s9 and g["ch1_new_j_th"] == s19
    assert g["ch1_efficiency_gain"] == pytest.approx(asics["Bitmain Antminer S3"] / s19, rel=1e-12)
    jan = btc[btc["date"].dt.strftime("%Y-%m") == "2022-01"]
    usd_per_th_day = ((jan["issuance_usd"] + jan["fees_usd_computed"]) / (jan["hashrate_ehs"] * 1e6)).mean()
    kwh_per_th_day = lambda j_per_th: j_per_th * 86400 / 3.6e6  # noqa: E731
    assert g["ch1_breakeven_old_jan22"] == pytest.approx(usd_per_th_day / kwh_per_th_day(s9), rel=1e-9)
    assert g["ch1_breakeven_new_jan22"] == pytest.approx(usd_per_th_day / kwh_per_th_day(s19), rel=1e-9)
    us = load("us_industrial_electricity_price").set_index("month")["price_usd_per_kwh"]
    assert g["ch1_us_power_jan22"] == us["2022-01-01"]


FIGURES = ["work", "hashrate", "blocks", "rule", "hashprice", "asics", "breakeven"]


def test_every_chart_is_a_numbered_figure():
    from pathlib import Path

    from notebooks import chart_specs

    nb = executed("ch1-how-mining-works.md")
    glued_charts = [out["metadata"]["scrapbook"]["name"] for cell in nb.cells for out in cell.get("outputs", [])
                    if "scrapbook" in out.get("metadata", {}) and any("vegalite" in k for k in out["data"])]
    assert glued_charts == [f"ch1_fig_{slug}" for slug in FIGURES]
    assert len(chart_specs(nb)) == len(FIGURES)  # no chart is displayed outside a figure
    page = (Path(__file__).resolve().parent.parent / "book" / "ch1-how-mining-works.md").read_text()
    for slug in FIGURES:
        assert f"```{{glue:figure}} ch1_fig_{slug}\n:name: fig-ch1-{slug}\n" in page


def test_tables_are_reader_tables():
    nb = executed("ch1-how-mining-works.md")
    html = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
            if "text/html" in out.get("data", {}) and "scrapbook" not in out.get("metadata", {})]
    tables = [h for h in html if "<table" in h]
    assert len(tables) == 2 and all('class="minebook-table"' in h for h in tables)
    for raw in ["zero_bits", "from_data", "event_table", "days_apart", "<th></th>", "NaN"]:
        assert all(raw not in h for h in tables), raw


# Charts: the book's conventions for reading at 360 and 640 px (see minebook/charts.py).
DATASETS = {
    "work": [], "hashrate": ["btc_daily", "events"], "blocks": ["btc_daily"], "rule": ["btc_difficulty_daily"],
    "hashprice": ["btc_daily", "events"], "asics": ["asic_efficiency_cbeci"],
    "breakeven": ["btc_daily", "asic_efficiency_cbeci", "us_industrial_electricity_price"],
}


@pytest.fixture(scope="module")
def specs():
    from notebooks import chart_specs

    return dict(zip(FIGURES, chart_specs(executed("ch1-how-mining-works.md"))))


def test_long_time_spans_label_years_only(specs):
    for slug, spec in specs.items():
        axes = [x["axis"] for x in channels(spec, "x") if x.get("type") == "temporal" and "axis" in x]
        if slug in ("hashrate", "blocks", "hashprice", "asics", "breakeven"):
            assert axes and all(a["format"] == "%Y" and a["tickCount"] == "year" for a in axes), slug
        else:
            assert axes == [], slug


def test_log_axes_have_explicit_ticks_in_one_format(specs):
    logs = {slug: [y for y in channels(spec, "y") if y.get("scale", {}).get("type") == "log"] for slug, spec in specs.items()}
    assert {slug for slug, ys in logs.items() if ys} == {"work", "hashrate", "hashprice", "asics", "breakeven"}
    for slug, ys in logs.items():
        for y in ys:
            axis = y["axis"]
            assert axis["values"] == sorted(axis["values"]) and len(axis["values"]) >= 5, slug
            assert ("format" in axis) != ("labelExpr" in axis), slug
    # The hash-rate ticks, one every thousandfold, are named in hashes per second: 1 MH/s ... 1 ZH/s.
    ticks = logs["hashrate"][0]["axis"]["values"]
    assert [round(np.log10(v) / 3) + 4 for v in ticks] == list(range(6))
    assert "'1 MH/s', '1 GH/s', '1 TH/s', '1 PH/s', '1 EH/s', '1 ZH/s'" in logs["hashrate"][0]["axis"]["labelExpr"]
    domain = logs["hashrate"][0]["scale"]["domain"]
    monthly = load("btc_daily").set_index("date")["hashrate_ehs"].resample("MS").mean()
    assert domain[0] <= monthly.min() and monthly.max() <= domain[1]


def test_colours_and_event_labels_follow_the_book(specs):
    from minebook import charts

    allowed = {charts.HASHRATE, charts.INTERVAL, charts.PRICE, charts.MARKET, charts.EVENT, charts.EVENT_SHADE,
               charts.MUTED}
    for slug, spec in specs.items():
        nodes = drawn(spec)
        used = {n["color"] for n in nodes if isinstance(n.get("color"), str)}
        used |= {c for n in nodes if isinstance(n.get("scale"), dict) for c in n["scale"].get("range", [])
                 if isinstance(c, str) and c.startswith("#")}
        assert used and used <= allowed, (slug, used - allowed)
        assert not used & set(charts.COUNTRY_COLORS.values()), slug
    for slug in ("hashrate", "hashprice"):
        spec = specs[slug]
        texts = [n for n in spec["layer"] if n["mark"]["type"] == "text"]
        assert len(texts) == 1 and texts[0]["encoding"]["text"] == {"field": "label", "type": "nominal"}
        labels = {row["label"] for row in spec["datasets"][texts[0]["data"]["name"]]}
        assert labels == {"Halving"}, slug


def test_charts_name_their_data(specs):
    assert {slug: spec["usermeta"]["datasets"] for slug, spec in specs.items()} == DATASETS


def test_finding_titles_hold_in_the_data(g, specs, btc):
    titles = {slug: spec["title"]["text"] for slug, spec in specs.items()}
    # Toy work: the chart's own dots double per extra zero bit (slope of log2 attempts near 1).
    work = pd.DataFrame(next(iter(specs["work"]["datasets"].values())))
    assert 1.8 < 2 ** np.polyfit(work["zero_bits"], np.log2(work["attempts"]), 1)[0] < 2.2
    # Hash rate: the title is computed.
    assert titles["hashrate"] == (f"The network's computing power has grown {g['ch1_orders_of_magnitude']:.0f} orders "
                                  f"of magnitude since {g['ch1_first_year']}")
    # Blocks: close to 144 a day since 2016, above it in months hash rate rose, below it in months it fell.
    assert 144 < g["ch1_blocks_mean_since_2016"] < 144 * 1.05
    m = btc.groupby(btc["date"].dt.to_period("M"))[["blocks", "hashrate_ehs"]].mean()
    up = m["hashrate_ehs"] > m["hashrate_ehs"].shift()
    assert m.loc[up, "blocks"].mean() > 144 > m.loc[~up & m["hashrate_ehs"].shift().notna(), "blocks"].mean()
    # The difficulty rule: a median miss of at most a day, most periods within a day.
    assert g["ch1_rule_median_error_days"] <= 1 and g["ch1_rule_share_within_1day"] > 80
    # Hashprice: under a tenth of its level ten years before the latest month.
    b = btc[btc["date"] >= "2014-01-01"]
    hp = ((b["issuance_usd"] + b["fees_usd_computed"]) / (b["hashrate_ehs"] * 1000)).groupby(b["date"].dt.to_period("M")).mean()
    assert hp.iloc[-1] / hp[hp.index[-1] - 120] < 0.1
    # ASICs: each release year's median model uses less energy than the year before's.
    asics = load("asic_efficiency_cbeci")
    medians = asics.groupby(asics["released"].dt.year)["efficiency_j_per_th"].median().to_numpy()
    assert (np.diff(medians) < 0).all()
    # Old machines: the S9's latest break-even is under half the cheapest US industrial price since 2019.
    us = load("us_industrial_electricity_price").query("month >= '2019-01-01'")["price_usd_per_kwh"]
    assert g["ch1_breakeven_old_recent"] < 0.5 * us.min()
