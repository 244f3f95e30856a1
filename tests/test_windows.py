"""The analysis windows: exact timestamps from small event tables shaped like the real one, and the values the
book relies on, worked out again from the raw rows of the cited event table."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from minebook import load
from minebook.windows import (KAZAKH_BASELINE, event_study_windows, kazakh_after, kazakh_shutdown,
                              xinjiang_blackout)

COLUMNS = ["date", "time_utc", "event", "label", "place", "category", "outlet", "source_title", "source_url"]
JAN = "Kazakh shutdown and Fed minutes, 5-7 Jan 2022"
APR = "Xinjiang blackout, 16-19 Apr 2021"
MAY = "State Council statement, 21 May 2021"
JUN = "Sichuan shutdown order, 18-21 Jun 2021"


def table(*rows):
    """An event table with the real one's columns from (date, time_utc, event, category) rows, in the given order."""
    return pd.DataFrame([(pd.Timestamp(d), t, e, "a label", "somewhere", c, "an outlet", "a title", "https://example.org")
                         for d, t, e, c in rows], columns=COLUMNS)


def ts(text):
    return pd.Timestamp(text)


# Decoys around the rows that count: a shutdown elsewhere, an untimed Kazakh shutdown, later shutdowns and
# restorations, and a second power outage.
EVENTS = table(
    ("2021-04-10", np.nan, "Power outage in Xinjiang grid area, brief", "power-outage"),
    ("2021-04-16", np.nan, "Xinjiang grid shut down after an accident", "power-outage"),
    ("2021-05-21", np.nan, "State Council committee calls for a crackdown", "china-crackdown"),
    ("2021-05-28", np.nan, "State Council follow-up", "china-crackdown"),
    ("2021-06-18", np.nan, "Sichuan orders power companies to stop supplying miners", "china-crackdown"),
    ("2021-06-25", np.nan, "Sichuan orders more closures", "china-crackdown"),
    ("2022-01-03", "09:15", "Internet shutdown in a neighbouring country", "other"),
    ("2022-01-04", np.nan, "Mobile internet shutdown in Zhanaozen", "kazakhstan"),
    ("2022-01-05", "11:20", "Nationwide internet shutdown in Kazakhstan begins", "kazakhstan"),
    ("2022-01-06", "07:45", "Nationwide internet shutdown in Kazakhstan resumes", "kazakhstan"),
    ("2022-01-06", "03:00", "Connectivity briefly restored in Almaty", "other"),
    ("2022-01-07", np.nan, "Connectivity restored in Nur-Sultan", "kazakhstan"),
    ("2022-01-10", "02:05", "Internet connectivity in Kazakhstan largely restored", "kazakhstan"),
    ("2022-01-11", "23:59", "Internet connectivity restored again", "kazakhstan"),
)


def test_the_shutdown_runs_from_the_first_timed_kazakh_shutdown_to_the_first_timed_restoration():
    assert kazakh_shutdown(EVENTS) == (ts("2022-01-05 11:20"), ts("2022-01-10 02:05"))


def test_the_shutdown_does_not_depend_on_other_columns_being_filled():
    events = EVENTS.copy()
    events["label"] = np.nan       # a missing label, outlet or title is no missing time
    events["outlet"] = np.nan
    assert kazakh_shutdown(events) == (ts("2022-01-05 11:20"), ts("2022-01-10 02:05"))


def test_a_time_past_midnight_and_one_just_before_it():
    events = table(("2022-01-05", "00:00", "Internet shutdown", "kazakhstan"),
                   ("2022-01-09", "23:59", "Internet restored", "kazakhstan"))
    assert kazakh_shutdown(events) == (ts("2022-01-05 00:00"), ts("2022-01-09 23:59"))


def test_after_the_shutdown_runs_from_the_restoration_to_14_january():
    assert kazakh_after(EVENTS) == (ts("2022-01-10 02:05"), ts("2022-01-14 00:00"))


def test_the_kazakh_baseline_is_the_week_before_4_january_2022():
    assert KAZAKH_BASELINE == (ts("2021-12-28"), ts("2022-01-04"))
    assert KAZAKH_BASELINE[1] - KAZAKH_BASELINE[0] == pd.Timedelta(days=7)


def test_the_xinjiang_windows_count_from_the_first_power_outage():
    assert xinjiang_blackout(EVENTS) == {"event": (ts("2021-04-10"), ts("2021-04-16")),
                                         "baseline": (ts("2021-04-01"), ts("2021-04-09"))}


def test_each_event_study_window_opens_on_the_first_matching_event():
    assert event_study_windows(EVENTS) == {
        JAN: (ts("2022-01-05"), ts("2022-01-07")),
        APR: (ts("2021-04-10"), ts("2021-04-19")),
        MAY: (ts("2021-05-21"), ts("2021-05-21")),     # a one-day window: first and last are the event's day
        JUN: (ts("2021-06-18"), ts("2021-06-21")),
    }
    assert list(event_study_windows(EVENTS)) == [JAN, APR, MAY, JUN]


# --- The real event table: the values the book relies on --------------------------------------------------------

@pytest.fixture(scope="module")
def events():
    return load("events")


def local_time_in_utc(row):
    """The time the event text gives in local time ("17:00 local time (UTC+6)"), moved to UTC."""
    hours, minutes, offset = map(int, re.search(r"(\d{2}):(\d{2}) local time \(UTC\+(\d+)\)", row["event"]).groups())
    return row["date"] + pd.Timedelta(hours=hours - offset, minutes=minutes)


def test_the_real_shutdown_times_in_utc(events):
    kazakh = events[events["category"] == "kazakhstan"]
    start = kazakh[kazakh["event"].str.startswith("Nationwide internet shutdown")].iloc[0]
    end = kazakh[kazakh["event"].str.contains("largely restored")].iloc[0]
    assert kazakh_shutdown(events) == (local_time_in_utc(start), local_time_in_utc(end))
    assert kazakh_shutdown(events) == (ts("2022-01-05 11:00"), ts("2022-01-10 02:00"))
    # The table's own UTC column says the same.
    assert (start["time_utc"], end["time_utc"]) == ("11:00", "02:00")
    assert kazakh_after(events) == (ts("2022-01-10 02:00"), ts("2022-01-14"))


def test_the_real_xinjiang_windows(events):
    outage = events.loc[events["event"].str.startswith("Xinjiang grid shut down"), "date"].iloc[0]
    assert outage == ts("2021-04-16")
    # The baseline is the eight days before the retarget of 15 April 2021; the event the six days from the outage.
    assert xinjiang_blackout(events) == {"event": (ts("2021-04-16"), ts("2021-04-22")),
                                         "baseline": (ts("2021-04-07"), ts("2021-04-15"))}


def test_the_real_event_study_windows_are_the_days_their_labels_name(events):
    windows = event_study_windows(events)
    assert list(windows) == [JAN, APR, MAY, JUN]
    for label, (first, last) in windows.items():
        # "5-7 Jan 2022" or "21 May 2021": the first and last day, read from the label itself.
        days, month, year = re.search(r"(\d+(?:-\d+)?) (\w{3}) (\d{4})$", label).groups()
        low, _, high = days.partition("-")
        assert (first, last) == (pd.Timestamp(f"{low} {month} {year}"), pd.Timestamp(f"{high or low} {month} {year}"))
        # Each window opens on the day of its event in the cited table.
        assert first in set(events["date"])
