"""Chapter 1's glued numbers against an independent computation from data/."""
from __future__ import annotations

import re
from pathlib import Path

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


def test_blocks_and_target(g, btc):
    assert g["ch1_target_per_day"] == 144
    assert g["ch1_blocks_mean_since_2016"] == pytest.approx(btc.query("date >= '2016-01-01'")["blocks"].mean(), rel=1e-12)


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


FIGURES = ["work", "hashrate", "blocks", "hashprice", "asics", "breakeven"]


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
    assert len(tables) == 1 and all('class="minebook-table"' in h for h in tables)
    for raw in ["zero_bits", "from_data", "event_table", "days_apart", "<th></th>", "NaN"]:
        assert all(raw not in h for h in tables), raw


# Charts: the book's conventions for reading at 360 and 640 px (see minebook/charts.py).
DATASETS = {
    "work": [], "hashrate": ["btc_daily", "events"], "blocks": ["btc_daily"],
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
    # Break-even: the title names the year the data end, when even the S9's threshold is under half the US price.
    assert titles["breakeven"] == f"By {btc['date'].iloc[-1].year}, old machines paid only where electricity was very cheap"


# The editor's pass: each corrected word or value recomputed from data/, independently of the chapter's code.
PAGE = Path(__file__).resolve().parent.parent / "book" / "ch1-how-mining-works.md"


def _complete_months(btc):
    by_month = btc.groupby(btc["date"].dt.to_period("M"))["blocks"].agg(["mean", "count"])
    return by_month[by_month["count"] == by_month.index.days_in_month]


def test_slowest_months_are_ranked_from_the_data(g, btc):
    months = _complete_months(btc)
    slow = months[(months.index >= pd.Period("2016-01", "M")) & (months["mean"] < 140)].sort_values("mean", kind="stable")
    names = [p.strftime("%B %Y") for p in slow.index]
    text = g["ch1_ex3_slow_list"]
    # Every slow month is named, in ranking order, with its mean to one decimal.
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    for name, mean in zip(names, slow["mean"]):
        assert f"{mean:.1f}" in text.split(name, 1)[1][:40], name
    assert "ten complete months" in text and len(slow) == 10
    # The exercise's old answer was wrong: November 2018 is slower than April 2021, and 2020 has three such months.
    assert slow.loc[pd.Period("2018-11", "M"), "mean"] < slow.loc[pd.Period("2021-04", "M"), "mean"]
    assert sum(p.year == 2020 for p in slow.index) == 3
    assert names[:3] == ["June 2021", "November 2018", "May 2020"]
    assert text.index("November 2018") < text.index("April 2021")
    # Ties share a place: October 2020 and January 2026 both averaged 4201 blocks over 31 days.
    assert "October 2020 and January 2026 (135.5 each)" in text
    # A month still in progress is not ranked.
    last = btc["date"].iloc[-1]
    if last.day < last.days_in_month:
        assert last.strftime("%B %Y") not in text
    rank_april = 1 + (slow["mean"] < slow.loc[pd.Period("2021-04", "M"), "mean"]).sum()
    assert rank_april == 6 and "put its month only sixth" in g["ch1_ex3_why"]
    price = btc.set_index("date")["price_usd"]
    assert f"fell by {100 * (1 - price['2018-11-30'] / price['2018-10-31']):.0f}%" in g["ch1_ex3_why"]
    assert g["ch1_ex3_answer"] == f"{g['ch1_ex3_slow_list']} {g['ch1_ex3_why']}"
    # The list is two sentences, not one of 60-odd words.
    first, second = text.split(". Slowest first, ")
    assert len(first.split()) < 20 and len(second.split()) < 50


def test_blocks_prose_shares_and_dip(g, btc):
    m = btc.groupby(btc["date"].dt.to_period("M"))[["blocks", "hashrate_ehs"]].mean()
    rising = m["hashrate_ehs"].diff() > 0
    since = m.index >= pd.Period("2016-01", "M")
    assert g["ch1_months_rising_pct"] == pytest.approx(100 * rising[since].mean(), abs=1e-9)
    assert g["ch1_months_fast_pct"] == pytest.approx(100 * (m.loc[since, "blocks"] > 144).mean(), abs=1e-9)
    assert g["ch1_months_rising_pct"] > 50 and g["ch1_months_fast_pct"] > 50
    weekly = btc.set_index("date")["blocks"].resample("W").mean().loc["2012-01-01":]
    assert g["ch1_slowest_week"] == weekly.idxmin().strftime("%-d %B %Y") == "27 June 2021"
    assert g["ch1_slowest_week_blocks"] == pytest.approx(weekly.min(), rel=1e-12)


def test_hashprice_superlative_says_its_span(g, btc):
    b = btc[btc["date"] >= "2014-01-01"]
    hp = ((b["issuance_usd"] + b["fees_usd_computed"]) / (b["hashrate_ehs"] * 1000)).groupby(b["date"].dt.to_period("M")).mean()
    assert hp.idxmax() == hp.index[0]  # the high is the chart's first month, so "highest" would be empty:
    assert "ch1_hashprice_peak_when" not in g  # the text compares the start with the end instead
    assert g["ch1_hashprice_start"] == pytest.approx(hp.iloc[0], rel=1e-9)
    assert g["ch1_hashprice_start_month"] == hp.index[0].strftime("%B %Y") == "January 2014"
    assert g["ch1_hashprice_fall_factor"] == pytest.approx(hp.max() / hp.iloc[-1], rel=1e-9)
    # The ratio is rounded to two significant figures, not printed as a falsely precise "8,008 times lower".
    ratio = hp.iloc[0] / hp.iloc[-1]
    assert g["ch1_hashprice_fraction_text"] == f"about 1/{float(f'{ratio:.2g}'):,.0f}" == "about 1/8,000"
    last = btc["date"].iloc[-1]
    partial = last.day < last.days_in_month
    assert g["ch1_hashprice_recent_month"] == last.strftime("%B %Y") + (f" (to {last:%-d %B})" if partial else "")
    assert g["ch1_fee_share_pct"] < 10


def test_hardware_list_is_dated_not_new(g, specs):
    asics = load("asic_efficiency_cbeci")
    assert g["ch1_asic_list_year"] == asics["released"].max().year == 2020
    assert g["ch1_asic_list_end"] == asics["released"].max().strftime("%B %Y")
    best = asics.loc[asics["efficiency_j_per_th"].idxmin()]
    assert g["ch1_new_model"] == best["model"] and g["ch1_new_released"] == best["released"].strftime("%B %Y")
    s9 = asics.set_index("model").loc["Bitmain Antminer S9 (11.5Th)", "released"]
    machines = {row["machine"] for data in specs["breakeven"]["datasets"].values() for row in data if "machine" in row}
    assert machines == {f"Antminer S9 ({s9.year})", f"Antminer S19 Pro ({best['released'].year})", "US industrial price"}
    import json
    assert "(new)" not in json.dumps(specs["breakeven"]) and "(old)" not in json.dumps(specs["breakeven"])


def test_break_even_comparisons_and_finding(g, btc):
    b = btc[btc["date"] >= "2014-01-01"]
    usd_per_th_day = ((b["issuance_usd"] + b["fees_usd_computed"]) / (b["hashrate_ehs"] * 1e6)).groupby(
        b["date"].dt.to_period("M")).mean()
    asics = load("asic_efficiency_cbeci").set_index("model")["efficiency_j_per_th"]
    kwh = lambda j: j * 86400 / 3.6e6  # noqa: E731
    s9 = usd_per_th_day / kwh(asics["Bitmain Antminer S9 (11.5Th)"])
    s19 = usd_per_th_day / kwh(asics["Bitmain Antminer S19 Pro (110Th)"])
    us = load("us_industrial_electricity_price").set_index("month")["price_usd_per_kwh"]
    us.index = us.index.to_period("M")
    jan = pd.Period("2022-01", "M")
    assert s19[jan] > s9[jan] > us[jan]                                    # "both above"
    assert s9.iloc[-1] < s9[jan] and s19.iloc[-1] < s19[jan]              # "had fallen"
    assert s19.iloc[-1] < us.iloc[-1]                                      # "even the S19 Pro would have lost money"
    assert g["ch1_breakeven_recent_month"] == s9.index[-1].strftime("%B %Y")
    assert g["ch1_us_power_last_month"] == us.index[-1].strftime("%B %Y")
    common = s9.index.intersection(us.index).max()
    assert g["ch1_common_month"] == common.strftime("%B %Y")
    assert g["ch1_breakeven_new_common"] == pytest.approx(s19[common], rel=1e-9)
    assert g["ch1_breakeven_old_common"] == pytest.approx(s9[common], rel=1e-9)
    assert g["ch1_us_power_common"] == us[common]
    finding = g["ch1_finding"]
    assert finding.startswith(f"In {common:%B %Y}, the latest month with both series")
    for number in (f"{s19[common]:.3f}", f"{s19[common] / us[common]:.1f} times", f"{us[common]:.4f}", f"{s9[common]:.3f}"):
        assert number in finding, number
    assert s9[common] < 0.5 * us[common] and "under half that price" in finding
    assert "upper bounds" in finding
    # The summary's short version: the S19 Pro's multiple of the US price and the S9's share of it.
    assert g["ch1_s19_vs_us_ratio"] == pytest.approx(s19[common] / us[common], rel=1e-9)
    assert g["ch1_old_vs_us"] == "under half that price"
    # The landing page's headline: short (at most 35 words) and true.
    headline = g["ch1_headline"]
    assert len(headline.split()) <= 35
    assert headline.startswith(f"In {common:%B %Y} ")
    for number in (f"{s19[common]:.3f}", f"{s9[common]:.3f}", f"{us[common]:.4f}"):
        assert number in headline, number


def test_exercise_answers(g, btc):
    labels = re.findall(r"^:label: (ch1-ex\d+)$", PAGE.read_text(), re.M)
    assert labels == [f"ch1-ex{k}" for k in range(1, len(labels) + 1)] and len(labels) == 4
    for k in range(1, len(labels) + 1):
        assert len(g[f"ch1_ex{k}_answer"]) > 40, k
    assert f"{2**18:,}" in g["ch1_ex1_answer"] and f"about {2**40 / 1e6 / 86400:.0f} days" in g["ch1_ex1_answer"]
    jan = btc[btc["date"].dt.strftime("%Y-%m") == "2022-01"]
    usd_per_th_day = ((jan["issuance_usd"] + jan["fees_usd_computed"]) / (jan["hashrate_ehs"] * 1e6)).mean()
    price, j_th = usd_per_th_day / (50 * 0.024), usd_per_th_day / (0.06 * 0.024)
    assert g["ch1_ex2_breakeven_price"] == pytest.approx(price, rel=1e-9) and price > 0.06
    assert g["ch1_ex2_breakeven_j_th"] == pytest.approx(j_th, rel=1e-9) and j_th > 2 * 50
    assert f"{price:.3f}" in g["ch1_ex2_answer"] and f"{j_th:.0f} J/TH" in g["ch1_ex2_answer"]
    w = btc.set_index("date").loc["2020-04-11":"2020-06-10"]
    rev = w["issuance_usd"] + w["fees_usd_computed"]
    hp = rev / w["hashrate_ehs"]
    pct = lambda s: 100 * (s["2020-05-12":].mean() / s[:"2020-05-10"].mean() - 1)  # noqa: E731
    assert -50 < pct(rev) < pct(hp) < 0 and pct(w["hashrate_ehs"]) < 0 and pct(w["fees_usd_computed"]) > 100
    for words in (f"fell by {-pct(rev):.0f}%", f"Hashprice fell by {-pct(hp):.0f}%", f"rose by {pct(w['price_usd']):.0f}%",
                  f"hash rate fell by {-pct(w['hashrate_ehs']):.0f}%"):
        assert words in g["ch1_ex4_answer"], words


def test_whats_next_map_facts(g):
    shares = load("cbeci_country_shares").query("country == 'China'").set_index("month")["share_pct"]
    assert g["ch1_china_share_start"] == shares.iloc[0] and g["ch1_map_start"] == shares.index[0].strftime("%B %Y")
    zero = shares.index[shares == 0]
    assert g["ch1_china_zero_months"] == "July and August 2021" and list(zero.strftime("%Y-%m")) == ["2021-07", "2021-08"]


def test_toy_table_scatter_is_explained(g):
    """Most ratios in the toy table are below 1: the page counts them and explains the scatter, from the hashes."""
    import hashlib

    def attempts(header, bits):
        nonce = 0
        while int(hashlib.sha256(f"{header}{nonce}".encode()).hexdigest(), 16) >= 2 ** (256 - bits):
            nonce += 1
        return nonce + 1

    table = pd.DataFrame({bits: [attempts(f"header {i}", bits) for i in range(40)] for bits in range(2, 15, 2)})
    ratios = (table.mean() / 2.0 ** table.columns.to_numpy()).round(2)
    below = ratios[ratios < 1]
    words = {5: "five", 6: "six", 7: "seven"}
    assert len(ratios) == 7 and len(below) == 5
    assert g["ch1_work_n_below_text"] == words[len(below)] and g["ch1_work_n_rows_text"] == words[len(ratios)]
    assert (g["ch1_work_ratio_min"], g["ch1_work_ratio_max"]) == pytest.approx((below.min(), below.max()))
    assert g["ch1_work_se_pct"] == pytest.approx(100 / np.sqrt(40)) and round(g["ch1_work_se_pct"]) == 16
    assert ((ratios - 1).abs() < 3 / np.sqrt(40)).all()  # all within three standard errors
    corr = np.log(table).corr().to_numpy()
    assert all(corr[i, i + 1] > 0 for i in range(len(corr) - 1))  # "neighbouring rows move together"
    text = PAGE.read_text()
    assert "ratios are below 1" in text and "±{glue:text}`ch1_work_se_pct:.0f`%" in text


def test_page_ends_on_its_answer_and_checks_moved_out():
    text = PAGE.read_text()
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-4:] == ["Cheap power decides", "Summary", "Exercises", "What's next"]
    # The data-quality checks live in the data appendix now, linked once each.
    assert text.count("{ref}`appendix-halvings`") == 1 and text.count("{ref}`appendix-retargets`") == 1
    for gone in ["halving_dates", "ch1_n_halvings", "ch1_halving_max_gap_days", "ch1_n_retargets", "ch1_fig_rule",
                 "ch1_rule_median_error_days", "ch1_rule_share_within_1day", "ch1_biggest_cut", "Does the rule hold"]:
        assert gone not in text, gone
    # Wrong or unguarded wordings that must not come back.
    for wrong in [r"4 July", r"\(new\)", r"\(old\)", r"blackout in Almaty", r"April 2021 \(the Xinjiang blackout\) and November 2018",
                  r"m\[m < 140\]", r"[Ee]xercise \{ref\}", r"Hashprice peaked", r"wherever power is cheapest",
                  r"more efficient still", r"Hash rate flows to the cheapest", r"\d+ day\(s\)",
                  # The editor's review: an overclaiming opening, the answer told three times, an empty superlative,
                  # a falsely precise ratio, a verbless fragment, an exercise pointing at printed output, long sentences.
                  r"tickets are cheapest where power is cheapest", r"comes back to one fact",
                  r"That is the chapter's answer", r"Hashprice was highest", r"times\s+lower",
                  r"ch1_hashprice_peak_when", r"Now the break-even price", r"The first number", r"The second,\s+\{glue",
                  r"It is \*inferred\*: if blocks", r"and scales the difficulty by the ratio \(capped"]:
        assert not re.search(wrong, text), wrong
    # Jargon: each listed term is linked once at least.
    for term in ["block", "nonce", "hash", "block header", "SHA-256", "proof of work", "hash rate", "difficulty",
                 "retarget", "EH/s", "halving", "block subsidy", "block reward", "hashprice", "J/TH", "CBECI", "pool",
                 "ASIC", "efficiency", "mining map"]:
        assert re.search(r"\{term\}`(%s|[^`]*<%s>)`" % (re.escape(term), re.escape(term)), text), term


def test_wrong_glued_wordings_do_not_return(g):
    texts = " ".join(v for v in g.values() if isinstance(v, str))
    for wrong in [r"times lower", r"a day; from the slowest", r"Hashprice was highest", r"the month the chart starts",
                  r"\(upper bounds, which leave out"]:
        assert not re.search(wrong, texts), wrong
