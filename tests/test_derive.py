"""The derive functions, one by one, on small raw files made by hand in each publisher's layout: the exact frame
that comes out (columns, types, values, order, scaling, dates, renamed labels, dropped rows), and the exact
one-line refusal when a file is not in that layout. Last, the real fixture slices derive to exactly the rows
the committed snapshots hold for those days."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from fixture_server import FIXTURES
from minebook import derive, load, paths
from minebook.derive import RawFormatError
from minebook.sources import SOURCES
from minebook.validate import validate

NaN = np.nan

# A deprecated pandas spelling works today and breaks on the next pandas: here it fails now.
pytestmark = pytest.mark.filterwarnings("error")


def raw(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def days(*isos) -> list:
    return list(pd.to_datetime(list(isos)))


def same(out: pd.DataFrame, expected: dict, dtypes: dict | None = None) -> None:
    """`out` has exactly these columns, in this order, with these values, a fresh 0..n-1 index, and these dtypes."""
    pd.testing.assert_frame_equal(out, pd.DataFrame(expected).astype(dtypes or {}), check_exact=True)


def refusal(parse, data: bytes) -> str:
    with pytest.raises(RawFormatError) as info:
        parse(data)
    return str(info.value)


# --- shared helpers ------------------------------------------------------------------------------

def test_read_csv_strips_a_bom_and_refuses_what_is_not_csv():
    assert list(derive.read_csv(raw("Timestamp,x", "1,2", bom=True)).columns) == ["Timestamp", "x"]
    assert refusal(derive.read_csv, b"") == "not a readable CSV (No columns to parse from file)"
    assert (refusal(derive.read_csv, b"a,b\n1,2\n1,2,3,4\n")
            == "not a readable CSV (Error tokenizing data. C error: Expected 2 fields in line 3, saw 4)")
    assert (refusal(derive.read_csv, b"a,b\n1,\xff\n")
            == "not a readable CSV ('utf-8' codec can't decode byte 0xff in position 6: invalid start byte)")


def test_require_columns_names_the_missing_and_the_first_eight_present():
    frame = pd.DataFrame(columns=list("abcdefghij"))
    derive.require_columns(frame, ["a", "j"])
    with pytest.raises(RawFormatError) as info:
        derive.require_columns(frame, ["a", "x", "y"])
    assert str(info.value) == "missing column(s) 'x', 'y'; got ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']"


def test_to_number_reads_gaps_and_names_the_first_bad_value():
    out = derive.to_number(pd.Series(["1", ".", "", "2.5"]), "v")
    assert out.dtype == "float64"
    assert out.isna().tolist() == [False, True, True, False] and out.dropna().tolist() == [1.0, 2.5]
    with pytest.raises(RawFormatError) as info:
        derive.to_number(pd.Series(["1", "n/a", "x"]), "DFF")
    assert str(info.value) == "column 'DFF' has non-numeric value 'n/a'"


def test_to_whole_gives_integers_and_refuses_gaps_and_fractions():
    out = derive.to_whole(pd.Series(["2020", " 7", "2021.0"]), "Year")
    assert out.dtype == "int64" and out.tolist() == [2020, 7, 2021]
    assert refusal(lambda s: derive.to_whole(s, "Year"), pd.Series(["2020", "7.5"])) == "column 'Year' has '7.5' where a whole number belongs"


def test_from_unix_reads_seconds_or_milliseconds_keeps_blanks_as_gaps_and_refuses_the_impossible():
    out = derive.from_unix(pd.Series(["1617667200", "", "0", "."]), "t", "s")  # '.' and blank: the publishers' gaps
    assert out.tolist()[::2] == [pd.Timestamp("2021-04-06"), pd.Timestamp("1970-01-01")] and out[1::2].isna().all()
    assert derive.from_unix(pd.Series(["1617667200000"]), "t", "ms").tolist() == [pd.Timestamp("2021-04-06")]
    # A far-future time that pandas can hold passes here and is refused by validate's date span.
    assert derive.from_unix(pd.Series(["1617667200000000"]), "t", "ms")[0].year == 53231
    with pytest.raises(RawFormatError, match=r"^column 't' has '1e30', not a Unix time in ms$"):
        derive.from_unix(pd.Series(["1", "1e30"]), "t", "ms")


def test_to_date_names_the_first_unreadable_date():
    assert derive.to_date(pd.Series(["Jan 2022"]), "m", "%b %Y").tolist() == days("2022-01-01")
    with pytest.raises(RawFormatError) as info:
        derive.to_date(pd.Series(["2021-06-01", "2021-02-30", "x"]), "time", "%Y-%m-%d")
    assert str(info.value) == "column 'time' has an unreadable date '2021-02-30'"


# --- Coin Metrics --------------------------------------------------------------------------------

CM_HEADER = "time,AdrActCnt,BlkCnt,FeeTotNtv,HashRate,IssTotNtv,IssTotUSD,PriceUSD,ROI1yr"


def test_coinmetrics_daily_scales_computes_and_trims_the_unfinished_tail():
    out = derive.coinmetrics_daily(raw(
        CM_HEADER,
        "2009-12-31,1,144,0,5,7200,,,",            # before 2010: left out
        "2010-01-01,2,150,0.5,6000000,7500,,,",     # the first day kept
        "2010-01-02,3,,0.25,,7500,750,0.1,",        # a gap in the middle stays a gap
        "2010-01-03,4,140,1,7000000,7000,700,0.1,",
        "2010-01-04,5,141,,,,,0.2,",                # blocks but no hash rate: not yet a complete day
        "2010-01-05,6,,,,,,0.3,",                   # the publisher's unfinished last days
        "2010-01-06,7,,,,,,0.3,",
    ))
    same(out, {
        "date": days("2010-01-01", "2010-01-02", "2010-01-03"),
        "price_usd": [NaN, 0.1, 0.1],
        "hashrate_ehs": [6.0, NaN, 7.0],
        "blocks": [150.0, NaN, 140.0],
        "issuance_btc": [7500.0, 7500.0, 7000.0],
        "issuance_usd": [NaN, 750.0, 700.0],
        "fees_btc": [0.5, 0.25, 1.0],
        "fees_usd_computed": [NaN, 0.025, 0.1],
    })


def test_coinmetrics_daily_refusals():
    assert (refusal(derive.coinmetrics_daily, raw("time,BlkCnt,FeeTotNtv,HashRate,IssTotNtv,PriceUSD", "2021-01-01,1,1,1,1,1"))
            == "missing column(s) 'IssTotUSD'; got ['time', 'BlkCnt', 'FeeTotNtv', 'HashRate', 'IssTotNtv', 'PriceUSD']")
    assert (refusal(derive.coinmetrics_daily, raw(CM_HEADER, "2021-01-01,1,144,1,n/a,1,1,1,"))
            == "column 'HashRate' has non-numeric value 'n/a'")
    assert (refusal(derive.coinmetrics_daily, raw(CM_HEADER, "2021/01/01,1,144,1,1,1,1,1,"))
            == "column 'time' has an unreadable date '2021/01/01'")
    # A header alone, or days before 2010 only, or days without a block count: nothing to trim back to.
    for rows in [(), ("2009-06-01,1,144,1,1,1,1,1,",), ("2021-01-01,,,,,,1,,",)]:
        assert (refusal(derive.coinmetrics_daily, raw(CM_HEADER, *rows))
                == "no day since 2010 has both a block count and a hash rate")


def test_coinmetrics_difficulty_drops_the_zeros_that_stand_for_gaps():
    out = derive.coinmetrics_difficulty(raw(
        ",time,BlkCnt,DiffMean",
        "0,2021-06-01,142.0,21047730572451.55",
        "1,2021-06-02,0,0.0",
        "2,2021-06-03,0,",
        "3,2021-06-04,150.0,19932791027262.74",
        "4,2021-06-05,1,1",                         # the genesis difficulty, 1, is a value
    ))
    same(out, {"date": days("2021-06-01", "2021-06-04", "2021-06-05"), "difficulty": [21047730572451.55, 19932791027262.74, 1.0]})
    assert (refusal(derive.coinmetrics_difficulty, raw(",time,Diff", "0,2021-06-01,1"))
            == "missing column(s) 'DiffMean'; got ['Unnamed: 0', 'time', 'Diff']")
    assert (refusal(derive.coinmetrics_difficulty, raw("time,DiffMean", "2021/06/01,1"))
            == "column 'time' has an unreadable date '2021/06/01'")


# --- Blockchain.com ------------------------------------------------------------------------------

def test_blockchain_series_moves_23h_stamps_to_the_next_utc_day_and_scales():
    parse = derive.blockchain_series("hash-rate", "hashrate_ehs", 1e-6)
    out = parse(raw("Timestamp,hash-rate",
                    "2021-12-05 23:00:00,146586618.5",
                    "2021-12-07 00:00:00,2000000",
                    "2021-12-08 01:00:00,",
                    bom=True))
    assert list(out.columns) == ["date", "hashrate_ehs"]
    assert out["date"].tolist() == days("2021-12-06", "2021-12-07", "2021-12-08")
    assert out["hashrate_ehs"].iloc[:2].tolist() == pytest.approx([146.5866185, 2.0], rel=1e-12)
    assert np.isnan(out["hashrate_ehs"].iloc[2])


def test_blockchain_series_unscaled_by_default():
    out = derive.blockchain_series("difficulty", "difficulty")(raw("Timestamp,difficulty", "2021-12-05 23:00:00,22335659268936"))
    same(out, {"date": days("2021-12-06"), "difficulty": [22335659268936.0]})


def test_blockchain_series_refusals():
    parse = derive.blockchain_series("miners-revenue", "miners_revenue_usd")
    assert refusal(parse, raw("Timestamp,revenue", "2021-12-05 23:00:00,1")) == "missing column(s) 'miners-revenue'; got ['Timestamp', 'revenue']"
    assert (refusal(parse, raw("Timestamp,miners-revenue", "2021-12-05,1"))
            == "column 'Timestamp' has an unreadable date '2021-12-05'")
    assert refusal(parse, raw("Timestamp,miners-revenue", "2021-12-05 23:00:00,1e")) == "column 'miners-revenue' has non-numeric value '1e'"


def points(metric="difficulty", pts=(), **extra) -> bytes:
    return json.dumps({"metric1": metric, metric: list(pts), **extra}).encode()


def test_blockchain_points_reads_milliseconds_drops_zeros_and_rounds_to_the_day():
    parse = derive.blockchain_points("difficulty", "difficulty")
    out = parse(points(pts=[{"x": 1230940800000, "y": 1}, {"x": 1231286400000, "y": 0},
                            {"x": 1609718400000 + 3_600_000, "y": 18599593048299},
                            {"x": 1609718400000 + 4 * 86_400_000 - 3_600_000, "y": 20607418304386.5}]))
    same(out, {"date": days("2009-01-03", "2021-01-04", "2021-01-08"), "difficulty": [1.0, 18599593048299.0, 20607418304386.5]})


def test_blockchain_points_with_no_points_is_an_empty_frame():
    out = derive.blockchain_points("difficulty", "difficulty")(points(pts=[]))
    assert list(out.columns) == ["date", "difficulty"] and len(out) == 0


def test_blockchain_points_scale_and_a_bom():
    parse = derive.blockchain_points("hash-rate", "hashrate_ehs", 1e-6)
    out = parse(b"\xef\xbb\xbf" + points("hash-rate", [{"x": 1609718400000, "y": 150000000}]))
    assert out["date"].tolist() == days("2021-01-04")
    assert out["hashrate_ehs"].tolist() == pytest.approx([150.0], rel=1e-12)
    out = derive.blockchain_points("difficulty", "difficulty")(points(pts=[{"x": 1609718400000, "y": 3}]))
    assert out["difficulty"].tolist() == [3.0]


@pytest.mark.parametrize("body, message", [
    (b"not json", "not readable JSON (JSONDecodeError)"),
    (b"\xff\xfe{}", "not readable JSON (UnicodeDecodeError)"),
    (b"[1, 2]", "no list of {x, y} points under 'difficulty'"),
    (b'{"hash-rate": []}', "no list of {x, y} points under 'difficulty'"),
    (b'{"difficulty": {"x": 1, "y": 2}}', "no list of {x, y} points under 'difficulty'"),
    (b'{"difficulty": [1, 2]}', "no list of {x, y} points under 'difficulty'"),
    (b'{"difficulty": [{"x": 1, "y": 2}, {"x": 1}]}', "no list of {x, y} points under 'difficulty'"),
    (b'{"difficulty": [{"x": 1, "y": "a lot"}]}', "column 'y' has non-numeric value 'a lot'"),
    (b'{"difficulty": [{"x": "soon", "y": 1}]}', "column 'x' has non-numeric value 'soon'"),
    (b'{"difficulty": [{"x": 1e30, "y": 1}]}', "column 'x' has '1e+30', not a Unix time in ms"),
    (b'{"difficulty": [{"x": -1e20, "y": 1}]}', "column 'x' has '-1e+20', not a Unix time in ms"),
])
def test_blockchain_points_refusals(body, message):
    assert refusal(derive.blockchain_points("difficulty", "difficulty"), body) == message


# --- CBECI ---------------------------------------------------------------------------------------

CBECI_HEADER = "date,country,monthly_hashrate_%,monthly_absolute_hashrate_EH/S"


def test_cbeci_countries_renames_every_label_and_strips_percent_signs():
    labels = ["Mainland China", "United States", "Kazakhstan", "Russian Federation", "Canada", "Malaysia",
              '"Iran, Islamic Rep."', "Germany *", "Ireland *", "Other"]
    shares = ["39.5%", "20%", "8%", "7%", "6%", "5%", "4%", "3%", "2%", "5.5%"]
    lines = [f"2021-06-01,{c},{s},{i + 0.5}" for i, (c, s) in enumerate(zip(labels, shares))]
    out = derive.cbeci_countries(raw(CBECI_HEADER, *lines, "2021-07-01,Mainland China,0%,0", "2021-07-01,Other,100%,120.25"))
    same(out, {
        "month": days(*["2021-06-01"] * 10, "2021-07-01", "2021-07-01"),
        "country": ["China", "United States", "Kazakhstan", "Russia", "Canada", "Malaysia", "Iran", "Germany",
                    "Ireland", "Other", "China", "Other"],
        "share_pct": [39.5, 20, 8, 7, 6, 5, 4, 3, 2, 5.5, 0, 100],
        "hashrate_ehs": [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 0, 120.25],
    }, {"share_pct": "float64"})


def test_cbeci_shares_may_miss_100_by_half_a_point_no_more():
    ok = derive.cbeci_countries(raw(CBECI_HEADER, "2021-06-01,Mainland China,60.5%,1", "2021-06-01,Other,40%,1",
                                    "2021-07-01,Mainland China,59.5%,1", "2021-07-01,Other,40%,1"))
    assert ok["share_pct"].tolist() == [60.5, 40.0, 59.5, 40.0]
    over = raw(CBECI_HEADER, "2021-06-01,Other,100%,1", "2021-07-01,Mainland China,60.6%,1", "2021-07-01,Other,40%,1")
    assert refusal(derive.cbeci_countries, over) == "shares of 2021-07 add up to 100.60%, not 100%"
    under = raw(CBECI_HEADER, "2021-06-01,Mainland China,59.4%,1", "2021-06-01,Other,40%,1")
    assert refusal(derive.cbeci_countries, under) == "shares of 2021-06 add up to 99.40%, not 100%"


def test_cbeci_countries_refusals():
    unknown = raw(CBECI_HEADER, "2021-06-01,Narnia,50%,1", "2021-06-01,Atlantis,50%,1", "2021-06-01,Other,0%,0")
    assert refusal(derive.cbeci_countries, unknown) == "unknown country label(s) ['Atlantis', 'Narnia']"
    assert (refusal(derive.cbeci_countries, raw("date,country,monthly_hashrate_%", "2021-06-01,Other,100%"))
            == "missing column(s) 'monthly_absolute_hashrate_EH/S'; got ['date', 'country', 'monthly_hashrate_%']")
    assert (refusal(derive.cbeci_countries, raw(CBECI_HEADER, "2021-06-01,Other,99X%,1"))
            == "column 'monthly_hashrate_%' has non-numeric value '99X'")
    assert (refusal(derive.cbeci_countries, raw(CBECI_HEADER, "2021-06-01,Other,100%,many"))
            == "column 'monthly_absolute_hashrate_EH/S' has non-numeric value 'many'")
    assert refusal(derive.cbeci_countries, raw(CBECI_HEADER, "June 2021,Other,100%,1")) == "column 'date' has an unreadable date 'June 2021'"


def test_cbeci_consumption_takes_the_5_cent_column_and_the_day():
    out = derive.cbeci_consumption(raw("date,0.01,0.05,0.10",
                                       "2021-06-01T00:00:00,94.2,90.37,72.1",
                                       "2021-06-02T00:00:00,95.8,92.15,73"))
    same(out, {"date": days("2021-06-01", "2021-06-02"), "consumption_twh_per_year": [90.37, 92.15]})
    assert refusal(derive.cbeci_consumption, raw("date,0.01", "2021-06-01T00:00:00,1")) == "missing column(s) '0.05'; got ['date', '0.01']"
    assert (refusal(derive.cbeci_consumption, raw("date,0.05", "06/01/2021T00:00:00,1"))
            == "column 'date' has an unreadable date '06/01/2021'")
    assert refusal(derive.cbeci_consumption, raw("date,0.05", "2021-06-01T00:00:00,-")) == "column '0.05' has non-numeric value '-'"


def test_cbeci_miners_drops_placeholders_and_converts_j_per_gh():
    out = derive.cbeci_miners(raw(
        "Miner_name,UNIX_date_of_release,Efficiency_J_Gh,Qty",
        "Worst CPU,1230000000,100000,1000",
        "best gpu,1280000000,10000,1000",
        "Some FPGA board,1300000000,100,1",
        "Early ASIC,1350000000,10,1",
        " Antminer S9 ,1464782400,0.098,1",          # noon: the release day is kept, not the hour
        "Antminer S19 Pro,1588291200,0.0295,1",
        "Whatsminer M30S,1590969600,0.0381234567,1",
    ))
    same(out, {"model": ["Antminer S9", "Antminer S19 Pro", "Whatsminer M30S"],
               "released": days("2016-06-01", "2020-05-01", "2020-06-01"),
               "efficiency_j_per_th": [98.0, 29.5, 38.123457]})


def test_cbeci_miners_refusals():
    assert (refusal(derive.cbeci_miners, raw("Miner_name,UNIX_date_of_release", "A,1"))
            == "missing column(s) 'Efficiency_J_Gh'; got ['Miner_name', 'UNIX_date_of_release']")
    assert (refusal(derive.cbeci_miners, raw("Miner_name,UNIX_date_of_release,Efficiency_J_Gh", "A,May 2020,1"))
            == "column 'UNIX_date_of_release' has non-numeric value 'May 2020'")
    assert (refusal(derive.cbeci_miners, raw("Miner_name,UNIX_date_of_release,Efficiency_J_Gh", "A,1,low"))
            == "column 'Efficiency_J_Gh' has non-numeric value 'low'")
    assert (refusal(derive.cbeci_miners, raw("Miner_name,UNIX_date_of_release,Efficiency_J_Gh", "A,1e17,1"))
            == "column 'UNIX_date_of_release' has '1e17', not a Unix time in s")


F2_HEADER = "Company,Device,Device Age (M)(03/2020) , Hashrate (T) ,Power Consumption (W),Year Released,Month Released,,"


def test_f2pool_miners_strips_names_and_dates_the_first_of_the_month():
    out = derive.f2pool_miners(raw(F2_HEADER,
                                   "Bitmain, Antminer S19 Pro ,1,110,3250,2020,2,,",
                                   " Canaan ,Avalon 1066,5,50.5,3250,2019,10,,",
                                   "Odd,Thing,0,20,1000,2019,13,,",   # no such month: left for validate to refuse
                                   bom=True))
    same(out, {"vendor": ["Bitmain", "Canaan", "Odd"], "model": ["Antminer S19 Pro", "Avalon 1066", "Thing"],
               "released": [pd.Timestamp("2020-02-01"), pd.Timestamp("2019-10-01"), pd.NaT],
               "hashrate_ths": [110.0, 50.5, 20.0], "power_w": [3250, 3250, 1000],
               "efficiency_j_per_th": [29.545, 64.356, 50.0]}, {"released": "datetime64[us]"})


@pytest.mark.parametrize("year, month, message", [
    ("2020", "2.5", "column 'Month Released' has '2.5' where a whole number belongs"),
    ("2019.5", "2", "column 'Year Released' has '2019.5' where a whole number belongs"),
    ("", "2", "column 'Year Released' has '' where a whole number belongs"),
    ("2020", ".", "column 'Month Released' has '.' where a whole number belongs"),
])
def test_f2pool_a_blank_or_fractional_year_or_month_is_refused_not_rounded(year, month, message):
    body = raw("Company,Device,Hashrate (T),Power Consumption (W),Year Released,Month Released", f"a,b,1,1,{year},{month}")
    assert refusal(derive.f2pool_miners, body) == message


def test_f2pool_miners_refusals():
    assert (refusal(derive.f2pool_miners, raw("Company,Device,Hashrate (T),Power Consumption (W),Year Released", "a,b,1,1,2020"))
            == "missing column(s) 'Month Released'; got ['Company', 'Device', 'Hashrate (T)', 'Power Consumption (W)', 'Year Released']")
    for column, cells, message in [
        ("Year Released", "a,b,1,1,20x0,1", "column 'Year Released' has non-numeric value '20x0'"),
        ("Month Released", "a,b,1,1,2020,Feb", "column 'Month Released' has non-numeric value 'Feb'"),
        ("Hashrate (T)", "a,b,1 T,1,2020,1", "column 'Hashrate (T)' has non-numeric value '1 T'"),
        ("Power", "a,b,1,1 kW,2020,1", "column 'Power Consumption (W)' has non-numeric value '1 kW'"),
    ]:
        body = raw("Company,Device,Hashrate (T),Power Consumption (W),Year Released,Month Released", cells)
        assert refusal(derive.f2pool_miners, body) == message, column


# --- FRED ----------------------------------------------------------------------------------------

def test_fred_drops_market_holidays_under_either_header():
    for header in ("observation_date", "DATE"):
        out = derive.fred_series("SP500", "sp500")(raw(f"{header},SP500", "2021-12-23,4725.79", "2021-12-24,",
                                                       "2021-12-27,.", "2021-12-28,4786.35"))
        same(out, {"date": days("2021-12-23", "2021-12-28"), "sp500": [4725.79, 4786.35]})


def test_fred_prefers_observation_date_when_both_headers_appear():
    out = derive.fred_series("DFF", "fed_funds_pct")(raw("DATE,observation_date,DFF", "2000-01-01,2021-12-23,0.08"))
    same(out, {"date": days("2021-12-23"), "fed_funds_pct": [0.08]})


def test_fred_refusals():
    parse = derive.fred_series("SP500", "sp500")
    assert (refusal(parse, raw("when,SP500", "2021-12-23,1"))
            == "missing date column ('observation_date' or 'DATE'); got ['when', 'SP500']")
    assert refusal(parse, raw("DATE,DFF", "2021-12-23,1")) == "missing column(s) 'SP500'; got ['DATE', 'DFF']"
    assert refusal(parse, raw("DATE,SP500", "12/23/2021,1")) == "column 'DATE' has an unreadable date '12/23/2021'"
    assert refusal(parse, raw("observation_date,SP500", "2021-12-23,n/a")) == "column 'SP500' has non-numeric value 'n/a'"


# --- block timestamps ------------------------------------------------------------------------------

def test_block_timestamps_keep_the_two_windows_start_in_end_out():
    out = derive.block_timestamps(raw(
        "678000,1617667199", "678001,1617667200", "678002,1619481599", "678003,1619481600",
        "716000,1640563199", "716001,1640563200", "716002,1642204799", "716003,1642204800",
    ))
    same(out, {"height": [678001, 678002, 716001, 716002],
               "time": pd.to_datetime(["2021-04-06 00:00:00", "2021-04-26 23:59:59",
                                       "2021-12-27 00:00:00", "2022-01-14 23:59:59"])})
    assert out["height"].dtype == "int64"


@pytest.mark.parametrize("body, message", [
    ("1,2,3", "expected 2 columns (height, unix time), got 3"),
    (",1617667200", "a height or timestamp is blank"),
    ("678001,", "a height or timestamp is blank"),
    ("abc,1617667200", "column 'height' has non-numeric value 'abc'"),
    ("678001,noon", "column 'timestamp' has non-numeric value 'noon'"),
    ("678001,99999999999999", "column 'timestamp' has '99999999999999', not a Unix time in s"),
])
def test_block_timestamps_refusals(body, message):
    assert refusal(derive.block_timestamps, raw(body)) == message


# --- electricity ---------------------------------------------------------------------------------

# The publishers' own column order, which is not OWID_SOURCES' order.
SHARE_COLUMNS = {"Coal": "Coal (% electricity)", "Gas": "Gas (% electricity)", "Hydro": "Hydro (% electricity)",
                 "Solar": "Solar (% electricity)", "Wind": "Wind (% electricity)", "Oil": "Oil (% electricity)",
                 "Nuclear": "Nuclear (% electricity)",
                 "Other renewables": "Other renewables excluding bioenergy (% electricity)",
                 "Bioenergy": "Bioenergy (% electricity)"}
GENERATION_COLUMNS = {"Other renewables": "Other renewables excluding bioenergy (TWh) (zero filled)",
                      "Bioenergy": "Electricity from bioenergy (TWh) (zero filled)",
                      "Solar": "Electricity from solar (TWh)", "Wind": "Electricity from wind (TWh)",
                      "Hydro": "Electricity from hydro (TWh)", "Nuclear": "Electricity from nuclear (TWh)",
                      "Oil": "Electricity from oil (TWh)", "Gas": "Electricity from gas (TWh)",
                      "Coal": "Electricity from coal (TWh)"}
ORDER = ["Coal", "Gas", "Oil", "Nuclear", "Hydro", "Wind", "Solar", "Bioenergy", "Other renewables"]


def owid_file(columns: dict[str, str], rows: list[tuple[str, int, dict]]) -> bytes:
    """rows: (entity, year, {source: cell}); each cell lands under that source's column."""
    lines = ["Entity,Code,Year," + ",".join(columns.values())]
    lines += [f"{e},X,{y}," + ",".join(cells.get(s, "") for s in columns) for e, y, cells in rows]
    return raw(*lines)


