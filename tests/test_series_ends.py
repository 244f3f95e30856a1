"""Data that say how old they are (issue 18): on every chart of every page, lines that end on different days
(more than a week apart) each end in a dot, so a series that stops is never read as one that runs on."""
from __future__ import annotations

import pandas as pd
import pytest

from notebooks import CHAPTERS, chart_specs, executed

pytestmark = pytest.mark.slow


def layers(spec: dict, data: dict | None = None):
    """Every single view of a (layered) spec with the data it draws: its own, or its parent layer's."""
    data = spec.get("data") or data
    for key in ("layer", "vconcat", "hconcat", "concat"):
        if key in spec:
            for part in spec[key]:
                yield from layers(part, data)
            return
    yield spec, data


def drawn(root: dict, data: dict | None) -> pd.DataFrame:
    data = data or {}
    return pd.DataFrame(root.get("datasets", {}).get(data["name"], []) if "name" in data else data.get("values", []))


def line_ends_and_dots(spec: dict) -> tuple[dict, set]:
    ends, dots = {}, set()
    for view, data in layers(spec):
        mark = view.get("mark")
        mark = mark.get("type") if isinstance(mark, dict) else mark
        enc = view.get("encoding", {})
        x, y = enc.get("x", {}), enc.get("y", {}).get("field")
        frame = drawn(spec, data)
        if x.get("type") != "temporal" or x.get("field") not in frame:
            continue
        frame[x["field"]] = pd.to_datetime(frame[x["field"]])
        if mark == "line":
            series = (enc.get("color") or enc.get("strokeDash") or {}).get("field")
            for name, part in (frame.groupby(series) if series in frame else [("line", frame)]):
                ends[str(name)] = part.dropna(subset=[y] if y in part else [])[x["field"]].max()
        elif mark in ("point", "circle"):
            dots |= set(frame[x["field"]])
    return ends, dots


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_lines_that_stop_early_end_in_a_dot(chapter):
    for spec in chart_specs(executed(chapter)):
        ends, dots = line_ends_and_dots(spec)
        if len(ends) > 1 and max(ends.values()) - min(ends.values()) > pd.Timedelta(days=7):
            assert [s for s, day in ends.items() if day not in dots] == [], spec["title"]["text"]


def test_the_check_sees_a_line_that_stops_without_a_dot():
    """The test above can fail: two lines, one ending a year early, and no dot."""
    values = [{"date": "2020-01-01", "v": 1, "s": "a"}, {"date": "2021-01-01", "v": 2, "s": "a"},
              {"date": "2020-01-01", "v": 1, "s": "b"}, {"date": "2022-01-01", "v": 2, "s": "b"}]
    spec = {"layer": [{"mark": "line", "data": {"values": values},
                       "encoding": {"x": {"field": "date", "type": "temporal"}, "y": {"field": "v"},
                                    "color": {"field": "s"}}}]}
    ends, dots = line_ends_and_dots(spec)
    assert ends == {"a": pd.Timestamp("2021-01-01"), "b": pd.Timestamp("2022-01-01")} and dots == set()
    spec["layer"].append({"layer": [{"mark": {"type": "point"}, "encoding": {"x": {"field": "date", "type": "temporal"}}}],
                          "data": {"values": [{"date": "2021-01-01"}]}})
    assert line_ends_and_dots(spec)[1] == {pd.Timestamp("2021-01-01")}
