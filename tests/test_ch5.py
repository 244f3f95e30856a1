"""Chapter 5's glued numbers against an independent computation from the CSV files in data/, and the words
that depend on the data against what the data say."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from notebooks import ROOT, chart_specs, executed, glued

pytestmark = pytest.mark.slow
DATA = ROOT / "data"


def csv(name: str, date: str = "date") -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", parse_dates=[date]).set_index(date)


@pytest.fixture(scope="module")
def nb():
    return executed("ch5-after-the-blackout.md")


@pytest.fixture(scope="module")
def g(nb):
    return glued(nb)


@pytest.fixture(scope="module")
def btc():
    return csv("btc_daily")


def test_the_network_grew_as_the_chain_says(g, btc):
    hr = btc["hashrate_ehs"]
    jan22 = hr["2022-01-01":"2022-01-31"].mean()
    last30 = hr.iloc[-30:].mean()
    assert g["ch5_hr_blackout"] == pytest.approx(jan22)
    assert g["ch5_span_days"] == 30 and g["ch5_hr_latest"] == pytest.approx(last30)
    assert g["ch5_growth_factor"] == pytest.approx(last30 / jan22)
    assert g["ch5_hr_growth_text"] == f"grew to {last30 / jan22:.1f} times"
    assert g["ch5_last_day"] == f"{hr.index.max():%-d %B %Y}" == "22 March 2026"
    d = csv("bc_difficulty_points")["difficulty"] * 2**32 / 600 / 1e18
    assert g["ch5_diff_growth"] == pytest.approx(d.iloc[-1] / d["2022-01-01":"2022-01-31"].mean())
    assert g["ch5_diff_last_day"] == f"{d.index.max():%-d %B %Y}"


def test_miners_pay_across_the_halving(g, btc):
    halving = pd.Timestamp("2024-04-20")
    before = btc[halving - pd.Timedelta(days=30):halving - pd.Timedelta(days=1)]
    after = btc[halving + pd.Timedelta(days=1):halving + pd.Timedelta(days=30)]
    assert len(before) == len(after) == 30
    assert g["ch5_subsidy_before"] == pytest.approx(before["issuance_btc"].mean())
    assert g["ch5_subsidy_after"] == pytest.approx(after["issuance_btc"].mean())
    assert g["ch5_subsidy_after"] / g["ch5_subsidy_before"] == pytest.approx(0.5, abs=0.05)
    day = btc.loc[halving]
    assert g["ch5_halving_day_fee_share"] == pytest.approx(100 * day["fees_btc"] / (day["fees_btc"] + day["issuance_btc"]))
    share = (btc["fees_btc"] / (btc["fees_btc"] + btc["issuance_btc"]))["2022":]
    assert (g["ch5_halving_day_rank_text"] == "the largest share of any day since 2022") == (share.idxmax() == halving)
    usd = (btc["issuance_usd"] + btc["price_usd"] * btc["fees_btc"]) / (btc["hashrate_ehs"] * 1000)
    hp_b, hp_a = usd[before.index].mean(), usd[after.index].mean()
    assert g["ch5_hp_before"] == pytest.approx(hp_b, rel=1e-6) and g["ch5_hp_after"] == pytest.approx(hp_a, rel=1e-6)
    assert g["ch5_hp_halving_text"] == f"{'fell' if hp_a < hp_b else 'rose'} {abs(100 * (hp_a / hp_b - 1)):.0f}%"
    assert g["ch5_hp_latest"] == pytest.approx(usd.iloc[-30:].mean(), rel=1e-6)
    monthly = btc["2022":].resample("MS").agg({"issuance_usd": "mean", "fees_btc": "size"})
    full = [m for m, n in monthly["fees_btc"].items() if n == m.days_in_month]
    fees = (btc["price_usd"] * btc["fees_btc"])["2022":].resample("MS").mean()[full]
    iss = btc["issuance_usd"]["2022":].resample("MS").mean()[full]
    assert g["ch5_fees_pct_of_pay"] == pytest.approx(100 * fees.sum() / (fees.sum() + iss.sum()), rel=1e-6)


def test_the_price_and_the_nasdaq_by_year(g, btc):
    price = btc["price_usd"].dropna()
    nq = csv("fred_nasdaqcom")["nasdaq_composite"].dropna()
    both = np.log(pd.DataFrame({"b": price.reindex(nq.index), "n": nq})).diff().dropna()
    by_year = both.groupby(both.index.year).apply(lambda r: r["b"].corr(r["n"]))
    assert g["ch5_corr_top_year"] == str(by_year.idxmax()) and g["ch5_corr_top"] == pytest.approx(by_year.max())
    assert g["ch5_corr_after_etf_text"] == " and ".join(f"{by_year[y]:.2f} in {y}" for y in (2024, 2025))
    assert g["ch5_price_low_month"] == f"{price['2022':'2023'].idxmin():%B %Y}"
    assert g["ch5_price_high"] == pytest.approx(price.max())
    sp = csv("fred_sp500")["sp500"]
    usd = csv("fred_dtwexbgs")["dollar_index"]
    ten = csv("fred_dgs10")["yield_10y_pct"]
    every = pd.DataFrame({"b": price.reindex(nq.index), "n": nq, "s": sp.reindex(nq.index),
                          "d": usd.reindex(nq.index), "y": ten.reindex(nq.index)})
    rets = pd.DataFrame({"b": np.log(every["b"]).diff(), "s": np.log(every["s"]).diff(),
                         "d": np.log(every["d"]).diff(), "y": every["y"].diff()}).dropna(subset=["b"])
    def strongest(col):
        years = {y: r["b"].corr(r[col]) for y, r in rets.groupby(rets.index.year) if r[["b", col]].dropna().shape[0] >= 200}
        return max(years, key=lambda y: abs(years[y])), years
    (sp_year, _), (y_year, _), (d_year, d_years) = strongest("s"), strongest("y"), strongest("d")
    assert g["ch5_markets_text"].startswith(f"With the S&P 500 the link was strongest in {sp_year}, with daily changes "
                                            f"in the 10-year yield in {y_year}")
    assert g["ch5_markets_text"].endswith(f"in {d_year}.")
    assert ("in every year" in g["ch5_markets_text"]) == all(v < 0 for v in d_years.values())
    dff = csv("fred_dff")["fed_funds_pct"]
    assert g["ch5_ff_top"] == dff.max() and g["ch5_ff_last"] == dff.iloc[-1]
    assert g["ch5_ff_last_day"] == f"{dff.index.max():%-d %B %Y}"


def test_kazakhstan_is_reported_not_measured(g, nb):
    rep = pd.read_csv(DATA / "reported_figures.csv").set_index("figure")["value"]
    assert g["ch5_kz_est_2023"] == rep["hashrate_index_kz_share_2023"]
    assert g["ch5_kz_mw_2023"] == rep["hashrate_index_kz_mw_2023"]
    shares = pd.read_csv(DATA / "cbeci_country_shares.csv", parse_dates=["month"])
    kz = shares[shares["country"] == "Kazakhstan"].set_index("month")["share_pct"]
    assert g["ch5_kz_map_peak"] == kz.max() and g["ch5_kz_map_peak_month"] == f"{kz.idxmax():%B %Y}"
    last = shares[shares["month"] == shares["month"].max()].set_index("country")["share_pct"].drop("Other")
    assert g["ch5_us_last"] == last.max() and last.idxmax() == "United States"
    # The table of reported steps lists every Kazakh row of the cited table from 2022 on, outside the
    # protests and the shutdown (Chapter 3's subject), each linked to its source.
    events = pd.read_csv(DATA / "events.csv", parse_dates=["date"])
    kz_rows = events[(events["place"] == "Kazakhstan") & (events["date"] >= "2022-01-01")
                     & ~events["date"].between("2022-01-02", "2022-01-10")]
    html = "".join(o["data"].get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
                   if "Kazakhstan after the blackout, as reported" in o.get("data", {}).get("text/html", ""))
    assert len(kz_rows) >= 5 and html.count("<tr") == len(kz_rows) + 1
    for url in kz_rows["source_url"]:
        assert f'href="{url}"' in html


def test_the_data_note_gives_the_last_day_of_every_data_set_the_page_reads(g):
    package = {r["name"]: r for r in json.loads((DATA / "datapackage.json").read_text())["resources"]}
    note = g["ch5_data_note"]
    for name in ("btc_daily", "bc_difficulty_points", "fred_nasdaqcom", "fred_dff"):
        end = pd.Timestamp(package[name]["temporal"]["end"])
        publisher = package[name]["sources"][0]["title"].split(",")[0]
        title = package[name]["title"].removesuffix(f" ({publisher})")
        assert f"{publisher}: {title}, to {end:%-d %b %Y}" in note, name
    assert "Bitcoin mining map: share of hash rate by country, to Jan 2022" in note
    for chapter in ("ch1-how-mining-works", "ch2-china-exodus", "ch3-kazakhstan", "ch4-what-moves-the-price"):
        assert "Coin Metrics: Bitcoin network and market, daily, to 22 Mar 2026" in glued(executed(f"{chapter}.md"))[
            f"ch{chapter[2]}_data_note"], chapter


def test_every_line_that_ends_says_where(nb):
    specs = {s["title"]["text"]: s for s in chart_specs(nb)}
    assert len(specs) == 4
    network = next(s for t, s in specs.items() if t.startswith("The network"))
    labels = [d for d in json.dumps(network).split('"') if d.startswith("to ") and d[3:4].isdigit()]
    assert sorted(set(labels)) == ["to 1 Jan 2026", "to 22 Mar 2026"]
    for spec in specs.values():
        assert spec["usermeta"]["source"].startswith("Source: ") and spec["description"]
