"""Returns on a common calendar and the market-model event study, checked value by value against an independent
computation on small synthetic markets with a known calendar (weekends, holidays, missing days)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from minebook.markets import event_study, trading_day_returns


def near(expected, rel=1e-9):
    """pytest.approx without an absolute tolerance, so small returns are compared in full; NaN never passes."""
    return pytest.approx(expected, rel=rel, abs=0)


def ols(x, y):
    """(alpha, beta) of the least-squares line of y on x, from the textbook sums."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    beta = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    return y.mean() - beta * x.mean(), beta


def calendar_days(days, i):
    """The calendar days the return of trading day i spans (the first one counts as one)."""
    return 1 if i == 0 else (days[i] - days[i - 1]).days


def reference_study(returns, first_day, last_day, market="Nasdaq", estimation=250, gap=10):
    """The market model, its placebo windows and its calendar-scaled t statistic, written out with loops."""
    rows = [(day, b, m) for day, b, m in zip(returns.index, returns["Bitcoin"], returns[market])
            if not (math.isnan(b) or math.isnan(m))]
    days = [r[0] for r in rows]
    span = [calendar_days(days, i) for i in range(len(days))]
    first = next(i for i, day in enumerate(days) if day >= pd.Timestamp(first_day))
    last = max(i for i, day in enumerate(days) if day <= pd.Timestamp(last_day))
    est = range(first - gap - estimation, first - gap)
    alpha, beta = ols([rows[i][2] for i in est], [rows[i][1] for i in est])
    resid = {i: rows[i][1] - alpha - beta * rows[i][2] for i in est}
    sigma = math.sqrt(sum(r * r for r in resid.values()) / (estimation - 2))
    window = range(first, last + 1)
    abnormal = [rows[i][1] - alpha - beta * rows[i][2] for i in window]
    car = sum(abnormal)
    shape = [(days[i].weekday(), span[i]) for i in window]
    placebo = [sum(resid[j] for j in range(i, i + len(window))) for i in range(est[0], est[-1] - len(window) + 2)
               if [(days[j].weekday(), span[j]) for j in range(i, i + len(window))] == shape]
    per_day = sum(resid[i] ** 2 / span[i] for i in est) / (estimation - 2)
    after = [resid[i] for i in est if span[i] > 1]
    other = [resid[i] for i in est if span[i] == 1]
    return {
        "beta": beta, "alpha": alpha, "sigma": sigma, "days": len(window), "car": car,
        "se": sigma * math.sqrt(len(window)), "actual": sum(rows[i][1] for i in window),
        "explained": sum(alpha + beta * rows[i][2] for i in window),
        "market_part": beta * sum(rows[i][2] for i in window), "drift": alpha * len(window),
        "placebo_n": len(placebo),
        "placebo_share": sum(p <= car for p in placebo) / len(placebo) if placebo else float("nan"),
        "t_calendar": car / math.sqrt(per_day * sum(span[i] for i in window)),
        "break_ratio": np.var(after, ddof=1) / np.var(other, ddof=1),
        "tail_days": sum(abs(r) > 3 * sigma for r in resid.values()),
        "spans_break": any(span[i] > 1 for i in window),
        "window_days": [days[i] for i in window], "abnormal": abnormal,
        "expected": [alpha + beta * rows[i][2] for i in window], "placebo": placebo,
    }


def check_study(got, want):
    for key in ("beta", "alpha", "sigma", "car", "se", "actual", "explained", "market_part", "drift",
                "t_calendar", "break_ratio"):
        assert got[key] == near(want[key]), key
    for key in ("days", "placebo_n", "tail_days", "spans_break"):
        assert got[key] == want[key], key
    if want["placebo_n"]:
        assert got["placebo_share"] == near(want["placebo_share"])
    else:
        assert math.isnan(got["placebo_share"])
    window = got["window"]
    assert list(window.index) == want["window_days"]
    assert list(window["abnormal"]) == near(want["abnormal"])
    assert list(window["expected"]) == near(want["expected"])


# US holidays of the synthetic calendar: a Monday (Tuesday's return spans four days), a Friday (Monday's spans
# four) and a Wednesday (Thursday's spans two).
HOLIDAYS = pd.DatetimeIndex(["2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-01", "2020-09-07",
                             "2020-11-25", "2021-01-18", "2021-02-15", "2021-04-02"])


