"""The committed snapshots: described, licensed, hashed, valid, and reproducible from the sources."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time

import pandas as pd
import pytest
from frictionless import Package

from conftest import ROOT
from minebook import SnapshotError, data, load, paths, refresh_lock
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


# --- load, unit by unit: a small data folder made here -----------------------------------------------------

MINI_FIELDS = [
    {"name": "date", "type": "date", "constraints": {"required": True}},
    {"name": "time", "type": "datetime", "format": "%Y-%m-%dT%H:%M:%SZ", "constraints": {"required": True}},
    {"name": "blocks", "type": "integer", "constraints": {"required": True, "minimum": 0}},
    {"name": "spare", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "plain", "type": "integer"},
    {"name": "price", "type": "number"},
    {"name": "code", "type": "string"},
]
MINI_CSV = (b"date,time,blocks,spare,plain,price,code\n"
            b"2021-06-01,2021-04-10T12:30:05Z,144,3,,35000,007\n"
            b"2021-06-02,2021-04-10T23:59:59Z,150,,5,35100.5,\n")


def mini_folder(folder, csv=MINI_CSV, fields=MINI_FIELDS, name="mini", path="mini.csv", before=()):
    """A data folder holding one snapshot and a datapackage.json whose hash matches it."""
    folder.mkdir(exist_ok=True)
    (folder / "mini.csv").write_bytes(csv)
    res = {"name": name, "path": path, "hash": "sha256:" + hashlib.sha256(csv).hexdigest(), "schema": {"fields": fields}}
    (folder / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [*before, res]}))
    return folder


def data_folder_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def refused(call, *args) -> str:
    with pytest.raises(SnapshotError) as info:
        call(*args)
    return str(info.value)


def test_load_types_each_column_by_its_schema(tmp_path):
    frame = load("mini", mini_folder(tmp_path / "d"))
    assert list(frame.columns) == ["date", "time", "blocks", "spare", "plain", "price", "code"]
    assert frame["date"].tolist() == [pd.Timestamp("2021-06-01"), pd.Timestamp("2021-06-02")]
    # Header times are read as naive UTC, as the snapshot wrote them, not as a zone-aware guess.
    assert frame["time"].dt.tz is None
    assert frame["time"].tolist() == [pd.Timestamp("2021-04-10 12:30:05"), pd.Timestamp("2021-04-10 23:59:59")]
    assert frame["blocks"].dtype == "int64" and frame["blocks"].tolist() == [144, 150]
    # An integer column that may be blank keeps its gaps (Int64), required or not in its constraints.
    assert frame["spare"].dtype == "Int64" and frame["spare"].isna().tolist() == [False, True]
    assert frame["plain"].dtype == "Int64" and frame["plain"].isna().tolist() == [True, False]
    assert frame["price"].dtype == "float64" and frame["price"].tolist() == [35000.0, 35100.5]
    assert frame["code"].iloc[0] == "007" and pd.isna(frame["code"].iloc[1])


def test_load_reads_only_a_blank_cell_as_a_gap(tmp_path):
    # A source's text is data: a country, model or label spelled "NA", "None" or "null" must not become a gap.
    csv = MINI_CSV.replace(b",007\n", b",NA\n").replace(b",\n", b",None\n")
    frame = load("mini", mini_folder(tmp_path / "d", csv=csv))
    assert frame["code"].tolist() == ["NA", "None"]
    assert frame["spare"].isna().tolist() == [False, True] and frame["plain"].isna().tolist() == [True, False]


def test_load_skips_entries_that_are_not_resources(tmp_path):
    folder = mini_folder(tmp_path / "d", before=["junk", {"path": "x.csv"}, {"name": "other", "path": "x.csv"}])
    assert load("mini", folder)["blocks"].tolist() == [144, 150]
    assert data.resource("other", folder) == {"name": "other", "path": "x.csv"}
    assert data.names(folder) == ["other", "mini"]


def test_load_reads_the_default_folder_from_the_environment(tmp_path, monkeypatch):
    folder = mini_folder(tmp_path / "d")
    monkeypatch.setenv("MINEBOOK_DATA_DIR", str(folder))
    assert load("mini")["blocks"].tolist() == [144, 150]
    assert data.names() == ["mini"]
    assert data.package()["name"] == "p"


def test_load_refuses_a_changed_snapshot_with_the_whole_message(tmp_path):
    folder = mini_folder(tmp_path / "d")
    (folder / "mini.csv").write_bytes(MINI_CSV.replace(b"144", b"145"))
    assert refused(load, "mini", folder) == (
        "mini.csv does not match the sha256 recorded in datapackage.json: it was changed by hand or by an "
        "interrupted copy; restore it with `git checkout data/` or rebuild it with `make data`")


def test_load_refuses_a_missing_snapshot_an_unknown_name_and_a_missing_package(tmp_path, monkeypatch):
    folder = mini_folder(tmp_path / "d")
    (folder / "mini.csv").unlink()
    assert refused(load, "mini", folder) == f"{folder / 'mini.csv'} is missing: restore it with `git checkout data/` or run `make data`"
    assert refused(load, "nope", folder) == "no data set named 'nope' in datapackage.json"
    (folder / "datapackage.json").unlink()
    monkeypatch.setattr(paths, "in_checkout", lambda: True)
    assert refused(load, "mini", folder) == f"{folder / 'datapackage.json'} is missing: run `make data` to build the snapshots"
    # Outside a checkout the reader has no `make data`: say where the snapshots come from instead.
    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    assert refused(data.names, folder) == (
        f"no data found (looked for {folder / 'datapackage.json'}): install the book's package, which carries them "
        "(`pip install -r requirements.txt` in the classroom kit's folder)")


def test_load_records_the_last_day_covered(tmp_path):
    data.USED.pop("mini", None)
    load("mini", mini_folder(tmp_path / "d"))
    assert data.USED["mini"] == "2 Jun 2021"


def test_load_from_the_committed_data_records_what_chapters_cite(tmp_path):
    folder = data_folder_copy(tmp_path)
    load("cbeci_country_shares", folder)
    load("electricity_share_by_source", folder)
    load("asic_efficiency_f2pool", folder)
    assert data.USED["cbeci_country_shares"] == "Jan 2022"
    assert data.USED["electricity_share_by_source"] == str(int(load("electricity_share_by_source", folder)["year"].max()))
    assert data.USED["asic_efficiency_f2pool"] == ""
    assert data.names(folder) == [s.name for s in SOURCES]


# --- last_covered ------------------------------------------------------------------------------------------

def test_last_covered_formats_day_time_month_year_and_none():
    day = pd.to_datetime(["2022-01-05", "2021-12-31"])
    assert data.last_covered(pd.DataFrame({"date": day})) == "5 Jan 2022"
    assert data.last_covered(pd.DataFrame({"time": pd.to_datetime(["2021-04-26 23:59:59", "2022-01-14 08:00:00"])})) == "14 Jan 2022"
    assert data.last_covered(pd.DataFrame({"month": pd.to_datetime(["2021-09-01", "2022-01-01"])})) == "Jan 2022"
    assert data.last_covered(pd.DataFrame({"year": [2019, 2023.0, 2020]})) == "2023"
    assert data.last_covered(pd.DataFrame({"model": ["S9"]})) == ""


def test_last_covered_takes_the_first_dated_column_that_has_a_value():
    both = pd.DataFrame({"date": pd.to_datetime(["2021-03-09"]), "time": pd.to_datetime(["2022-11-20"]),
                         "month": pd.to_datetime(["2023-05-01"]), "year": [2024]})
    assert data.last_covered(both) == "9 Mar 2021"
    blank_date = both.assign(date=pd.NaT)
    assert data.last_covered(blank_date) == "20 Nov 2022"
    assert data.last_covered(blank_date.assign(time=pd.NaT)) == "May 2023"
    assert data.last_covered(pd.DataFrame({"released": pd.to_datetime(["2020-01-01"]), "year": [2019]})) == "2019"


# --- snapshot_path -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, why", [
    ("/etc/passwd", "path '/etc/passwd' is a URL or an absolute path; only files inside the data folder are read"),
    ("https://example.org/x.csv", "path 'https://example.org/x.csv' is a URL or an absolute path; only files inside the data folder are read"),
    ("file://x.csv", "path 'file://x.csv' is a URL or an absolute path; only files inside the data folder are read"),
    ("C:x.csv", "path 'C:x.csv' is a URL or an absolute path; only files inside the data folder are read"),
    ("../x.csv", "path '../x.csv' uses '..' to leave the data folder"),
    ("sub/../../x.csv", "path 'sub/../../x.csv' uses '..' to leave the data folder"),
    ("..\\x.csv", "path '..\\\\x.csv' uses '..' to leave the data folder"),
    ("", "datapackage.json gives it no file path"),
    ("   ", "datapackage.json gives it no file path"),
    (None, "datapackage.json gives it no file path"),
    (7, "datapackage.json gives it no file path"),
])
def test_snapshot_path_refuses_anything_outside_the_folder(tmp_path, rel, why):
    assert refused(data.snapshot_path, {"name": "fred_dff", "path": rel}, tmp_path) == f"data set 'fred_dff': {why}"


def test_snapshot_path_refuses_a_symlink_out_and_accepts_one_in(tmp_path):
    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    outside = tmp_path / "secret.csv"
    outside.write_text("x\n")
    (folder / "link.csv").symlink_to(outside)
    assert (refused(data.snapshot_path, {"name": "x", "path": "link.csv"}, folder)
            == f"data set 'x': 'link.csv' is a symlink to {outside}, outside the data folder")
    (folder / "sub" / "in.csv").write_text("x\n")
    (folder / "inner.csv").symlink_to(folder / "sub" / "in.csv")
    assert data.snapshot_path({"name": "x", "path": "inner.csv"}, folder) == folder / "inner.csv"
    assert data.snapshot_path({"name": "x", "path": "sub/in.csv"}, folder) == folder / "sub" / "in.csv"


def test_snapshot_path_inside_a_folder_reached_by_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    assert data.snapshot_path({"name": "x", "path": "a.csv"}, tmp_path / "alias") == tmp_path / "alias" / "a.csv"


# --- an interrupted refresh ----------------------------------------------------------------------------------

def journalled(folder, files: dict[str, bytes]):
    """A refresh killed after its journal was written and before any rename: what its staging folder holds."""
    staging = folder / (refresh_lock.STAGING_PREFIX + "killed")
    staging.mkdir()
    for name, body in files.items():
        (staging / name).write_bytes(body)
    (staging / refresh_lock.JOURNAL).write_text(json.dumps(list(files)))
    return staging


def test_load_finishes_a_journalled_refresh_before_reading(tmp_path):
    folder = mini_folder(tmp_path / "d")
    new_csv = MINI_CSV.replace(b"144", b"146")
    pkg = json.loads((folder / "datapackage.json").read_text())
    pkg["resources"][0]["hash"] = "sha256:" + hashlib.sha256(new_csv).hexdigest()
    staging = journalled(folder, {"mini.csv": new_csv, "datapackage.json": json.dumps(pkg).encode()})
    abandoned = folder / (refresh_lock.STAGING_PREFIX + "never-committed")
    abandoned.mkdir()
    assert load("mini", folder)["blocks"].tolist() == [146, 150]
    assert (folder / "mini.csv").read_bytes() == new_csv
    assert not staging.exists() and not abandoned.exists()


def test_a_folder_without_a_journal_is_read_as_it_is(tmp_path):
    folder = mini_folder(tmp_path / "d")
    abandoned = folder / (refresh_lock.STAGING_PREFIX + "never-committed")
    abandoned.mkdir()
    (abandoned / "mini.csv").write_bytes(b"junk")
    assert load("mini", folder)["blocks"].tolist() == [144, 150]
    assert (abandoned / "mini.csv").read_bytes() == b"junk"   # no refresh to finish: nothing is touched


def test_an_unreadable_journal_is_refused_with_what_to_do(tmp_path):
    folder = mini_folder(tmp_path / "d")
    staging = folder / (refresh_lock.STAGING_PREFIX + "broken")
    staging.mkdir()
    (staging / refresh_lock.JOURNAL).write_text("not json")
    assert refused(load, "mini", folder) == (
        f"{folder}: an interrupted refresh could not be finished ({staging}/journal.json: an interrupted refresh left "
        "a journal that cannot be read (Expecting value: line 1 column 1 (char 0)); restore the data folder with "
        "`git checkout data/`); run `make data` or restore the folder with `git checkout data/`")


def test_a_refresh_still_running_is_waited_for_30_seconds_then_named(tmp_path, monkeypatch):
    folder = mini_folder(tmp_path / "d")
    journalled(folder, {"mini.csv": MINI_CSV})
    clock = [0.0]
    # A fake clock: the wait is measured, not sat through.
    monkeypatch.setattr(refresh_lock.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(refresh_lock.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert refused(load, "mini", folder) == (
            f"{folder}: an interrupted refresh could not be finished (another refresh is running on {folder}); "
            "run `make data` or restore the folder with `git checkout data/`")
    finally:
        os.close(fd)
    assert clock[0] == pytest.approx(30.0, abs=0.11)
