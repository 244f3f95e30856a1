"""Chapter 3's glued numbers against an independent computation from data/.

The block-rate figures are recomputed here with scipy's Poisson and binomial machinery directly,
not with minebook.blockrate, so an error in either would show as a mismatch."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from minebook import load
from notebooks import executed, glued

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
