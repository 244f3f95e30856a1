"""The students' self-checks: what they say to a blank, a right answer and the usual wrong ones, never the book's
value."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from minebook import exercises
from minebook.exercises import EXERCISES, SOLUTIONS, Blank, blanks_cell, self_check, solved_cell, verdict

ANSWERS = {
    "ch1-ex2": {"breakeven_price": 0.1742, "breakeven_j_th": 145.2},
    "ch1-ex3": {"slow_months": {"items": ["2021-06", "2018-11", "2020-05", "2019-01"], "ranks": [1, 2, 3, 3]}},
    "ch1-ex4": {"revenue_change": -0.4111, "hashprice_change": -0.327},
    "ch2-ex3": {"blend_day": "2021-07-03", "share_new": 0.62},
    "ch3-ex2": {"loss_start": "2021-04-16 06:00"},
    "ch3-ex3": {"max_power": 0.41, "days_needed": 60.0},
    "ch5-ex2": {"top_fee_days": ["2024-04-20", "2023-05-08", "2023-05-07", "2024-04-21", "2023-12-16"]},
}


@pytest.fixture(autouse=True)
def book_answers(monkeypatch):
    monkeypatch.setattr(exercises, "answers", lambda: ANSWERS)


def said(capsys, label, **given) -> list[str]:
    self_check(label, **given)
    return capsys.readouterr().out.strip().split("\n")


def test_blanks_left_as_given_say_not_yet(capsys):
    assert said(capsys, "ch1-ex2", breakeven_price=..., breakeven_j_th=...) == [
        "Exercise ch1-ex2: not yet. Fill in breakeven_price, breakeven_j_th, then run this cell again."]
    assert said(capsys, "ch1-ex2", breakeven_price=0.1742, breakeven_j_th=...) == [
        "Exercise ch1-ex2: not yet. Fill in breakeven_j_th, then run this cell again."]


def test_right_answers_within_the_tolerance_say_correct(capsys):
    assert said(capsys, "ch1-ex2", breakeven_price=0.1750, breakeven_j_th=144.0) == [
        "Exercise ch1-ex2: all correct.", "  breakeven_price: correct.", "  breakeven_j_th: correct."]
    # Relative tolerance 1%: 1.5% off is not correct.
    assert said(capsys, "ch1-ex2", breakeven_price=0.1742 * 1.015, breakeven_j_th=145.2)[1] == \
        "  breakeven_price: your value 0.1768 is far from the book's."
    # Absolute tolerance of half a point on a fraction; numpy and pandas scalars are numbers too.
    import numpy as np

    out = said(capsys, "ch1-ex4", revenue_change=np.float64(-0.4141), hashprice_change=pd.Series([-0.327]).iloc[0])
    assert out[0] == "Exercise ch1-ex4: all correct."
    assert said(capsys, "ch1-ex4", revenue_change=-0.4171, hashprice_change=-0.327)[0] == "Exercise ch1-ex4: not yet."


def test_the_usual_mistakes_get_a_pointer_and_never_the_book_value(capsys):
    out = said(capsys, "ch1-ex2", breakeven_price=174.2, breakeven_j_th=0.1452)
    assert out[1] == "  breakeven_price: your value 174.2 looks like a factor of 1,000: check the units (TH/s or PH/s? kWh or Wh?)."
    assert out[2].startswith("  breakeven_j_th: your value 0.1452 looks like a factor of 1,000")
    out = said(capsys, "ch1-ex4", revenue_change=-41.11, hashprice_change=0.327)
    assert out[1] == "  revenue_change: your value -41.11 looks like a percentage where a fraction is asked, or the reverse."
    assert out[2] == "  hashprice_change: your value 0.327 has the wrong sign: a fall is negative."
    out = said(capsys, "ch1-ex3", slow_months=["2021-06"])
    assert out[1] == ("  slow_months: 1 of your 1 are among the book's 4. Leave out the month still in progress, "
                      "and any month before 2016.")
    for line in out + said(capsys, "ch1-ex2", breakeven_price=12.4, breakeven_j_th=99):
        assert "0.174" not in line and "145" not in line


def test_dates_lists_and_rankings(capsys):
    # A timestamp, a string or a one-row selection's label: the same day.
    assert said(capsys, "ch2-ex3", blend_day=pd.Timestamp("2021-07-03"), share_new=0.625)[0] == "Exercise ch2-ex3: all correct."
    assert said(capsys, "ch2-ex3", blend_day="2021-07-04", share_new=0.62)[1] == "  blend_day: 2021-07-04 is not the book's answer."
    assert said(capsys, "ch3-ex2", loss_start=pd.Timestamp("2021-04-16 06:00"))[0] == "Exercise ch3-ex2: all correct."
    assert said(capsys, "ch3-ex2", loss_start=pd.Timestamp("2021-04-16 12:00"))[1] == (
        "  loss_start: 2021-04-16 12:00 is not the book's answer. Look for the first step whose upper limit is below 1.")
    # A set: any order, from a list, an index, or a Series (its labels).
    days = pd.to_datetime(ANSWERS["ch5-ex2"]["top_fee_days"])
    fee_share = pd.Series([0.7, 0.6, 0.5, 0.4, 0.3], index=days[::-1])
    assert said(capsys, "ch5-ex2", top_fee_days=fee_share)[0] == "Exercise ch5-ex2: all correct."
    assert said(capsys, "ch5-ex2", top_fee_days=list(days[:4]) + [pd.Timestamp("2022-01-01")])[1] == (
        "  top_fee_days: 4 of your 5 are among the book's 5.")
    # A ranking: months tied in the book's ranking may come in either order; others may not.
    months = pd.to_datetime(["2021-06-01", "2018-11-01", "2019-01-01", "2020-05-01"])
    assert said(capsys, "ch1-ex3", slow_months=months)[0] == "Exercise ch1-ex3: all correct."
    assert said(capsys, "ch1-ex3", slow_months=months[[1, 0, 2, 3]])[1] == (
        "  slow_months: the right ones, in another order: sort them, slowest first.")
    # A count is a number with no tolerance.
    assert said(capsys, "ch3-ex3", max_power=0.42, days_needed=70)[2] == "  days_needed: your value 70 is far from the book's."


def test_an_answer_of_the_wrong_kind_says_so(capsys):
    out = said(capsys, "ch2-ex3", blend_day=pd.Series(pd.to_datetime(["2021-07-03", "2021-07-04"])), share_new=[0.6])
    assert out[1] == "  blend_day: not an answer of the right kind (several dates, where one is asked for): the day the July 2021 retarget took effect."
    assert out[2].startswith("  share_new: not an answer of the right kind (a table or a list, where one number is asked for)")
    assert verdict(Blank("x", "a number"), float("nan"), 1.0) == "x: nan is not a number yet."
    assert said(capsys, "ch9-ex9", x=1) == ["ch9-ex9: no such exercise"]


def test_every_coding_exercise_has_blanks_a_solution_and_a_cell_of_each_kind():
    assert set(SOLUTIONS) == set(EXERCISES) and len(EXERCISES) >= 16
    for label, blanks in EXERCISES.items():
        blank, solved = blanks_cell(label), solved_cell(label)
        names = [b.name for b in blanks]
        assert [line.split(" = ...")[0].strip() for line in blank.splitlines() if " = ..." in line] == names
        assert blank.splitlines()[-1] == solved.splitlines()[-1] == f'self_check("{label}", ' + ", ".join(
            f"{n}={n}" for n in names) + ")"
        # The solution assigns every blank; the blanks cell shows none of the solution's code.
        for name in names:
            assert re.search(rf"(^|[ ,]){name}(,| =)", SOLUTIONS[label], re.M), (label, name)
        assert SOLUTIONS[label].splitlines()[0] not in blank


def test_the_recorded_answers_are_plain_json_of_the_right_kind():
    import math

    recorded = json.loads(json.dumps({label: {b.name: exercises.plain(b, value) for b, value in zip(EXERCISES[label], values)}
                                      for label, values in {"ch1-ex4": (-0.41, -0.33), "ch2-ex2": (pd.Timestamp("2021-05-01"), 22.5)}.items()}))
    assert recorded == {"ch1-ex4": {"revenue_change": -0.41, "hashprice_change": -0.33},
                        "ch2-ex2": {"peak_month": "2021-05", "peak_share": 22.5}}
    with pytest.raises(ValueError, match="record"):
        exercises.record("ch1-ex4", revenue_change=-0.4)
    missing = {label: {} for label in EXERCISES if label != "ch5-ex3"}
    with pytest.raises(ValueError, match="ch5-ex3"):
        exercises.write_answers(missing, None)
    assert not math.isnan(exercises.plain(EXERCISES["ch3-ex3"][1], 60))