def cells(base: float) -> dict:
    return {s: str(base + i) for i, s in enumerate(ORDER)}


@pytest.mark.parametrize("parse, columns, value", [
    (derive.owid_share, SHARE_COLUMNS, "share_pct"),
    (derive.owid_generation, GENERATION_COLUMNS, "generation_twh"),
])
def test_owid_long_format_three_countries_from_2010_in_source_order(parse, columns, value):
    china = cells(100)
    china["Solar"] = ""    # a blank cell is a gap, not a zero
    out = parse(owid_file(columns, [
        ("World", 2015, cells(900)),
        ("United States", 2011, cells(300)),
        ("China", 2009, cells(50)),
        ("China", 2010, china),
        ("Kazakhstan", 2010, cells(200)),
    ]))
    china_sources = [s for s in ORDER if s != "Solar"]
    same(out, {
        "country": ["China"] * 8 + ["Kazakhstan"] * 9 + ["United States"] * 9,
        "year": [2010] * 17 + [2011] * 9,
        "source": china_sources + ORDER + ORDER,
        value: [100.0 + ORDER.index(s) for s in china_sources] + [200.0 + i for i in range(9)] + [300.0 + i for i in range(9)],
    })


def test_owid_refusals():
    header = "Entity,Code,Year," + ",".join(list(SHARE_COLUMNS.values())[:-1])
    assert refusal(derive.owid_share, raw(header)).startswith("missing column(s) 'Bioenergy (% electricity)'; got ['Entity'")
    assert (refusal(derive.owid_share, owid_file(SHARE_COLUMNS, [("China", "20x1", cells(1))]))
            == "column 'Year' has non-numeric value '20x1'")
    bad = cells(1)
    bad["Wind"] = "lots"
    assert (refusal(derive.owid_generation, owid_file(GENERATION_COLUMNS, [("China", 2012, bad)]))
            == "column 'generation_twh' has non-numeric value 'lots'")


