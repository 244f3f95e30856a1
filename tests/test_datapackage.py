"""datapackage.py: the exact bytes of a snapshot and of datapackage.json, every key of a resource's descriptor,
and a refresh recomputed from the committed data that reproduces the committed files byte for byte."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from minebook import datapackage, load
from minebook.datapackage import csv_bytes, dumps, field_descriptor, merged, read, resource_descriptor
from minebook.sources import CC0, SOURCES, Field, Source

DATA = ROOT / "data"
# The package's own description, as the committed datapackage.json publishes it.
PACKAGE = {key: value for key, value in json.loads((DATA / "datapackage.json").read_text()).items() if key != "resources"}


def source(fields, key, url="", homepage="", caveat="", name="t") -> Source:
    return Source(name=name, title="A title", publisher="A publisher", url=url, homepage=homepage, licence=CC0,
                  citation="A citation", mirror=(), parse=lambda raw: pd.DataFrame(), fields=tuple(fields),
                  primary_key=tuple(key), description="What it is.", caveat=caveat)


def written(tmp_path, data: bytes, name="t.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- csv_bytes -----------------------------------------------------------------------------------------

MIXED = source([Field("day", "date", ""), Field("at", "datetime", ""), Field("x", "number", ""),
                Field("n", "integer", "", required=False), Field("s", "string", "")], ["day"])


def test_csv_bytes_is_iso_dates_shortest_floats_blank_gaps_and_newlines():
    frame = pd.DataFrame({
        "day": pd.to_datetime(["2021-06-01", "2021-06-02", "2021-06-03"]),
        "at": pd.to_datetime(["2021-04-10 12:30:05", "2021-04-10 00:00:00", "2022-01-01 23:59:59"]),
        "x": [0.1, np.nan, 1e-07],
        "n": pd.array([3, pd.NA, 144], dtype="Int64"),
        "s": ["plain", "with, comma", "é"],
    }, index=[7, 8, 9])
    before = frame.copy()
    assert csv_bytes(frame, MIXED) == (
        "day,at,x,n,s\n"
        "2021-06-01,2021-04-10T12:30:05Z,0.1,3,plain\n"
        '2021-06-02,2021-04-10T00:00:00Z,,,"with, comma"\n'
        "2021-06-03,2022-01-01T23:59:59Z,1e-07,144,é\n"
    ).encode("utf-8")
    pd.testing.assert_frame_equal(frame, before)   # the caller's frame keeps its dates


def test_csv_bytes_writes_a_date_field_as_its_day_even_with_a_clock_time():
    src = source([Field("day", "date", "")], ["day"])
    frame = pd.DataFrame({"day": pd.to_datetime(["2021-06-01 12:00:00", "2021-06-02 00:00:00"])})
    assert csv_bytes(frame, src) == b"day\n2021-06-01\n2021-06-02\n"


def test_csv_bytes_line_ends_do_not_depend_on_the_system(monkeypatch):
    # A snapshot refreshed on Windows must hash the same as one refreshed here.
    monkeypatch.setattr(os, "linesep", "\r\n")
    src = source([Field("x", "number", "")], ["x"])
    assert csv_bytes(pd.DataFrame({"x": [1.5, 2.0]}), src) == b"x\n1.5\n2.0\n"


def test_csv_bytes_keeps_floats_exact():
    src = source([Field("x", "number", "")], ["x"])
    values = [1 / 3, 21047730572451.55, 0.1 + 0.2, 2.5e16]
    text = csv_bytes(pd.DataFrame({"x": values}), src).decode()
    assert text == "x\n0.3333333333333333\n21047730572451.55\n0.30000000000000004\n2.5e+16\n"
    assert [float(v) for v in text.split()[1:]] == values


# --- field_descriptor ----------------------------------------------------------------------------------

def test_field_descriptor_required_date():
    d = field_descriptor(Field("date", "date", "UTC day"))
    assert list(d.items()) == [("name", "date"), ("type", "date"), ("description", "UTC day"),
                               ("constraints", {"required": True})]


def test_field_descriptor_datetime_has_its_format_and_unit():
    d = field_descriptor(Field("time", "datetime", "Header time", "UTC"))
    assert list(d.items()) == [("name", "time"), ("type", "datetime"), ("description", "Header time"),
                               ("format", "%Y-%m-%dT%H:%M:%SZ"), ("unit", "UTC"), ("constraints", {"required": True})]


def test_field_descriptor_optional_without_bounds_has_no_constraints():
    assert field_descriptor(Field("t", "string", "Time", required=False)) == {"name": "t", "type": "string", "description": "Time"}


def test_field_descriptor_integer_bounds_are_ints():
    d = field_descriptor(Field("blocks", "integer", "Blocks", "blocks/day", 0, 1e3))
    assert list(d.items()) == [("name", "blocks"), ("type", "integer"), ("description", "Blocks"), ("unit", "blocks/day"),
                               ("constraints", {"required": True, "minimum": 0, "maximum": 1000})]
    assert type(d["constraints"]["maximum"]) is int and type(d["constraints"]["minimum"]) is int
    assert json.dumps(field_descriptor(Field("h", "integer", "", None, 0, 1e7))["constraints"]) == '{"required": true, "minimum": 0, "maximum": 10000000}'
    assert json.dumps(field_descriptor(Field("y", "integer", "", None, 2010.0, 2100.0))["constraints"]) == '{"required": true, "minimum": 2010, "maximum": 2100}'


def test_field_descriptor_number_bounds_stay_as_given():
    d = field_descriptor(Field("price_usd", "number", "Price", "USD", 0.01, 1e7, required=False))
    assert d["constraints"] == {"minimum": 0.01, "maximum": 1e7} and list(d["constraints"]) == ["minimum", "maximum"]
    assert type(d["constraints"]["maximum"]) is float
    assert json.dumps(d["constraints"]) == '{"minimum": 0.01, "maximum": 10000000.0}'


def test_field_descriptor_one_bound_only():
    assert field_descriptor(Field("y", "number", "", None, -5, None, required=False))["constraints"] == {"minimum": -5}
    assert field_descriptor(Field("y", "integer", "", None, None, 9.0, required=False))["constraints"] == {"maximum": 9}
    assert field_descriptor(Field("y", "number", "", None, 0, None, required=False))["constraints"] == {"minimum": 0}


# --- resource_descriptor -------------------------------------------------------------------------------

def test_resource_descriptor_every_key_in_order(tmp_path):
    src = source([Field("date", "date", "UTC day"), Field("v", "number", "Value", "USD", 0, 10)], ["date"],
                 url="https://example.org/v.csv", homepage="https://example.org/", caveat="Read it twice.")
    path = written(tmp_path, b"date,v\n2021-06-01,1.0\n")
    # Rows out of date order: the period is the earliest and the latest day, not the first and last row.
    frame = pd.DataFrame({"date": pd.to_datetime(["2021-06-02", "2021-05-30", "2021-06-03", "2021-06-01"]), "v": [1.0] * 4})
    res = resource_descriptor(src, path, frame, "2026-01-02")
    assert list(res.items()) == [
        ("name", "t"), ("path", "t.csv"), ("title", "A title"),
        ("description", "What it is. Caveat: Read it twice."),
        ("format", "csv"), ("mediatype", "text/csv"), ("encoding", "utf-8"),
        ("bytes", 22),
        ("hash", "sha256:" + hashlib.sha256(b"date,v\n2021-06-01,1.0\n").hexdigest()),
        ("schema", {"fields": [
            {"name": "date", "type": "date", "description": "UTC day", "constraints": {"required": True}},
            {"name": "v", "type": "number", "description": "Value", "unit": "USD",
             "constraints": {"required": True, "minimum": 0, "maximum": 10}}],
            "primaryKey": ["date"]}),
        ("sources", [{"title": "A publisher", "path": "https://example.org/v.csv"}]),
        ("licenses", [{"name": "CC0-1.0", "title": "Creative Commons Zero 1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}]),
        ("citation", "A citation"), ("homepage", "https://example.org/"), ("accessed", "2026-01-02"), ("rows", 4),
        ("temporal", {"start": "2021-05-30", "end": "2021-06-03"}),
    ]
    assert type(res["rows"]) is int


def test_resource_descriptor_source_path_falls_back_to_homepage_then_the_facts_file(tmp_path):
    path = written(tmp_path, b"k\n1\n")
    frame = pd.DataFrame({"k": [1]})
    fields = [Field("k", "integer", "")]
    assert resource_descriptor(source(fields, ["k"], homepage="https://example.org/"), path, frame, "x")["sources"] == [
        {"title": "A publisher", "path": "https://example.org/"}]
    res = resource_descriptor(source(fields, ["k"], name="events"), path, frame, "x")
    assert res["sources"] == [{"title": "A publisher", "path": "minebook/facts/events.csv"}]
    assert res["description"] == "What it is." and res["homepage"] == ""
    assert "temporal" not in res   # no date in the key: no period to state


def test_resource_descriptor_period_of_a_key_time_is_its_days(tmp_path):
    src = source([Field("time", "datetime", "")], ["time"])
    frame = pd.DataFrame({"time": pd.to_datetime(["2021-04-10 23:59:00", "2021-04-06 00:01:00"])})
    res = resource_descriptor(src, written(tmp_path, b"x"), frame, "x")
    assert res["temporal"] == {"start": "2021-04-06", "end": "2021-04-10"} and res["bytes"] == 1


def test_sha256_of_a_file(tmp_path):
    assert datapackage.sha256(written(tmp_path, b"abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- read, merged, dumps --------------------------------------------------------------------------------

def test_read_without_a_datapackage_is_the_empty_package(tmp_path):
    assert read(tmp_path) == {**PACKAGE, "resources": []}
    (tmp_path / "datapackage.json").write_text('{"name": "x", "resources": [{"name": "a"}]}')
    assert read(tmp_path) == {"name": "x", "resources": [{"name": "a"}]}


def test_merged_replaces_named_keeps_the_rest_in_registry_order_then_unknown_sorted():
    old = {"name": "old name", "extra": 1, "resources": [
        {"name": "fred_dff", "v": "old"}, {"name": "zzz", "v": "old"}, {"name": "aaa", "v": "old"},
        {"name": "btc_daily", "v": "old"}]}
    out = merged(old, {"fred_dff": {"name": "fred_dff", "v": "new"}, "events": {"name": "events", "v": "new"}})
    assert out == {**PACKAGE, "resources": [
        {"name": "btc_daily", "v": "old"}, {"name": "fred_dff", "v": "new"}, {"name": "events", "v": "new"},
        {"name": "aaa", "v": "old"}, {"name": "zzz", "v": "old"}]}
    assert list(out) == list(PACKAGE) + ["resources"]
    assert merged({}, {"bc_hashrate_daily": {"name": "bc_hashrate_daily"}, "btc_daily": {"name": "btc_daily"}})["resources"] == [
        {"name": "btc_daily"}, {"name": "bc_hashrate_daily"}]


def test_dumps_is_indented_utf8_with_a_final_newline():
    assert dumps({"a": "Zürich", "b": [1, {"c": None}]}) == (
        '{\n  "a": "Zürich",\n  "b": [\n    1,\n    {\n      "c": null\n    }\n  ]\n}\n').encode("utf-8")


# --- the committed snapshots, recomputed ------------------------------------------------------------

def committed_frame(s: Source) -> pd.DataFrame:
    frame = load(s.name, DATA)
    if s.name == "asic_efficiency_f2pool":
        # F2Pool states power in whole watts, so derive gives an int64 column and the snapshot says "3250";
        # load reads every number as float64. The values are the same: give the column its derived type back.
        frame["power_w"] = frame["power_w"].astype("int64")
    return frame


@pytest.mark.parametrize("s", SOURCES, ids=lambda s: s.name)
def test_a_snapshot_rewritten_from_its_loaded_frame_is_byte_identical(s):
    assert csv_bytes(committed_frame(s), s) == (DATA / f"{s.name}.csv").read_bytes()


def test_datapackage_json_recomputed_from_the_snapshots_is_byte_identical():
    """`accessed` is the day a refresh ran, read from the clock, so it is taken from the committed entry; every
    other key is recomputed from the registry and the committed file."""
    committed = json.loads((DATA / "datapackage.json").read_text())
    accessed = {r["name"]: r["accessed"] for r in committed["resources"]}
    fresh = {s.name: resource_descriptor(s, DATA / f"{s.name}.csv", committed_frame(s), accessed[s.name]) for s in SOURCES}
    for old in committed["resources"]:
        assert fresh[old["name"]] == old, old["name"]
    assert dumps(merged(read(DATA), fresh)) == (DATA / "datapackage.json").read_bytes()
    assert dumps(merged({}, fresh)) == (DATA / "datapackage.json").read_bytes()
