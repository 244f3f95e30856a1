"""The data appendix: what each data set covers, the event and reported-figure tables with their links, each
caveat once, and the three checks on the data (halvings, retargets, price sources) moved here from Chapters 1
and 4, against an independent computation from data/."""
from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

from minebook import load
from minebook.data import package
from notebooks import BOOK, chart_specs, executed, glued

pytestmark = pytest.mark.slow
PAGE_NAME = "appendix-data.md"
PAGE = BOOK / PAGE_NAME


@pytest.fixture(scope="module")
def nb():
    return executed(PAGE_NAME)


@pytest.fixture(scope="module")
def g(nb):
    return glued(nb)


@pytest.fixture(scope="module")
def btc():
    return load("btc_daily")


def reader_tables(nb) -> dict[str, str]:
    """Every reader table the page shows, by caption."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            h = out.get("data", {}).get("text/html", "")
            if "scrapbook" not in out.get("metadata", {}) and 'class="minebook-table"' in h:
                for caption, body in re.findall(r'<p class="minebook-table-caption">(.*?)</p>(.*?)</table>', h, re.S):
                    found[html.unescape(caption)] = body
    return found


def rows(body: str) -> list[list[str]]:
    """The cells of a table body, as HTML (links kept)."""
    tbody = body.split("<tbody>", 1)[1]
    return [[c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)]


def text_of(nb) -> str:
    """The page's prose and every output a reader sees, as plain text."""
    parts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "scrapbook" not in out.get("metadata", {}) and "text/html" in data:
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", data["text/html"], flags=re.S))))
    return re.sub(r"\s+", " ", " ".join(parts))


# --- Checks on the data, moved from Chapters 1 and 4 ----------------------------------------------------------

def test_halvings_seen_in_issuance(g, btc):
    per_block = btc["issuance_btc"] / btc["blocks"]
    # Whole days at each subsidy level: 50, 25, 12.5, 6.25 ... BTC per block.
    whole = btc["date"][np.isclose(per_block, 50 / 2 ** np.round(np.log2(50 / per_block)))]
    levels = np.round(np.log2(50 / per_block[whole.index])).astype(int)
    firsts = whole.groupby(levels.values).min().iloc[1:]
    published = load("events").query("category == 'halving'")["date"].to_numpy()
    gaps = (firsts.to_numpy() - published) / np.timedelta64(1, "D")
    assert g["data_n_halvings"] == len(published) == 4
    assert g["data_halving_max_gap_days"] == int(np.abs(gaps).max()) <= 1
    words = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four"}
    assert f"({words[int((gaps == 0).sum())]} on the date itself and {words[int((gaps == 1).sum())]} the day after)" \
        in g["data_halvings_text"]


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
    assert g["data_n_retargets"] == len(steps)
    assert g["data_rule_median_error_days"] == pytest.approx(err.median(), abs=1e-9)
    assert g["data_rule_share_within_1day"] == pytest.approx(100 * (err <= 1).mean(), abs=1e-9)
    assert g["data_rule_within_text"] == ("every one is within a day" if (err <= 1).all()
                                          else f"{100 * (err <= 1).mean():.0f}% are within a day")
    worst = steps.loc[steps["ratio"].idxmin()]
    assert g["data_biggest_cut_pct"] == pytest.approx(100 * (worst["ratio"] - 1), abs=1e-9)
    # The cut took effect during 3 July 2021 (UTC): that day's mean lies between the old and the new value.
    diff = load("btc_difficulty_daily").set_index("date")["difficulty"]
    assert diff["2021-07-04"] < diff["2021-07-03"] < diff["2021-07-02"]
    assert g["data_biggest_cut_date"] == "3 July 2021"
    assert -30 < g["data_biggest_cut_pct"] < -25  # the known -27.9% of July 2021
    assert g["data_rule_first_year"] == 2013


def test_price_source_check(g):
    cm = load("btc_daily").set_index("date")["price_usd"]
    cb = load("fred_cbbtcusd").set_index("date")["btc_usd_coinbase"]
    gap = (100 * (cb / cm - 1)).dropna()
    assert g["data_gap_days"] == len(gap)
    assert g["data_gap_median_pct"] == pytest.approx(gap.abs().median())
    assert g["data_gap_max_date"] == gap.abs().idxmax().strftime("%-d %B %Y")
    assert g["data_gap_max_pct"] == pytest.approx(gap[gap.abs().idxmax()])


def test_the_price_source_hardly_moves_the_correlations(g):
    cm = load("btc_daily").set_index("date")["price_usd"]
    cb = load("fred_cbbtcusd").set_index("date")["btc_usd_coinbase"]
    nq = load("fred_nasdaqcom").set_index("date")["nasdaq_composite"].dropna()
    days = nq.index[nq.index.isin(cm.dropna().index) & nq.index.isin(cb.index)]
    for name, price in (("coin_metrics", cm), ("coinbase", cb)):
        r = np.log(pd.DataFrame({"btc": price.reindex(nq.index), "nq": nq})).diff()
        r = r.loc[r.index.isin(days)].dropna()
        # The page keeps the days both sources have a return for.
        for year in (2021, 2022):
            assert g[f"data_corr_nasdaq_{year}_{name}"] == pytest.approx(r.loc[str(year)].corr().iloc[0, 1], abs=0.01)
    for year in (2021, 2022):
        assert abs(g[f"data_corr_nasdaq_{year}_coinbase"] - g[f"data_corr_nasdaq_{year}_coin_metrics"]) < 0.05