EIA_HEADER = "country,code,electricity_consumption,country_flag,series_id"
EIA_ROWS = ["China,CH,6453,f,INTL.CHN", "United States,US,3989.566,f,INTL.USA", "Russia,RS,965.156,f,INTL.RUS",
            "Germany,GM,524.268,f,INTL.DEU", "Canada,CA,549.263,f,INTL.CAN", "France,FR,449.422,f,INTL.FRA",
            "Iran,IR,254.724,f,INTL.IRN", "Malaysia,MY,147.209,f,INTL.MYS", "Kazakhstan,KZ,91.668,f,INTL.KAZ",
            "Ireland,EI,27.203,f,INTL.IRL", "China,CH,1,f,INTL.CHN.DUPLICATE"]


def test_eia_consumption_keeps_the_mining_countries_first_row_each_sorted():
    out = derive.eia_country_consumption(raw(EIA_HEADER, *EIA_ROWS))
    same(out, {
        "country": ["Canada", "China", "Germany", "Iran", "Ireland", "Kazakhstan", "Malaysia", "Russia", "United States"],
        "consumption_twh_per_year": [549.263, 6453, 524.268, 254.724, 27.203, 91.668, 147.209, 965.156, 3989.566],
        "eia_series": ["INTL.CAN", "INTL.CHN", "INTL.DEU", "INTL.IRN", "INTL.IRL", "INTL.KAZ", "INTL.MYS", "INTL.RUS", "INTL.USA"],
    })


