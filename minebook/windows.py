"""The time windows the analyses compare, defined once for the chapters and the fact-check appendix.

Event dates and times come from the cited event table; the lengths of baselines and event windows are
this book's analytic choices, stated here so that every page uses the same ones.
"""
from __future__ import annotations

import pandas as pd


def _moment(row) -> pd.Timestamp:
    return row["date"] + pd.Timedelta(row["time_utc"] + ":00")


def kazakh_shutdown(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(start, end) of Kazakhstan's nationwide internet shutdown, in UTC, from the event table."""
    timed = events[events["category"] == "kazakhstan"].dropna(subset=["time_utc"])
    start = _moment(timed[timed["event"].str.contains("shutdown")].iloc[0])
    end = _moment(timed[timed["event"].str.contains("restored")].iloc[0])
    return start, end


# The week before the first disruptions of 4 January 2022 (the block excerpt starts on 27 December).
KAZAKH_BASELINE = (pd.Timestamp("2021-12-28"), pd.Timestamp("2022-01-04"))


def kazakh_after(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days after the restoration, to the end of 13 January 2022, the last whole day of the block excerpt:
    the second baseline for the shutdown."""
    return kazakh_shutdown(events)[1], pd.Timestamp("2022-01-14")


def xinjiang_blackout(events: pd.DataFrame) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The six days from the Xinjiang outage, and the eight days before the retarget of 15 April 2021."""
    start = events.loc[events["category"] == "power-outage", "date"].iloc[0]
    return {
        "event": (start, start + pd.Timedelta(days=6)),
        "baseline": (start - pd.Timedelta(days=9), start - pd.Timedelta(days=1)),
    }


def event_study_windows(events: pd.DataFrame) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """First and last US trading day of each event study, keyed by a label for charts and tables."""
    first = lambda pattern: events.loc[events["event"].str.contains(pattern), "date"].iloc[0]  # noqa: E731
    return {
        "Kazakh shutdown and Fed minutes, 5-7 Jan 2022": (first("Nationwide internet shutdown"), pd.Timestamp("2022-01-07")),
        "Xinjiang blackout, 16-19 Apr 2021": (first("Xinjiang grid"), pd.Timestamp("2021-04-19")),
        "State Council statement, 21 May 2021": (first("State Council"), first("State Council")),
        "Sichuan shutdown order, 18-21 Jun 2021": (first("Sichuan orders"), pd.Timestamp("2021-06-21")),
    }