def test_checks_are_numbered_figures_with_labels(nb):
    glued_charts = [out["metadata"]["scrapbook"]["name"] for cell in nb.cells for out in cell.get("outputs", [])
                    if "scrapbook" in out.get("metadata", {}) and any("vegalite" in k for k in out["data"])]
    assert glued_charts == ["data_fig_retargets", "data_fig_price_sources"]
    assert len(chart_specs(nb)) == 2   # no chart is displayed outside a figure
    page = PAGE.read_text()
    for glue_key, name in (("data_fig_retargets", "fig-appendix-data-retargets"),
                           ("data_fig_price_sources", "fig-appendix-data-price-sources")):
        assert f"```{{glue:figure}} {glue_key}\n:name: {name}\n" in page
        assert f"{{numref}}`{name}`" in page
    for label in ("appendix-halvings", "appendix-retargets", "appendix-price-sources", "data-events", "data-reported"):
        assert f"({label})=" in page


def test_check_charts_name_their_data_and_state_their_span(nb):
    specs = {s["title"]["text"]: s for s in chart_specs(nb)}
    rule = specs["Each difficulty step matches the time the last 2016 blocks took"]
    assert rule["usermeta"]["datasets"] == ["btc_difficulty_daily"]
    end = load("btc_difficulty_daily")["date"].max()
    assert f"to {end:%B %Y}" in rule["usermeta"]["source"]
    sources = specs["The two price sources agree to a fraction of a percent, except on wild days"]
    assert sources["usermeta"]["datasets"] == ["fred_cbbtcusd", "btc_daily"]
    cb = load("fred_cbbtcusd")["date"]
    assert f"from {cb.min().year} to {cb.max().year}" in sources["description"]


# --- What each data set covers, named properly --------------------------------------------------------------

def test_every_data_set_has_its_coverage_and_snapshot(nb):
    table = reader_tables(nb)["Where each data set comes from, what it covers and when it was downloaded"]
    shown = rows(table)
    resources = package()["resources"]
    assert len(shown) == len(resources)
    day = "%-d\u00a0%b\u00a0%Y"
    for r, cells in zip(resources, shown):
        covers, snapshot = html.unescape(cells[3]), html.unescape(cells[4])
        assert covers and covers != "—", r["name"]
        assert snapshot == f"{pd.Timestamp(r['accessed']):%-d %b %Y}", r["name"]
        frame = load(r["name"])
        if "date" in frame:
            assert covers.startswith(f"{frame['date'].min():{day}} – {frame['date'].max():{day}}"), r["name"]
        elif "year" in frame:
            assert covers == f"{frame['year'].min()}–{frame['year'].max()}", r["name"]
    by_name = {r["name"]: html.unescape(c[3]) for r, c in zip(resources, shown)}
    assert by_name["block_timestamps"] == "6\u00a0Apr\u00a02021 – 26\u00a0Apr\u00a02021; 27\u00a0Dec\u00a02021 – 14\u00a0Jan\u00a02022"
    assert by_name["btc_daily"].endswith("(price from 18\u00a0Jul\u00a02010)")
    assert by_name["cbeci_country_shares"] == "Sep\u00a02019 – Jan\u00a02022"
    assert "reference year not stated" in by_name["electricity_consumption_countries"]


def test_series_have_their_proper_names(nb):
    text = text_of(nb)
    for proper in ["Nasdaq Composite (FRED NASDAQCOM)", "S&P 500 (FRED SP500)", "10-year Treasury yield (FRED DGS10)",
                   "Effective federal funds rate (FRED DFF)", "Nominal Broad U.S. Dollar Index (FRED DTWEXBGS)",
                   "S&P 500, daily.", "Nominal Broad U.S. Dollar Index, daily.", "Effective federal funds rate, daily."]:
        assert proper in text, proper
    for wrong in ["s&p 500", "u.s. dollar index", "nasdaq composite index", "NASDAQ Composite Index",
                  "10-Year Treasury Constant Maturity Rate", "Federal Funds Effective Rate"]:
        assert wrong not in text, wrong


def test_each_caveat_once(nb):
    text = text_of(nb)
    for r in package()["resources"]:
        caveat = r["description"].partition(" Caveat: ")[2]
        for sentence in filter(None, re.split(r"(?<=\.) ", caveat)):
            if sentence.startswith("Licence"):
                assert sentence not in text   # the licence column and the terms-of-use note say it once
            else:
                assert text.count(sentence) == 1, sentence
    assert text.count("VPN") == 1 and text.count("non-commercial") == 1
    assert "independent estimate" not in text   # Blockchain.com's hash rate rests on the same blocks
    assert text.count("inferred from difficulty") == 1   # Coin Metrics' caveat, said once


# --- The event table and the figures reported by others -----------------------------------------------------