def test_eia_consumption_refusals():
    rows = [r for r in EIA_ROWS if not r.startswith(("Ireland", "Canada"))]
    assert refusal(derive.eia_country_consumption, raw(EIA_HEADER, *rows)) == "no row for ['Canada', 'Ireland']"
    assert (refusal(derive.eia_country_consumption, raw("country,electricity_consumption", "China,1"))
            == "missing column(s) 'series_id'; got ['country', 'electricity_consumption']")
    rows = [r.replace("6453", "lots") for r in EIA_ROWS]
    assert refusal(derive.eia_country_consumption, raw(EIA_HEADER, *rows)) == "column 'electricity_consumption' has non-numeric value 'lots'"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def eia_price_file(rows: list[str], months=MONTHS, year=2022) -> bytes:
    head = ",".join(f'"{m} {year + i // 12 if isinstance(year, int) else year}"' for i, m in enumerate(months))
    return raw('"Average retail price of electricity"', '"https://www.eia.gov/electricity/data/browser/"',
               '"Sun Sep 03 2023 13:13:31 GMT-0400"', '"Source: U.S. Energy Information Administration"',
               f'"description","units","source key",{head}', *rows)


def test_eia_price_reads_every_month_in_usd_and_drops_blanks():
    cents = ["7.30", "7.47", "7.50", "7.84", "8.37", "8.96", "9.41", "9.51", "9.22", "8.61", "8.3333333", "8.63", ""]
    out = derive.eia_us_industrial_price(eia_price_file([
        '"United States : all sectors","","ELEC.PRICE.US-ALL.M",' + ",".join(['"12"'] * 13),
        '"United States : industrial","cents per kilowatthour","ELEC.PRICE.US-IND.M",' + ",".join(f'"{c}"' for c in cents),
    ], MONTHS + ["Jan"]))   # 12 months of 2022, then a January not yet published
    same(out, {"month": days(*[f"2022-{m:02d}-01" for m in range(1, 13)]),
               "price_usd_per_kwh": [0.073, 0.0747, 0.075, 0.0784, 0.0837, 0.0896, 0.0941, 0.0951, 0.0922, 0.0861, 0.083333, 0.0863]})


