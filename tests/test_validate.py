"""validate(): every schema rule on a tiny frame, each refusal with its one-line message, and what a passing
frame comes back as. Built against the real sources where one fits, else a small Source made here."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from minebook.sources import CC0, Field, Source, get
from minebook.validate import ValidationError, validate


def source(fields, key, min_rows=1) -> Source:
    return Source(name="t", title="t", publisher="p", url="", homepage="", licence=CC0, citation="c", mirror=(),
                  parse=lambda raw: pd.DataFrame(), fields=tuple(fields), primary_key=tuple(key), description="d",
                  min_rows=min_rows)


def days(*isos):
    return pd.to_datetime(list(isos))


def btc(**changes) -> pd.DataFrame:
    """Ten valid days of btc_daily (its min_rows), with columns replaced by `changes`."""
    n = 10
    frame = pd.DataFrame({
        "date": pd.date_range("2021-06-01", periods=n),
        "price_usd": np.linspace(35000.0, 36000.0, n),
        "hashrate_ehs": np.full(n, 150.0),
        "blocks": np.full(n, 144.0),
        "issuance_btc": np.full(n, 900.0),
        "issuance_usd": np.full(n, 3.2e7),
        "fees_btc": np.full(n, 30.0),
        "fees_usd_computed": np.full(n, 1.1e6),
    })
    for column, value in changes.items():
        frame[column] = value
    return frame


def refused(frame, src) -> str:
    with pytest.raises(ValidationError) as info:
        validate(frame, src)
    return str(info.value)


BTC = get("btc_daily")
SHARES = get("cbeci_country_shares")
BLOCKS = get("block_timestamps")


# --- shape -------------------------------------------------------------------------------------

def test_a_valid_frame_comes_back_typed_reindexed_and_as_a_copy():
    frame = btc()
    frame.index = range(100, 110)
    before = frame.copy()
    out = validate(frame, BTC)
    assert list(out.index) == list(range(10))
    assert list(out.columns) == list(frame.columns)   # the old index is dropped, not kept as a column
    assert out["blocks"].dtype == "Int64" and out["blocks"].tolist() == [144] * 10
    assert out["price_usd"].dtype == "float64" and out["price_usd"].iloc[-1] == 36000.0
    assert out["date"].tolist() == list(pd.date_range("2021-06-01", periods=10))
    # The caller's frame is untouched: validation never edits what fetch still holds.
    pd.testing.assert_frame_equal(frame, before)
    assert frame["blocks"].dtype == "float64"
    assert out is not frame


def test_wrong_columns_are_named_with_the_schema():
    src = source([Field("a", "number", ""), Field("b", "number", "")], ["a"])
    frame = pd.DataFrame({"b": [1.0], "a": [2.0]})
    assert refused(frame, src) == "columns ['b', 'a'] do not match the schema ['a', 'b']"


def test_too_few_rows_refused_and_exactly_the_minimum_passes():
    src = source([Field("a", "number", "")], ["a"], min_rows=3)
    assert refused(pd.DataFrame({"a": [1.0, 2.0]}), src) == "only 2 rows, expected at least 3"
    assert len(validate(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), src)) == 3


# --- required, types ----------------------------------------------------------------------------

def test_a_blank_required_value_names_the_field_and_the_day():
    hashrate = np.full(10, 150.0)
    hashrate[3] = np.nan
    assert refused(btc(hashrate_ehs=hashrate), BTC) == "hashrate_ehs is empty at date=2021-06-04"


def test_a_blank_in_a_composite_key_names_every_key_value():
    frame = pd.DataFrame({"month": days("2021-06-01", "2021-06-01"), "country": ["China", "Russia"],
                          "share_pct": [60.0, 40.0], "hashrate_ehs": [50.0, np.nan]})
    src = source(SHARES.fields, SHARES.primary_key)
    assert refused(frame, src) == "hashrate_ehs is empty at month=2021-06-01, country=Russia"


def test_a_key_time_with_a_clock_time_is_shown_in_full():
    frame = pd.DataFrame({"height": [1.0, np.nan],
                          "time": pd.to_datetime(["2021-04-10 12:30:05", "2021-04-10 12:40:00"])})
    src = source(BLOCKS.fields, ["time"])
    assert refused(frame, src) == "height is empty at time=2021-04-10 12:40:00"


def test_a_blank_optional_value_passes():
    price = np.full(10, 35000.0)
    price[0] = np.nan
    out = validate(btc(price_usd=price), BTC)
    assert out["price_usd"].isna().tolist() == [True] + [False] * 9


@pytest.mark.parametrize("first, message", [
    ("1899-12-31", "date = 1899-12-31 at date=1899-12-31 is outside 1900-01-01 to 2100-12-31, the span of every date in this book"),
    ("0000-11-28", "date = 0000-11-28 at date=0000-11-28 is outside 1900-01-01 to 2100-12-31, the span of every date in this book"),
    ("2101-01-01", "date = 2101-01-01 at date=2101-01-01 is outside 1900-01-01 to 2100-12-31, the span of every date in this book"),
])
def test_a_date_outside_1900_to_2100_is_a_misprint_named_in_one_line(first, message):
    # Year 0 is the case that matters: pandas reads it, but could not write it back out (strftime refuses it).
    frame = btc()
    frame["date"] = pd.to_datetime([first] + [f"2021-06-{d:02d}" for d in range(2, 11)], format="%Y-%m-%d")
    assert refused(frame, BTC) == message


def test_the_first_and_last_days_of_1900_to_2100_pass():
    out = validate(btc(date=days("1900-01-01", *[f"1900-01-{d:02d}" for d in range(2, 9)], "2100-12-30", "2100-12-31")), BTC)
    assert (out["date"].min(), out["date"].max()) == (pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31"))


def test_a_clock_time_is_judged_to_the_second_and_shown_in_full():
    blocks = source(BLOCKS.fields, BLOCKS.primary_key)
    frame = pd.DataFrame({"height": [1, 2], "time": pd.to_datetime(["1899-12-31 23:59:59", "2021-04-10 12:40:00"])})
    assert (refused(frame, blocks)
            == "time = 1899-12-31 23:59:59 at height=1 is outside 1900-01-01 to 2100-12-31, the span of every date in this book")
    last = pd.DataFrame({"height": [1, 2], "time": pd.to_datetime(["2100-12-31 00:00:00", "2100-12-31 23:59:59"])})
    assert validate(last, blocks)["time"].tolist() == last["time"].tolist()
    last.loc[1, "time"] = pd.Timestamp("2101-01-01 00:00:00")
    assert (refused(last, blocks)
            == "time = 2101-01-01 at height=2 is outside 1900-01-01 to 2100-12-31, the span of every date in this book")


def test_dates_must_be_dates():
    assert refused(btc(date=[f"2021-06-{d:02d}" for d in range(1, 11)]), BTC) == "date is not a date column"
    frame = pd.DataFrame({"height": [1, 2], "time": ["2021-04-10 12:30:05", "2021-04-10 12:40:00"]})
    assert refused(frame, source(BLOCKS.fields, BLOCKS.primary_key)) == "time is not a date column"


def test_numbers_must_be_numeric():
    assert refused(btc(fees_btc=["30"] * 10), BTC) == "fees_btc is not numeric"
    assert refused(btc(blocks=["144"] * 10), BTC) == "blocks is not numeric"


def test_infinite_values_are_refused_but_gaps_are_not():
    fees = np.full(10, 1.1e6)
    fees[0] = np.nan
    validate(btc(fees_usd_computed=fees), BTC)   # a gap in an optional column is no infinity
    fees[5] = np.inf
    assert refused(btc(fees_usd_computed=fees), BTC) == "fees_usd_computed has an infinite value"
    assert refused(btc(blocks=[-np.inf] + [144.0] * 9), BTC) == "blocks has an infinite value"


def test_a_whole_number_field_refuses_a_fraction():
    assert (refused(btc(blocks=[144.0] * 9 + [144.5]), BTC)
            == "blocks has a fractional value where a whole number belongs")


def test_an_optional_whole_number_keeps_its_gaps_as_na():
    src = source([Field("k", "integer", ""), Field("n", "integer", "", None, 0, 10, required=False)], ["k"])
    out = validate(pd.DataFrame({"k": [1, 2, 3], "n": [4.0, np.nan, 10.0]}), src)
    assert out["n"].dtype == "Int64" and out["k"].dtype == "Int64"
    assert out["n"].isna().tolist() == [False, True, False]
    assert out["n"].dropna().tolist() == [4, 10]


# --- bounds -----------------------------------------------------------------------------------

def test_below_the_minimum_names_value_day_and_bound():
    assert (refused(btc(price_usd=[35000.0] * 3 + [-5.0] + [35000.0] * 6), BTC)
            == "price_usd = -5 at date=2021-06-04 is below the plausible minimum 0.01")


def test_above_the_maximum_uses_short_number_formatting():
    assert (refused(btc(price_usd=[35000.0] * 9 + [12345678.0]), BTC)
            == "price_usd = 1.23457e+07 at date=2021-06-10 is above the plausible maximum 1e+07")


def test_exactly_at_either_bound_passes():
    out = validate(btc(price_usd=[0.01] * 5 + [1e7] * 5, blocks=[0.0] * 5 + [1000.0] * 5), BTC)
    assert out["price_usd"].tolist() == [0.01] * 5 + [1e7] * 5
    assert out["blocks"].tolist() == [0] * 5 + [1000] * 5


def test_a_whole_number_out_of_bounds_is_refused():
    assert (refused(btc(blocks=[144.0] * 4 + [1001.0] + [144.0] * 5), BTC)
            == "blocks = 1001 at date=2021-06-05 is above the plausible maximum 1000")


def test_a_maximum_is_checked_when_there_is_no_minimum():
    src = source([Field("k", "integer", ""), Field("x", "number", "", None, None, 5)], ["k"])
    assert validate(pd.DataFrame({"k": [1, 2], "x": [-100.0, 5.0]}), src)["x"].tolist() == [-100.0, 5.0]
    assert refused(pd.DataFrame({"k": [1, 2], "x": [1.0, 5.5]}), src) == "x = 5.5 at k=2 is above the plausible maximum 5"


def test_gaps_are_not_out_of_bounds_even_in_a_nullable_column():
    src = source([Field("k", "integer", ""), Field("n", "integer", "", None, 2, 10, required=False)], ["k"])
    nullable = pd.array([pd.NA, 5, 1], dtype="Int64")
    assert refused(pd.DataFrame({"k": [1, 2, 3], "n": nullable}), src) == "n = 1 at k=3 is below the plausible minimum 2"
    out = validate(pd.DataFrame({"k": [1, 2], "n": pd.array([pd.NA, 10], dtype="Int64")}), src)
    assert out["n"].isna().tolist() == [True, False]


# --- strings --------------------------------------------------------------------------------------

def test_a_blank_required_string_is_refused_an_optional_one_is_not():
    ev = get("events")
    frame = pd.DataFrame({f.name: ["x"] * 5 for f in ev.fields})
    frame["date"] = pd.date_range("2021-05-01", periods=5)
    frame["event"] = list("abcde")
    frame["time_utc"] = ["", " ", "12:00", "", ""]
    assert validate(frame, ev)["time_utc"].tolist() == ["", " ", "12:00", "", ""]
    frame.loc[2, "place"] = "   "
    assert refused(frame, ev) == "place has a blank value"


# --- keys and order --------------------------------------------------------------------------------

def test_duplicates_name_the_first_duplicated_key():
    # Rows that share a key are duplicates even when their values differ.
    frame = pd.DataFrame({"month": days(*["2021-06-01"] * 4), "country": ["China", "Russia", "Russia", "China"],
                          "share_pct": [10.0, 20.0, 30.0, 40.0], "hashrate_ehs": [1.0, 2.0, 3.0, 4.0]})
    src = source(SHARES.fields, SHARES.primary_key)
    assert refused(frame, src) == "duplicate rows at month=2021-06-01, country=China"


def test_dates_out_of_order_show_both_days():
    dates = list(pd.date_range("2021-06-01", periods=10))
    dates[4], dates[5] = dates[5], dates[4]
    assert refused(btc(date=dates), BTC) == "date out of order: 2021-06-05 follows 2021-06-06"


def test_a_repeated_month_in_a_composite_key_is_in_order():
    frame = pd.DataFrame({"month": days("2021-06-01", "2021-06-01", "2021-07-01"),
                          "country": ["China", "Russia", "China"], "share_pct": [60.0, 40.0, 100.0],
                          "hashrate_ehs": [50.0, 30.0, 40.0]})
    out = validate(frame, source(SHARES.fields, SHARES.primary_key))
    assert out["month"].tolist() == list(days("2021-06-01", "2021-06-01", "2021-07-01"))
    frame["month"] = days("2021-07-01", "2021-06-01", "2021-06-01")
    frame["country"] = ["China", "China", "Russia"]
    assert (refused(frame, source(SHARES.fields, SHARES.primary_key))
            == "month out of order: 2021-06-01 follows 2021-07-01")


def test_heights_out_of_order_and_times_that_may_run_backwards():
    times = pd.to_datetime(["2021-04-10 12:00:00", "2021-04-10 11:58:00", "2021-04-10 12:10:00"])
    ok = validate(pd.DataFrame({"height": [5, 6, 7], "time": times}), source(BLOCKS.fields, BLOCKS.primary_key))
    assert ok["height"].tolist() == [5, 6, 7]   # header times may run backwards; heights may not
    bad = pd.DataFrame({"height": [5, 7, 6], "time": times})
    assert refused(bad, source(BLOCKS.fields, BLOCKS.primary_key)) == "height out of order: 6 follows 7"


def test_a_key_time_out_of_order_shows_the_clock_time():
    times = pd.to_datetime(["2021-04-10 12:00:00", "2021-04-10 11:58:00"])
    src = source(BLOCKS.fields, ["time"])
    assert (refused(pd.DataFrame({"height": [1, 2], "time": times}), src)
            == "time out of order: 2021-04-10 11:58:00 follows 2021-04-10 12:00:00")


def test_height_order_allows_any_rising_step():
    # A numeric height key: a step of half a unit is still forward.
    src = source([Field("height", "number", "")], ["height"])
    assert validate(pd.DataFrame({"height": [1.0, 1.5, 3.0]}), src)["height"].tolist() == [1.0, 1.5, 3.0]
    assert refused(pd.DataFrame({"height": [1.0, 3.0, 2.5]}), src) == "height out of order: 2.5 follows 3.0"


def test_order_is_not_checked_without_a_time_or_height_key():
    src = source([Field("k", "integer", ""), Field("height", "integer", "")], ["k"])
    out = validate(pd.DataFrame({"k": [1, 2], "height": [9, 3]}), src)
    assert out["height"].tolist() == [9, 3]


def test_messages_are_one_line():
    msg = refused(btc(price_usd=[-1.0] * 10), BTC)
    assert "\n" not in msg and re.fullmatch(r"price_usd = -1 at date=2021-06-01 is below the plausible minimum 0\.01", msg)