def linked_rows(body):
    return [(cells, re.fullmatch(r'<a href="([^"]+)" title="([^"]*)">(.*)</a>', cells[-1])) for cells in rows(body)]


def test_the_event_table_shows_every_event_with_its_link(nb, g):
    events = load("events")
    shown = linked_rows(reader_tables(nb)["The event table: each dated event and the page that reports it"])
    assert len(shown) == len(events) == g["data_n_events"]
    for (cells, link), (_, e) in zip(shown, events.iterrows()):
        assert cells[0] == f"{e['date']:%-d %b %Y}"
        assert cells[1] == (e["time_utc"] if isinstance(e["time_utc"], str) else "—")
        assert cells[2] == html.escape(e["event"])       # text from data is escaped, once
        assert link, cells[-1]
        assert link.group(1) == html.escape(e["source_url"], quote=True)
        assert html.unescape(link.group(2)) == e["source_title"] and html.unescape(link.group(3)) == e["outlet"]
    assert g["data_n_event_outlets"] == events["outlet"].nunique()
    times = events.dropna(subset=["time_utc"])
    assert set(times["time_utc"]) == {"11:00", "02:00"}   # the shutdown and the restoration, in UTC


def test_reported_figures_are_shown_with_their_sources(nb):
    figures = load("reported_figures")
    shown = linked_rows(reader_tables(nb)["Figures reported by others: what each is, its value, and who published it"])
    assert len(shown) == len(figures)
    for (cells, link), (_, f) in zip(shown, figures.iterrows()):
        assert html.unescape(cells[0]) == f["what"]
        assert cells[1] == (f"{f['value']:g}%" if f["unit"] == "percent" else f"{f['value']:g} {f['unit']}")
        assert link and link.group(1) == html.escape(f["source_url"], quote=True)
        assert html.unescape(link.group(3)) == f["outlet"]


def test_tables_are_reader_tables(nb):
    tables = reader_tables(nb)
    assert len(tables) == 6
    for raw in ["from_data", "event_table", "days_apart", "source_url", "time_utc", "<th></th>", ">NaN<", ">nan<", ">None<"]:
        assert all(raw not in h for h in tables.values()), raw


def test_no_wording_that_must_not_come_back(nb):
    text = text_of(nb)
    for pattern in [r"\b1 (are|days)\b", r"day\(s\)", r"\b1 day after\b", r"no more than 1 day", r"100% are within",
                    r"independent estimate", r"Daily (s&p|nasdaq composite index|nominal broad u\.s\.)"]:
        assert not re.search(pattern, text), pattern


def test_how_sure_are_we_shows_each_choice_as_its_page_computed_it():
    """The referee's "How sure are we?" table: each headline number under each choice, pasted from the page that
    computes it (the book build's own glued values), in the order the rows name."""
    import ast

    from builtsite import SITE
    from notebooks import built_outputs

    page = (SITE / "book" / "appendix-data.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="how-sure-are-we">'):page.index('<section id="caveats-source-by-source">')]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+([,)])", r"\1", text))   # tags around glued values leave spaces
    wanted = re.findall(r"::([a-z0-9_]+):", (BOOK / "appendix-data.md").read_text())
    value = {}
    for chapter in ("ch3-kazakhstan.md", "ch4-what-moves-the-price.md", "appendix-fact-check.md"):
        value.update({k: ast.literal_eval(v["text/plain"]) for k, v in built_outputs(chapter)[1].items() if k in wanted})
    assert set(wanted) <= set(value), sorted(set(wanted) - set(value))
    signed = lambda x, f: format(x, f).replace("-", "\u2212")  # noqa: E731
    for suffix, choice in (("", "the week before"), ("_trend", "a trend through the week before and the days after"),
                           ("_after", "the days after the restoration")):
        change = signed(value[f"ch3_kz_change{suffix}_pct"], "+.1f")
        low, high = signed(value[f"ch3_kz_change{suffix}_lo_pct"], "+.1f"), signed(value[f"ch3_kz_change{suffix}_hi_pct"], "+.1f")
        assert f"Baseline: {choice} {change} ({low} to {high})" in text, choice
    bounds = ", ".join(f"{value[f'ch3_max_sustained_loss{s}_pct']:.1f}" for s in ("", "_trend", "_after"))
    assert f"in the same order {bounds}" in text
    for noise, suffix in (("One noise level for every trading day", ""), ("Noise scaled by the calendar days a return spans",
                                                                          "_calendar"), ("No drift", "_no_drift")):
        ts = ", ".join(signed(value[f"ch4_{w}_t{suffix}"], ".2f") for w in ("apr21", "may21", "jun21"))
        assert noise in text and ts in text[text.index(noise):], noise
    placebo = ", ".join(f"{value[f'ch4_{w}_placebo_pct']:.1f}" for w in ("apr21", "may21", "jun21"))
    assert f"Windows with the same weekdays (2.5% or fewer: beyond chance) {placebo}" in text
    assert f"within two months {value['fc_drawdown_two_months_pct']:.0f} " in text
    assert text.rstrip().find(f"within two months {value['fc_drawdown_from_eve_pct']:.0f} ") > 0