def test_eia_price_refusals():
    row = '"United States : industrial","c","k",' + ",".join(['"7"'] * 12)
    assert refusal(derive.eia_us_industrial_price, eia_price_file([row.replace("industrial", "commercial")])) == "no 'United States : industrial' row"
    assert refusal(derive.eia_us_industrial_price, eia_price_file([row, row])) == "no 'United States : industrial' row"
    assert (refusal(derive.eia_us_industrial_price, raw("a", "b", "c", "d", "name,Jan 2022", "x,1"))
            == "missing column(s) 'description'; got ['name', 'Jan 2022']")
    assert (refusal(derive.eia_us_industrial_price, eia_price_file(['"United States : industrial","c","k","7"'], ["Jan"], "20x2"))
            == "column 'month' has an unreadable date 'Jan 20x2'")
    # The layout is "Jan 2022": a month spelled out is another layout, not read by guesswork.
    assert (refusal(derive.eia_us_industrial_price, eia_price_file(['"United States : industrial","c","k","7"'], ["January"]))
            == "column 'month' has an unreadable date 'January 2022'")
    assert (refusal(derive.eia_us_industrial_price, eia_price_file([row.replace('"7"', '"n/a"', 1)]))
            == "column 'price' has non-numeric value 'n/a'")


# --- curated facts ---------------------------------------------------------------------------------

