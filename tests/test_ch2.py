"""Chapter 2's glued numbers against an independent computation from data/."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from minebook import load
from notebooks import BOOK, spec_nodes, executed, glued

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
    # Spring 2021: nearly half, not most (46.0% in April, 44.0% in May).
    assert g["ch2_china_may_2021"] == share_of(shares, "China", "2021-05-01") == 43.98
    assert max(share_of(shares, "China", "2021-04-01"), share_of(shares, "China", "2021-05-01")) < 50
    assert g["ch2_china_spring_word"] == "nearly half"
    # China's own hash rate barely moved before the ban; its share slid because the rest grew.
    ehs = shares.pivot(index="month", columns="country", values="hashrate_ehs")
    assert g["ch2_china_ehs_first"] == ehs["China"].iloc[0]
    assert g["ch2_china_ehs_apr21"] == ehs.loc["2021-04-01", "China"]
    assert abs(g["ch2_china_ehs_apr21"] / g["ch2_china_ehs_first"] - 1) < 0.15
    gains = (ehs.loc["2021-04-01"] - ehs.iloc[0]).drop("China")
    assert gains.idxmax() == "United States"
    assert g["ch2_map_total_first"] == pytest.approx(ehs.iloc[0].sum())
    assert g["ch2_map_total_last"] == pytest.approx(ehs.iloc[-1].sum())
    assert g["ch2_map_total_last"] > g["ch2_map_total_first"]
    assert (g["ch2_map_first_month"], g["ch2_map_last_month"]) == ("September 2019", "January 2022")


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
    # The spring peak came before the statement of 21 May: say so, and measure from the statement too.
    assert peak_day < pd.Timestamp("2021-05-21") < trough_day
    assert g["ch2_peak_days_before_statement"] == f"{(pd.Timestamp('2021-05-21') - peak_day).days} days" == "8 days"
    assert g["ch2_weeks_peak_to_trough_text"] == f"{round((trough_day - peak_day).days / 7)} weeks"
    eve = h7[pd.Timestamp("2021-05-20")]
    assert g["ch2_hash_on_eve_ehs"] == pytest.approx(eve)
    assert g["ch2_hash_fall_from_statement_pct"] == pytest.approx(100 * (1 - h7[trough_day] / eve))
    assert g["ch2_hash_fall_from_statement_pct"] < g["ch2_fall_pct"]


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
    # The plateau starts on 4 July, but 3 July (UTC) is the blend day: its mean lies strictly between the two values.
    first_full = starts["date"][worst]
    assert g["ch2_largest_cut_first_full_day"] == first_full.strftime("%-d %B %Y") == "4 July 2021"
    series = d.set_index("date")["difficulty"]
    blend_day = first_full - pd.Timedelta(days=1)
    old, new, blend = starts["difficulty"][worst - 1], starts["difficulty"][worst], series[blend_day]
    assert new < blend < old
    assert g["ch2_largest_cut_date"] == blend_day.strftime("%-d %B %Y") == "3 July 2021"
    assert g["ch2_ex3_share_new_pct"] == pytest.approx(100 * (old - blend) / (old - new))
    assert 50 < g["ch2_ex3_share_new_pct"] < 100
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
    # One number for one thing: the two-month fall (the article's window), the drawdown, the fall from the statement.
    two_months = price[peak_day:peak_day + pd.DateOffset(months=2)]
    assert g["ch2_price_two_month_pct"] == pytest.approx(100 * (1 - two_months.min() / price[peak_day]))
    assert 45 < g["ch2_price_two_month_pct"] < 50 and g["ch2_price_two_month_word"] == "nearly half"
    assert g["ch2_price_two_month_low_date"] == two_months.idxmin().strftime("%-d %B") == "8 June"
    eve = price[pd.Timestamp("2021-05-20")]
    assert g["ch2_price_eve"] == pytest.approx(eve)
    assert g["ch2_price_from_statement_pct"] == pytest.approx(100 * (1 - price[low_day] / eve))
    before = (price[peak_day] - eve) / (price[peak_day] - price[low_day])
    assert g["ch2_price_before_statement_pct"] == pytest.approx(100 * before)
    assert 60 < g["ch2_price_before_statement_pct"] < 72  # "about two thirds"
    assert g["ch2_price_two_month_pct"] < g["ch2_price_drawdown_pct"]


def test_seasons(g, shares):
    ch = shares[shares["country"] == "China"].set_index("month")["share_pct"]
    dry1, wet, dry2 = ch["2019-11-01":"2020-04-01"].mean(), ch["2020-05-01":"2020-10-01"].mean(), ch["2020-11-01":"2021-04-01"].mean()
    assert (g["ch2_dry_before"], g["ch2_wet_2020"], g["ch2_dry_after"]) == pytest.approx((dry1, wet, dry2))
    assert g["ch2_wet_vs_trend"] == pytest.approx(abs(wet - (dry1 + dry2) / 2))
    assert g["ch2_wet_vs_trend_side"] == ("above" if wet > (dry1 + dry2) / 2 else "below")


def test_the_geolocation_twist(g, shares):
    ehs = shares.pivot(index="month", columns="country", values="hashrate_ehs")
    change = ehs.loc["2021-09-01"] - ehs.loc["2021-08-01"]
    assert g["ch2_china_sep_ehs"] == ehs.loc["2021-09-01", "China"]
    assert g["ch2_others_lost_ehs"] == pytest.approx(-change.drop("China")[change.drop("China") < 0].sum())
    assert g["ch2_us_change_ehs"] == pytest.approx(change["United States"]) and g["ch2_us_change_ehs"] < 0
    # A net change is net: the losers' sum is not what the rest of the world lost.
    assert g["ch2_others_net_ehs"] == pytest.approx(change.drop("China").sum())
    assert g["ch2_others_net_ehs"] < 0
    assert -g["ch2_others_net_ehs"] < g["ch2_others_lost_ehs"]
    assert g["ch2_others_gainers"] == "Kazakhstan and Malaysia"
    assert g["ch2_others_losers"].startswith("the United States, Russia")


@pytest.fixture(scope="module")
def specs():
    from notebooks import chart_specs

    return chart_specs(executed("ch2-china-exodus.md"))


def test_charts_read_at_every_width(specs):
    assert len(specs) == 9
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
    assert titles[0] == ("On the map China had over half of the world's hash rate until February 2021, led until June, "
                         "then read zero for two months")
    assert titles[1] == "China's mining power collapsed in mid-2021; the United States' ended the map at its highest"
    assert titles[2] == "The network's hash rate fell 53% from its spring peak to a low 6 weeks after Beijing's statement"
    assert titles[5] == "The cut of July 2021, \u221227.9%, is the largest since the record begins in 2009"
    assert titles[7] == "The United States gained 34 of the 54 points of world hash rate that China lost on the map"
    assert titles[8] == "When China reappeared on the map, the rest of the world lost 15 EH/s, net, in a month"
    descriptions = " ".join(s["description"] for s in specs)
    assert "3 July 2021" in descriptions and "4 July" not in descriptions


def test_why_the_united_states(g, shares):
    share = shares.pivot(index="month", columns="country", values="share_pct")
    first, last = share.iloc[0], share.iloc[-1]
    assert g["ch2_us_first_pct"] == first["United States"] == 4.06
    assert g["ch2_us_last_pct"] == last["United States"] == 37.84
    assert g["ch2_kz_gain_pts"] == pytest.approx(last["Kazakhstan"] - first["Kazakhstan"])
    assert round(g["ch2_kz_gain_pts"], 1) == 11.8
    assert g["ch2_china_loss_pts"] == pytest.approx(first["China"] - last["China"])
    assert g["ch2_us_gain_pts"] == pytest.approx(last["United States"] - first["United States"])
    assert g["ch2_us_share_of_china_loss_pct"] == pytest.approx(100 * g["ch2_us_gain_pts"] / g["ch2_china_loss_pts"])
    assert g["ch2_us_share_of_china_loss_pct"] > 50
    assert (last - first).idxmax() == "United States"
    assert g["ch2_us_gain_before_pts"] + g["ch2_us_gain_after_pts"] == pytest.approx(g["ch2_us_gain_pts"])
    # Was American power cheap enough? Break-even from the hashprice (Chapter 1's formula), June 2021 to January 2022.
    btc = load("btc_daily").set_index("date")
    per_th_day = ((btc["issuance_usd"] + btc["fees_usd_computed"]) / (btc["hashrate_ehs"] * 1e6)).resample("MS").mean()
    price = load("us_industrial_electricity_price").set_index("month")["price_usd_per_kwh"]
    months = pd.date_range("2021-06-01", "2022-01-01", freq="MS")
    s19 = per_th_day[months] / (0.024 * 29.55)
    s9 = per_th_day[months] / (0.024 * 98)
    assert g["ch2_n_power_months"] == "8 months"
    assert g["ch2_s19_ratio_min"] == pytest.approx((s19 / price[months]).min())
    assert g["ch2_s19_ratio_max"] == pytest.approx((s19 / price[months]).max())
    assert (s9 / price[months]).min() > 1 and g["ch2_s9_ratio_min"] == pytest.approx((s9 / price[months]).min())
    assert g["ch2_us_price_min_cents"] == pytest.approx(100 * price[months].min())
    assert g["ch2_hashprice_aug21"] > g["ch2_hashprice_jun21"]
    assert g["ch2_ex5_limit_j_th"] == pytest.approx((per_th_day[months] / (0.024 * price[months])).min())
    # The size of the grid: CBECI's model split by the map's shares, against national consumption.
    cbeci = load("cbeci_consumption").set_index("date")["consumption_twh_per_year"]["2022-01-01":"2022-01-31"].mean()
    national = load("electricity_consumption_countries").set_index("country")["consumption_twh_per_year"]
    us_pct = 100 * cbeci * last["United States"] / 100 / national["United States"]
    kz_pct = 100 * cbeci * last["Kazakhstan"] / 100 / national["Kazakhstan"]
    assert g["ch2_us_mining_pct"] == pytest.approx(us_pct) and g["ch2_kz_mining_pct"] == pytest.approx(kz_pct)
    assert kz_pct > 5 * us_pct
    rep = load("reported_figures").set_index("figure")["value"]
    low, high = rep["eia_us_crypto_electricity_low"], rep["eia_us_crypto_electricity_high"]
    assert g["ch2_vs_eia"] == ("inside" if low <= us_pct <= high else "below" if us_pct < low else "above")


def test_reported_figures_rows():
    rep = load("reported_figures").set_index("figure")
    expected = {"eia_ercot_large_flexible_load_2025": 54, "eia_ercot_large_flexible_load_share_2025": 10,
                "eia_ercot_large_flexible_load_threshold": 75, "riot_ercot_credits_aug_2023": 31.7,
                "ccaf_survey_us_share": 75.4, "ccaf_survey_firms": 49}
    for figure, value in expected.items():
        assert rep.loc[figure, "value"] == value, figure
        assert rep.loc[figure, "source_url"].startswith("https://"), figure
    assert "not of the world" in rep.loc["ccaf_survey_us_share", "what"]


def test_findings_and_answers_for_the_lead(g, shares):
    share = shares.pivot(index="month", columns="country", values="share_pct")
    finding = g["ch2_finding"]
    assert "76% when the map begins (September 2019) to 46% in April 2021" in finding
    assert "zero for July and August 2021" in finding and "21% in January 2022" in finding and "IP address" in finding
    us = g["ch2_us_finding"]
    assert f"{share['United States'].iloc[0]:.1f}% in September 2019 to {share['United States'].iloc[-1]:.1f}%" in us
    assert "Kazakhstan gained 11.8 points" in us and "stops in January 2022" in us
    answer = g["ch2_answer_price"]
    assert answer.startswith("Nearly:") and "47% within two months" in answer and "53% to its low" in answer
    assert "67% of that peak-to-low fall came before" in answer
    labels = re.findall(r":label: (ch2-ex\d+)", (BOOK / "ch2-china-exodus.md").read_text())
    assert labels == [f"ch2-ex{k}" for k in range(1, len(labels) + 1)] and len(labels) == 5
    for k in range(1, len(labels) + 1):
        assert len(g[f"ch2_ex{k}_answer"]) > 60, k
    assert "3 July 2021" in g["ch2_ex3_answer"] and "81%" in g["ch2_ex3_answer"]
    assert "53.1%" in g["ch2_ex1_answer"] and "42.6%" in g["ch2_ex1_answer"]
    assert "July 2021, the first month China reads zero" in g["ch2_ex2_answer"]


def prose(text):
    """The page without its code cells."""
    return re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)


def test_opening_and_recovery_say_which_span(g):
    """The call came after the peak: the fall is measured from the call (and from the peak), the recovery from both."""
    btc = load("btc_daily").set_index("date")
    h7 = btc["hashrate_ehs"].rolling(7).mean()["2021-01-01":"2021-12-31"]
    peak_day, trough_day = h7[:"2021-05-31"].idxmax(), h7["2021-05-15":"2021-08-31"].idxmin()
    events = load("events")
    call = events.loc[events["event"].str.contains("State Council"), "date"].iloc[0]
    assert call == pd.Timestamp("2021-05-21") and peak_day < call < trough_day
    assert g["ch2_statement_date"] == "21 May"
    days = (trough_day - call).days
    assert days == 42 and g["ch2_weeks_statement_to_trough_text"] == "six weeks"
    assert round(g["ch2_hash_fall_from_statement_pct"]) == round(100 * (1 - h7[trough_day] / h7[call - pd.Timedelta(days=1)])) == 44
    back = h7[trough_day:][h7[trough_day:] >= h7[peak_day]].index[0]
    assert g["ch2_days_to_recover"] == (back - trough_day).days == 160
    assert g["ch2_days_peak_to_recover"] == (back - peak_day).days == 210
    text = prose((BOOK / "ch2-china-exodus.md").read_text())
    opening = text.split("## How dominant")[0]
    assert opening.index("ch2_statement_date") < opening.index("ch2_hash_fall_from_statement_pct") < opening.index("ch2_fall_pct")
    assert "{glue:text}`ch2_days_to_recover` days after the low" in text
    assert "{glue:text}`ch2_days_peak_to_recover` after the peak" in text
    # The State Council is glossed where it first appears in the prose.
    first = text.index("State Council")
    assert text[first:first + 40].startswith("State Council (China's cabinet)")


def test_cheap_enough_for_how_many_machines(g):
    btc = load("btc_daily").set_index("date")
    per_th_day = ((btc["issuance_usd"] + btc["fees_usd_computed"]) / (btc["hashrate_ehs"] * 1e6)).resample("MS").mean()
    price = load("us_industrial_electricity_price").set_index("month")["price_usd_per_kwh"]
    months = pd.date_range("2021-06-01", "2022-01-01", freq="MS")
    limit = (per_th_day[months] / (0.024 * price[months])).min()
    asics = load("asic_efficiency_cbeci").set_index("model")["efficiency_j_per_th"]
    n_pass = int((asics <= limit).sum())
    assert (n_pass, len(asics)) == (70, 84) and asics["Bitmain Antminer S9 (11.5Th)"] <= limit < asics.max()
    assert g["ch2_us_cheap_enough"] == f"{n_pass} of the {len(asics)} models in CBECI's hardware list, the S9 among them"
    assert (g["ch2_ex5_n_models"], g["ch2_ex5_n_list"]) == (n_pass, len(asics))
    text = " ".join((BOOK / "ch2-china-exodus.md").read_text().split())
    assert text.count("cheap enough for {glue:text}`ch2_us_cheap_enough`") == 3  # US section twice, summary once


def test_every_gainer_since_april_is_named(g, shares):
    share = shares.pivot(index="month", columns="country", values="share_pct")
    hundredths = ((share.loc["2022-01-01"] - share.loc["2021-04-01"]) * 100).round().astype(int)
    gainers = hundredths[hundredths > 0].sort_values(ascending=False, kind="stable")
    assert list(gainers.index) == ["United States", "Kazakhstan", "Canada", "Other", "Germany"]
    text = g["ch2_destinations"]
    names = {"United States": "the United States", "Other": "the map's \"Other\" group"}
    positions = [text.index(names.get(c, c)) for c in gainers.index]
    assert positions == sorted(positions)
    for country, h in gainers.items():
        tenths = (h + 5) // 10  # half up: Germany's 3.06 - 2.81 is +0.3
        assert f"{names.get(country, country)} (+{tenths / 10:.1f}" in text, country
    assert "Germany (+0.3)" in text and text.startswith("the United States (+21.0 points)")


def test_where_the_hash_rate_went(g, shares):
    share = shares.pivot(index="month", columns="country", values="share_pct")
    change = (share.iloc[-1] - share.iloc[0]).sort_values(ascending=False)
    assert list(change.index[:2]) == ["United States", "Kazakhstan"] and g["ch2_kz_gain_rank"] == "second-largest"
    assert round(change["United States"], 1) == 33.8 and round(100 * change["United States"] / -change["China"]) == 62
    text = prose((BOOK / "ch2-china-exodus.md").read_text())
    ending = text.split("## Summary")[0].rsplit("So where did the hash rate go?", 1)
    assert len(ending) == 2
    for key in ("ch2_us_gain_pts", "ch2_us_share_of_china_loss_pct", "ch2_china_loss_pts", "ch2_kz_gain_pts", "ch2_kz_gain_rank"):
        assert key in ending[1], key
    assert g["ch2_cuts_2021_in_top10_text"] == "three" and g["ch2_cuts_2021_in_top10"] == 3


def test_one_precision_for_china_and_eia_not_independent():
    text = prose((BOOK / "ch2-china-exodus.md").read_text())
    for key in ("ch2_china_peak", "ch2_china_april_2021", "ch2_us_last_pct", "ch2_china_jan_2022"):
        formats = set(re.findall(r"\{glue:text\}`%s:([^`]*)`" % key, text))
        assert formats == {".1f"}, (key, formats)
    eia = text.split("Energy Information Administration", 1)[1].split("What the data cannot show", 1)[0]
    for words in ("not independent", "top-down", "bottom-up", "Cambridge index", "individual mining facilities"):
        assert words in " ".join(eia.split()), words


WRONG = [  # wordings that the data contradict; they must never come back
    r"most of the world's bitcoin was mined in China",
    r"took effect on 4 July",
    r"(three|several) independent records",
    r"United States' kept growing",
    r"which kept growing",
    r"humming in Texas",
    r"fell with the State Council statement",
    r"Within \d+ weeks of Beijing's statement the network lost",
    r"to the United States, Kazakhstan and Russia",
    # The editor's review of the story pages:
    r"cheap enough for every machine",
    r"Chapter 1 used the same trick",
    r"estimating from both ends",
    r"numbers suggest that the\s+scarce thing",
    r"vanished for two months",
    r"China vanished",
    r"ch2_cuts_2021_in_top10` of the ten",
    r"rose, net, in the United States, Kazakhstan and Canada",
    r"the United States, Kazakhstan and Canada,",
    r"weeks_peak_to_trough_text`, from its spring peak",
    r"It took \{glue:text\}`ch2_days_to_recover` days, until",
    r"ch2_china_peak:\.0f",
]


def test_wrong_wordings_do_not_return(g):
    text = (BOOK / "ch2-china-exodus.md").read_text() + " ".join(v for v in g.values() if isinstance(v, str))
    for pattern in WRONG:
        assert not re.search(pattern, text, flags=re.IGNORECASE), pattern