def synthetic_returns():
    """About 330 US trading days of log returns: bitcoin = 0.002 + 1.4 x Nasdaq + noise, its variance in
    proportion to the calendar days a return spans, a few fat-tailed days; the S&P 500 misses two days."""
    rng = np.random.default_rng(4)
    days = pd.bdate_range("2020-01-02", "2021-04-30").difference(HOLIDAYS)
    span = np.r_[1, np.diff(days).astype("timedelta64[D]").astype(int)]
    nasdaq = rng.normal(0, 0.012, len(days)) * np.sqrt(span)
    noise = rng.normal(0, 0.03, len(days)) * np.sqrt(span)
    noise[[40, 120, 200, 260]] = [0.25, -0.3, 0.22, -0.27]       # days far beyond three sigma
    noise[[230, 280]] = [0.175, -0.18]                            # and two just beyond it
    sp = 0.9 * nasdaq + rng.normal(0, 0.004, len(days))
    sp[[150, 300]] = np.nan
    return pd.DataFrame({"Bitcoin": 0.002 + 1.4 * nasdaq + noise, "Nasdaq": nasdaq, "S&P 500": sp}, index=days)


@pytest.fixture(scope="module")
def returns():
    return synthetic_returns()


# --- trading_day_returns ----------------------------------------------------------------------------------------

def test_returns_follow_the_first_markets_calendar():
    every_day = pd.date_range("2022-01-01", "2022-01-20")
    btc = pd.Series(np.exp(np.linspace(10.0, 10.5, len(every_day))) * (1 + 0.05 * np.sin(np.arange(len(every_day)))),
                    index=every_day)
    btc = btc.drop(pd.Timestamp("2022-01-12"))                 # a trading day without a bitcoin price
    weekdays = pd.bdate_range("2022-01-03", "2022-01-19")
    nasdaq = pd.Series(np.linspace(15000, 14000, len(weekdays)), index=weekdays)
    nasdaq[pd.Timestamp("2022-01-17")] = np.nan                # a US holiday, a row without a value, as in FRED
    sp = pd.Series(np.linspace(4700, 4600, len(weekdays)), index=weekdays)
    sp[pd.Timestamp("2022-01-07")] = np.nan                    # a day the second market misses: the row stays
    sp[pd.Timestamp("2022-01-17")] = 4650.0                    # a value on the first market's holiday: not used
    yield_10y = pd.Series(np.linspace(1.6, 1.9, len(weekdays)), index=weekdays)

    out = trading_day_returns(btc, {"Nasdaq": nasdaq, "S&P 500": sp, "10-year yield": yield_10y},
                              rates=("10-year yield",))

    trading = [d for d in weekdays if not math.isnan(nasdaq[d])]
    expected = {}
    for prev, day in zip(trading[:-1], trading[1:]):
        row = {"Bitcoin": math.log(btc[day] / btc[prev]) if day in btc and prev in btc else math.nan,
               "Nasdaq": math.log(nasdaq[day] / nasdaq[prev]),
               "S&P 500": math.log(sp[day] / sp[prev]),
               "10-year yield": yield_10y[day] - yield_10y[prev]}        # a rate changes in percentage points
        if not math.isnan(row["Bitcoin"]):
            expected[day] = row
    assert list(out.columns) == ["Bitcoin", "Nasdaq", "S&P 500", "10-year yield"]
    assert list(out.index) == list(expected)
    # Monday 10 January spans the weekend; Tuesday 18 January the holiday weekend; 12 and 13 January are gone.
    assert pd.Timestamp("2022-01-12") not in out.index and pd.Timestamp("2022-01-13") not in out.index
    assert out.loc["2022-01-10", "Bitcoin"] == near(math.log(btc["2022-01-10"] / btc["2022-01-07"]))
    assert out.loc["2022-01-18", "S&P 500"] == near(math.log(sp["2022-01-18"] / sp["2022-01-14"]))
    for day, row in expected.items():
        for name, value in row.items():
            if math.isnan(value):
                assert math.isnan(out.loc[day, name]), (day, name)
            else:
                assert out.loc[day, name] == near(value, rel=1e-12), (day, name)
    assert out["S&P 500"].isna().sum() == 2                    # 7 January and the Monday after it


def test_returns_without_rates_are_all_log_returns():
    weekdays = pd.bdate_range("2022-01-03", "2022-01-07")
    btc = pd.Series([47000.0, 46000, 43000, 43500, 41800], index=weekdays)
    yield_10y = pd.Series([1.63, 1.66, 1.71, 1.73, 1.76], index=weekdays)
    out = trading_day_returns(btc, {"10-year yield": yield_10y})
    assert list(out["10-year yield"]) == near(list(np.log(yield_10y.to_numpy()[1:] / yield_10y.to_numpy()[:-1])), 1e-12)
    assert list(out["Bitcoin"]) == near(list(np.log(btc.to_numpy()[1:] / btc.to_numpy()[:-1])), 1e-12)