EVENT_COLUMNS = ["date", "time_utc", "event", "label", "place", "category", "outlet", "source_title", "source_url"]


def events_file(*rows: dict) -> bytes:
    # Columns in another order and one extra: the output keeps the schema's order only.
    header = ["note", *reversed(EVENT_COLUMNS)]
    lines = [",".join(header)] + [",".join(r.get(c, c + "x") for c in header) for r in rows]
    return raw(*lines)


def test_events_parse_dates_keep_hh_mm_and_blank_times_become_gaps():
    out = derive.events(events_file({"date": "2021-05-21", "time_utc": "12:30", "event": "A"},
                                    {"date": "2021-06-18", "time_utc": "", "event": "B"}))
    assert list(out.columns) == EVENT_COLUMNS
    assert out["date"].tolist() == days("2021-05-21", "2021-06-18")
    assert out["time_utc"].iloc[0] == "12:30" and pd.isna(out["time_utc"].iloc[1])
    assert out["event"].tolist() == ["A", "B"] and out["source_url"].tolist() == ["source_urlx"] * 2


@pytest.mark.parametrize("time", ["12:60", "1:05", "12:05x", "30:00", "12.05"])
def test_events_refuse_a_time_that_is_not_hh_mm(time):
    assert refusal(derive.events, events_file({"date": "2021-05-21", "time_utc": time})) == f"time_utc {time!r} is not HH:MM"


