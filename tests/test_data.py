"""The committed snapshots: described, licensed, hashed, valid, and reproducible from the sources."""
from __future__ import annotations

import hashlib
import time

import pandas as pd
import pytest
from frictionless import Package

from conftest import ROOT
from minebook import SnapshotError, load, paths
from minebook.data import package
from minebook.fetch import refresh
from minebook.sources import SOURCES

DATA = ROOT / "data"


def test_datapackage_passes_frictionless_validation():
    report = Package(str(DATA / "datapackage.json")).validate()
    errors = [e.message for task in report.tasks for e in task.errors] + [e.message for e in report.errors]
    assert report.valid, errors[:5]
    assert len(report.tasks) == len(SOURCES)


def test_every_resource_is_hashed_licensed_and_sourced():
    pkg = package(DATA)
    assert [r["name"] for r in pkg["resources"]] == [s.name for s in SOURCES]
    described = {r["path"] for r in pkg["resources"]}
    assert described == {p.name for p in DATA.glob("*.csv")}
    for res in pkg["resources"]:
        raw = (DATA / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(raw).hexdigest(), res["name"]
        assert res["bytes"] == len(raw)
        assert res["rows"] == raw.count(b"\n") - 1
        assert res["licenses"][0]["name"] and res["licenses"][0]["path"].startswith("https://")
        assert res["sources"][0]["title"]
        assert res["sources"][0]["path"].startswith("https://") or res["sources"][0]["path"] == f"minebook/facts/{res['name']}.csv"
        assert len(res["accessed"]) == 10


def test_cited_events_each_have_a_source_url():
    events = load("events")
    assert events["source_url"].str.match(r"https://[^ ]+$").all()
    assert events["date"].is_monotonic_increasing


def test_load_returns_typed_frames_quickly():
    start = time.perf_counter()
    frames = {s.name: load(s.name) for s in SOURCES}
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"loading every snapshot took {elapsed:.2f} s"
    btc = frames["btc_daily"]
    assert pd.api.types.is_datetime64_any_dtype(btc["date"])
    assert btc["blocks"].dtype == "int64"
    assert btc["price_usd"].dtype == "float64"
    assert frames["block_timestamps"]["time"].dt.year.min() == 2021


def test_load_refuses_an_altered_file(tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    with open(copy / "fred_dff.csv", "ab") as fh:
        fh.write(b"2099-01-01,0.5\n")
    with pytest.raises(SnapshotError, match="does not match the sha256"):
        load("fred_dff", copy)
    (copy / "fred_sp500.csv").unlink()
    with pytest.raises(SnapshotError, match="fred_sp500.csv is missing"):
        load("fred_sp500", copy)
    with pytest.raises(SnapshotError, match="no data set named 'nope'"):
        load("nope", copy)


@pytest.mark.skipif(not paths.SHARED_SOURCES.is_dir(), reason="../shared/sources is not beside this checkout")
def test_snapshots_are_exactly_what_the_pipeline_makes_from_the_sources(tmp_path):
    """Nothing in data/ was typed by hand: re-deriving from the raw files gives the same bytes."""
    from minebook.mirror import serving

    with serving(paths.SHARED_SOURCES) as base:
        assert refresh(base_url=base, data_dir=tmp_path) == []
    for s in SOURCES:
        assert (tmp_path / f"{s.name}.csv").read_bytes() == (DATA / f"{s.name}.csv").read_bytes(), s.name


def test_no_raw_file_is_committed_byte_for_byte():
    if not paths.SHARED_SOURCES.is_dir():
        pytest.skip("../shared/sources is not beside this checkout")
    raw = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.SHARED_SOURCES.rglob("*") if p.is_file()}
    ours = [p for p in list(DATA.glob("*")) + list((ROOT / "tests" / "fixtures").glob("*")) if p.is_file()]
    assert not [p.name for p in ours if hashlib.sha256(p.read_bytes()).hexdigest() in raw]
