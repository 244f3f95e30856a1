"""The local mirror stands in for the publishers: where it holds several copies of one file, downloaded at
different times, it serves the whole history with each day from the newest copy, so a newer copy dropped into
the folder updates the book by itself. Tested through the real fetch code and a real server on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path

from minebook import load
from minebook.fetch import refresh
from minebook.mirror import assembled, copies, serving


def write(path: Path, header: str, rows: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "".join(f"{d},{v}\n" for d, v in rows.items()), encoding="utf-8")


def days(start: str, end: str, value) -> dict[str, str]:
    import pandas as pd
    return {f"{d:%Y-%m-%d}": value(i) for i, d in enumerate(pd.date_range(start, end))}


def fed_funds(mirror: Path, data: Path):
    with serving(mirror) as base:
        errors = refresh(["fred_dff"], base_url=base, data_dir=data, accessed="2026-12-07")
    assert errors == []
    return load("fred_dff", data).set_index("date")["fed_funds_pct"]


def test_the_newest_copy_wins_and_older_copies_keep_the_years_before(tmp_path):
    mirror, data = tmp_path / "sources", tmp_path / "data"
    write(mirror / "fred" / "DFF.csv", "DATE,DFF", days("2020-01-01", "2020-01-10", lambda i: "1.50"))
    newer = days("2020-01-05", "2020-01-20", lambda i: "1.55")
    newer["2020-01-12"] = ""                                    # FRED's blank: a gap stays a gap
    write(mirror / "fred" / "DFF_2020-01-05_2020-01-20.csv", "observation_date,DFF", newer)
    dff = fed_funds(mirror, data)
    assert f"{dff.index[0]:%F}" == "2020-01-01" and f"{dff.index[-1]:%F}" == "2020-01-20"
    assert len(dff) == 19                                       # 20 days less the gap
    assert dff["2020-01-04"] == 1.50 and dff["2020-01-05"] == 1.55   # the newer copy's revision wins on overlap
    assert "2020-01-12" not in dff.index.strftime("%F")

    # A newer copy appears: the snapshot follows it with no change to the code.
    write(mirror / "fred" / "DFF_2020-01-15_2020-02-15.csv", "observation_date,DFF", days("2020-01-15", "2020-02-15", lambda i: "1.60"))
    dff = fed_funds(mirror, data)
    assert f"{dff.index[-1]:%F}" == "2020-02-15" and dff["2020-01-20"] == 1.60 and dff["2020-01-01"] == 1.50


def test_copies_rank_by_their_last_day_then_by_how_far_back_they_reach(tmp_path):
    write(tmp_path / "X_short.csv", "date,X", days("2021-01-05", "2021-01-31", lambda i: "2"))
    write(tmp_path / "X_long.csv", "date,X", days("2020-01-01", "2021-01-31", lambda i: "3"))
    write(tmp_path / "X_old.csv", "date,X", days("2019-01-01", "2020-12-31", lambda i: "1"))
    assert [p.name for p in copies(tmp_path, "X*.csv")] == ["X_long.csv", "X_short.csv", "X_old.csv"]
    text = assembled(copies(tmp_path, "X*.csv")).decode()
    assert text.splitlines()[0] == "date,X"
    assert text.splitlines()[1] == "2019-01-01,1" and "2020-01-01,3" in text and "2020-12-31,1" not in text


def test_a_copy_the_mirror_cannot_read_is_one_clear_error_line(tmp_path):
    mirror, data = tmp_path / "sources", tmp_path / "data"
    (mirror / "fred").mkdir(parents=True)
    (mirror / "fred" / "DFF.csv").write_text("DATE,DFF\nnot a date,1\n", encoding="utf-8")
    with serving(mirror) as base:
        errors = refresh(["fred_dff"], base_url=base, data_dir=data, accessed="2026-12-07")
    assert len(errors) == 1 and errors[0].startswith("error: fred_dff: HTTP 500")
    assert not (data / "fred_dff.csv").exists()