def test_events_refusals():
    assert refusal(derive.events, events_file({"date": "21 May 2021", "time_utc": ""})) == "column 'date' has an unreadable date '21 May 2021'"
    assert refusal(derive.events, raw("date,event", "2021-05-21,A")).startswith("missing column(s) 'time_utc', 'label', 'place'")


FIGURE_COLUMNS = ["figure", "what", "value", "unit", "as_of", "outlet", "source_title", "published", "source_url"]


def figures_file(*rows: dict) -> bytes:
    header = ["extra", *FIGURE_COLUMNS]
    return raw(",".join(header), *(",".join(r.get(c, c + "x") for c in header) for r in rows))


def test_reported_figures_parse_values_and_leave_undated_pages_undated():
    out = derive.reported_figures(figures_file({"figure": "kz_share", "value": "18.1", "published": "2022-01-05"},
                                               {"figure": "us_mw", "value": "2500", "published": ""}))
    assert list(out.columns) == FIGURE_COLUMNS
    assert out["value"].tolist() == [18.1, 2500.0]
    assert out["published"].iloc[0] == pd.Timestamp("2022-01-05") and pd.isna(out["published"].iloc[1])
    assert out["figure"].tolist() == ["kz_share", "us_mw"]


def test_reported_figures_refusals():
    twice = figures_file({"figure": "a", "value": "1", "published": ""}, {"figure": "b", "value": "1", "published": ""},
                         {"figure": "a", "value": "2", "published": ""})
    assert refusal(derive.reported_figures, twice) == "figure 'a' appears twice"
    assert (refusal(derive.reported_figures, figures_file({"figure": "a", "value": "1", "published": "Jan 2022"}))
            == "column 'published' has an unreadable date 'Jan 2022'")
    for word in ("about 5", "True"):
        assert (refusal(derive.reported_figures, figures_file({"figure": "a", "value": word, "published": ""}))
                == f"column 'value' has non-numeric value {word!r}")
    for gap in ("", "."):
        assert (refusal(derive.reported_figures, figures_file({"figure": "b", "value": "1", "published": ""},
                                                              {"figure": "a", "value": gap, "published": ""}))
                == "figure 'a' has no value")
    assert refusal(derive.reported_figures, raw("figure,value", "a,1")).startswith("missing column(s) 'what', 'unit'")


