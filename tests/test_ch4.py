"""Chapter 4's glued numbers against an independent computation from data/."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from minebook import load
from notebooks import executed, glued

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