# --- event_study --------------------------------------------------------------------------------------------------

WEEKEND_START = ("2021-03-20", "2021-03-24")   # a Saturday to a Wednesday: the window opens on Monday 22 March


def test_event_study_matches_the_market_model_written_out(returns):
    got = event_study(returns, *WEEKEND_START)
    want = reference_study(returns, *WEEKEND_START)
    check_study(got, want)
    assert set(got) == {"window", "beta", "sigma", "days", "car", "se", "actual", "explained", "alpha",
                        "market_part", "drift", "placebo_n", "placebo_share", "t_calendar", "break_ratio",
                        "tail_days", "spans_break"}
    assert got["window"].index[0] == pd.Timestamp("2021-03-22") and got["days"] == 3
    assert list(got["window"].columns) == ["Bitcoin", "Nasdaq", "expected", "abnormal"]
    # Monday-Wednesday windows of ordinary weeks compare; weeks with a holiday do not.
    event = returns.index.get_loc(pd.Timestamp("2021-03-22"))
    mondays = sum(day.weekday() == 0 for day in returns.index[event - 260:event - 10])
    assert 0 < got["placebo_n"] < mondays
    assert got["spans_break"] and got["tail_days"] >= 2 and got["break_ratio"] > 1.5


def test_an_event_study_on_shorter_windows_and_another_market(returns):
    got = event_study(returns, "2020-12-01", "2020-12-03", market="S&P 500", estimation=120, gap=4)
    want = reference_study(returns, "2020-12-01", "2020-12-03", market="S&P 500", estimation=120, gap=4)
    check_study(got, want)
    assert not got["spans_break"]            # Tuesday to Thursday of an ordinary week
    # The S&P 500's missing day is dropped, so the estimation year is counted on its own calendar.
    assert got["beta"] != near(event_study(returns, "2020-12-01", "2020-12-03", estimation=120, gap=4)["beta"])


def test_the_estimation_window_can_start_on_the_first_day_and_end_on_a_comparable_one(returns):
    # The first return's span counts as one day; the estimation window starts on it. Its last day, four trading
    # days before a one-day window, falls on the same weekday: the last placebo window is a comparable one.
    first, last_estimation_day = returns.index[110], returns.index[105]
    span = returns.index.to_series().diff().dt.days
    assert (last_estimation_day.weekday(), span[last_estimation_day]) == (first.weekday(), span[first]) == (first.weekday(), 1)
    got = event_study(returns, first, first, estimation=106, gap=4)
    check_study(got, reference_study(returns, first, first, estimation=106, gap=4))


def test_a_midweek_holiday_is_a_break_too(returns):
    # Wednesday 1 July 2020 was a holiday: Thursday's return spans two days.
    got = event_study(returns, "2020-07-02", "2020-07-02", estimation=100, gap=5)
    check_study(got, reference_study(returns, "2020-07-02", "2020-07-02", estimation=100, gap=5))
    assert got["spans_break"]


@pytest.mark.filterwarnings("error::RuntimeWarning")   # a warning would be printed on the book's page
def test_a_window_no_placebo_matches_has_no_share(returns):
    # Friday 10 April 2020 was a holiday: Thursday 9 April to Monday 13 April spans four days, seen nowhere else
    # in the estimation window together with the Thursday.
    got = event_study(returns, "2020-04-09", "2020-04-13", estimation=60, gap=3)
    want = reference_study(returns, "2020-04-09", "2020-04-13", estimation=60, gap=3)
    assert want["placebo_n"] == 0
    check_study(got, want)


def test_a_placebo_window_as_low_as_the_event_counts(returns):
    # Give the event window exactly the returns of a comparable window of the estimation year: its abnormal
    # return then equals that window's, and "as low as the CAR" includes it.
    copy = returns.copy()
    event = copy.index.get_indexer([pd.Timestamp("2021-03-22")])[0]
    est_start = event - 10 - 250
    days = copy.index
    source = next(i for i in range(est_start, event - 10 - 3)      # an ordinary Monday to Wednesday
                  if days[i].weekday() == 0 and (days[i] - days[i - 1]).days == 3 and (days[i + 2] - days[i]).days == 2)
    copy.iloc[event:event + 3] = copy.iloc[source:source + 3].to_numpy()
    got = event_study(copy, *WEEKEND_START)
    want = reference_study(copy, *WEEKEND_START)
    check_study(got, want)
    assert want["car"] in want["placebo"]
    as_low = sum(p <= want["car"] for p in want["placebo"])
    assert as_low > sum(p < want["car"] for p in want["placebo"])
    assert got["placebo_share"] * got["placebo_n"] == near(as_low)
