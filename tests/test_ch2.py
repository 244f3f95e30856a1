"""Chapter 2's glued numbers against an independent computation from data/."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from minebook import load
from notebooks import spec_nodes, executed, glued

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def g():
    return glued(executed("ch2-china-exodus.md"))


@pytest.fixture(scope="module")
def shares():
    return load("cbeci_country_shares")


def share_of(shares, country, month):
    row = shares[(shares["country"] == country) & (shares["month"] == month)]
    return float(row["share_pct"].iloc[0])


def test_china_on_the_map(g, shares):
    ch = shares[shares["country"] == "China"].set_index("month")["share_pct"]
    assert g["ch2_china_peak"] == ch.max() == 75.53
    assert g["ch2_china_peak_month"] == "September 2019"
    assert g["ch2_china_april_2021"] == share_of(shares, "China", "2021-04-01")
    assert g["ch2_china_trough"] == 0
    assert g["ch2_china_zero_months"] == "July and August 2021"
    assert g["ch2_china_sep_2021"] == share_of(shares, "China", "2021-09-01") == 22.29
    de_ie = lambda m: share_of(shares, "Germany", m) + share_of(shares, "Ireland", m)  # noqa: E731
    assert g["ch2_de_ie_june_2021"] == pytest.approx(de_ie("2021-06-01"))
    assert g["ch2_de_ie_july_2021"] == pytest.approx(de_ie("2021-07-01"))


def test_hash_rate_fall_and_recovery(g):
    btc = load("btc_daily").set_index("date")
    h7 = btc["hashrate_ehs"].rolling(7).mean()["2021-01-01":"2021-12-31"]
    peak_day, trough_day = h7[:"2021-05-31"].idxmax(), h7["2021-05-15":"2021-08-31"].idxmin()
    assert g["ch2_peak_ehs"] == pytest.approx(h7[peak_day], rel=1e-12)
    assert g["ch2_trough_ehs"] == pytest.approx(h7[trough_day], rel=1e-12)
    assert g["ch2_fall_pct"] == pytest.approx(100 * (1 - h7[trough_day] / h7[peak_day]), rel=1e-9)
    back = h7[trough_day:][h7[trough_day:] >= h7[peak_day]].index[0]
    assert g["ch2_days_to_recover"] == (back - trough_day).days
    assert g["ch2_weeks_statement_to_trough"] == pytest.approx((trough_day - pd.Timestamp("2021-05-21")).days / 7)
    assert 40 < g["ch2_fall_pct"] < 65


def test_slow_blocks(g):
    b = load("btc_daily").set_index("date")["blocks"]["2021-06-01":"2021-07-31"]
    assert g["ch2_min_blocks"] == b.min() == 58
    assert g["ch2_min_blocks_date"] == "27 June"
    assert g["ch2_slowest_interval"] == pytest.approx(1440 / 58)
    late = b["2021-06-19":"2021-07-02"]
    assert g["ch2_late_june_interval"] == pytest.approx(1440 * len(late) / late.sum())


def test_difficulty_cuts(g):
    d = load("btc_difficulty_daily")
    v = d["difficulty"].to_numpy()
    same_next = np.r_[np.isclose(v[:-1], v[1:], rtol=1e-9, atol=0), False]
    new_value = np.r_[True, ~np.isclose(v[1:], v[:-1], rtol=1e-9, atol=0)]
    starts = d[same_next & new_value].reset_index(drop=True)
    change = 100 * (starts["difficulty"] / starts["difficulty"].shift() - 1)
    worst = change.idxmin()
    assert g["ch2_largest_cut_pct"] == pytest.approx(-change[worst], abs=1e-9)
    assert g["ch2_largest_cut_date"] == starts["date"][worst].strftime("%-d %B %Y") == "4 July 2021"
    since_2012 = change[starts["date"] >= "2012-01-01"].nsmallest(10)
    assert g["ch2_cuts_2021_in_top10"] == int((starts["date"][since_2012.index].dt.year == 2021).sum())
    raw_step = (d.set_index("date")["difficulty"].pct_change() * 100)["2021-06-25":"2021-07-10"].min()
    assert g["ch2_largest_daily_mean_drop_pct"] == pytest.approx(-raw_step, abs=1e-9)
    assert g["ch2_largest_daily_mean_drop_pct"] < g["ch2_largest_cut_pct"]


def test_price_drawdown_and_timing(g):
    btc = load("btc_daily").set_index("date")
    price = btc["price_usd"]
    peak_day = price["2021-04-01":"2021-04-30"].idxmax()
    low_day = price[peak_day:"2021-07-31"].iloc[1:].idxmin()
    assert g["ch2_price_peak"] == pytest.approx(price[peak_day])
    assert g["ch2_price_low"] == pytest.approx(price[low_day])
    assert g["ch2_price_drawdown_pct"] == pytest.approx(100 * (1 - price[low_day] / price[peak_day]))
    done = (price[peak_day] - price["2021-05-31"]) / (price[peak_day] - price[low_day])
    assert g["ch2_price_fall_done_by_june_pct"] == pytest.approx(100 * done)
    assert g["ch2_price_fall_done_by_june_pct"] > g["ch2_hash_fall_done_by_june_pct"]


def test_seasons(g, shares):
    ch = shares[shares["country"] == "China"].set_index("month")["share_pct"]
    dry1, wet, dry2 = ch["2019-11-01":"2020-04-01"].mean(), ch["2020-05-01":"2020-10-01"].mean(), ch["2020-11-01":"2021-04-01"].mean()
    assert (g["ch2_dry_before"], g["ch2_wet_2020"], g["ch2_dry_after"]) == pytest.approx((dry1, wet, dry2))
    assert g["ch2_wet_vs_trend"] == pytest.approx(wet - (dry1 + dry2) / 2)


def test_the_geolocation_twist(g, shares):
    ehs = shares.pivot(index="month", columns="country", values="hashrate_ehs")
    change = ehs.loc["2021-09-01"] - ehs.loc["2021-08-01"]
    assert g["ch2_china_sep_ehs"] == ehs.loc["2021-09-01", "China"]
    assert g["ch2_others_lost_ehs"] == pytest.approx(-change.drop("China")[change.drop("China") < 0].sum())
    assert g["ch2_us_change_ehs"] == pytest.approx(change["United States"]) and g["ch2_us_change_ehs"] < 0


@pytest.fixture(scope="module")
def specs():
    from notebooks import chart_specs

    return chart_specs(executed("ch2-china-exodus.md"))


def test_charts_read_at_every_width(specs):
    assert len(specs) == 8
    for spec in specs:
        title = spec["title"]["text"]
        assert spec.get("width") == "container", title  # single and layered charts fill their column
        assert spec["usermeta"]["datasets"], title  # the CSV download names the data and their licences
        for text in (title, spec["description"]):
            assert not re.search(r"(?<![A-Za-z])-\d", text), text  # negative numbers take a true minus sign
        for node in spec_nodes({key: value for key, value in spec.items() if key != "config"}):
            assert "labelAngle" not in node, title
            assert node.get("fontSize", 11) >= 11, title


def test_chart_colours_and_event_labels(specs):
    from minebook.charts import EVENT, HASHRATE, PRICE

    by_title = {s["title"]["text"]: s for s in specs}
    daily = next(s for t, s in by_title.items() if "Beijing's statement" in t)
    labels = [layer for layer in daily["layer"] if layer["mark"]["type"] == "text"]
    assert labels and all(layer["encoding"]["text"]["field"] == "label" for layer in labels)
    assert all(layer["mark"]["color"] == EVENT for layer in labels)
    shown = sorted(row["label"] for layer in labels for row in daily["datasets"][layer["data"]["name"]])
    assert shown == ["Crackdown call", "Mining ban", "Sichuan cut-off"]
    assert daily["usermeta"]["datasets"] == ["btc_daily", "events"]
    price = by_title["The price fell first, in May; the hash rate fell after, in June"]
    scale = price["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {"Price (USD)": PRICE, "Hash rate (7-day mean)": HASHRATE}


def test_computed_titles(specs):
    titles = [s["title"]["text"] for s in specs]
    assert titles[0] == ("China mined over half the world's bitcoin until February 2021, led until June, "
                         "then vanished from the map for two months")
    assert titles[2] == "Within 6 weeks of Beijing's statement the network lost 53% of its hash rate"
    assert titles[5] == "The cut of July 2021, \u221227.9%, is the largest in the record"