def comparable(frame: pd.DataFrame, source) -> pd.DataFrame:
    # A number column of a slice that happens to hold only whole numbers derives as int64, and an integer one
    # validates as Int64 where load reads int64: compare values, not those storage types.
    return frame.astype({f.name: "float64" for f in source.fields if f.type in ("integer", "number")})


# --- every parser reads cells as text ----------------------------------------------------------------

# (parser, a one-row file with {v} in one numeric cell, the column the refusal names). The factories run inside
# each test, so the parser built is the code under test rather than one built when the module was collected.
NUMERIC_CELL = [
    (derive.coinmetrics_daily, raw(CM_HEADER, "2021-01-01,1,144,1,{v},1,1,1,"), "HashRate"),
    (derive.coinmetrics_difficulty, raw("time,DiffMean", "2021-06-01,{v}"), "DiffMean"),
    (lambda b: derive.blockchain_series("difficulty", "difficulty")(b), raw("Timestamp,difficulty", "2021-12-05 23:00:00,{v}"), "difficulty"),
    (derive.cbeci_countries, raw(CBECI_HEADER, "2021-06-01,Other,100%,{v}"), "monthly_absolute_hashrate_EH/S"),
    (derive.cbeci_consumption, raw("date,0.05", "2021-06-01T00:00:00,{v}"), "0.05"),
    (derive.cbeci_miners, raw("Miner_name,UNIX_date_of_release,Efficiency_J_Gh", "A,1,{v}"), "Efficiency_J_Gh"),
    (derive.f2pool_miners, raw("Company,Device,Hashrate (T),Power Consumption (W),Year Released,Month Released",
                               "a,b,{v},1,2020,1"), "Hashrate (T)"),
    (lambda b: derive.fred_series("SP500", "sp500")(b), raw("DATE,SP500", "2021-12-23,{v}"), "SP500"),
    (derive.block_timestamps, raw("678001,{v}"), "timestamp"),
    (derive.owid_share, owid_file(SHARE_COLUMNS, [("China", 2012, {**cells(1), "Coal": "{v}"})]), "share_pct"),
    (derive.eia_country_consumption, raw(EIA_HEADER, *(",".join(r.split(",")[:2] + ["{v}"] + r.split(",")[3:]) for r in EIA_ROWS)),
     "electricity_consumption"),
    (derive.eia_us_industrial_price, eia_price_file(['"United States : industrial","c","k",' + ",".join(['"{v}"'] + ['"7"'] * 11)]), "price"),
]


@pytest.mark.parametrize("word", ["n/a", "True"])
@pytest.mark.parametrize("parse, template, column", NUMERIC_CELL, ids=[c[2] for c in NUMERIC_CELL])
def test_a_word_in_a_numeric_cell_is_refused_never_a_gap_or_a_boolean(parse, template, column, word):
    # Publishers mark a gap with '.' or a blank; pandas' own guesses ('n/a' as a gap, 'True' as 1) must not apply.
    body = template.replace(b"{v}", word.encode())
    assert refusal(parse, body) == f"column {column!r} has non-numeric value {word!r}"


# --- the real files --------------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_the_fixture_slices_derive_to_the_committed_snapshot_rows(source):
    """Each fixture is a slice of the file the committed snapshot was made from: its rows must come out as
    exactly the snapshot's rows for the same keys (curated tables: the whole snapshot)."""
    path = paths.FACTS_DIR / f"{source.name}.csv" if source.curated else FIXTURES / f"{source.name}.csv"
    derived = comparable(validate(source.parse(path.read_bytes()), source), source)
    snapshot = comparable(load(source.name, ROOT / "data"), source)
    key = list(source.primary_key)
    assert len(derived) >= 9
    if source.curated:
        assert len(derived) == len(snapshot)
    rows = snapshot.set_index(key).loc[pd.MultiIndex.from_frame(derived[key]) if len(key) > 1 else derived[key[0]]]
    pd.testing.assert_frame_equal(derived.set_index(key), rows, check_exact=True)
