"""The refresh path, end to end over real HTTP on 127.0.0.1: success, retries, and every fault
a live download meets. A fault must exit non-zero, name the source and the reason in one line,
and leave every file in data/ byte for byte as it was."""
from __future__ import annotations

import csv
import re
import io
import os
import subprocess
import sys
import time

import pandas as pd
import pytest

from conftest import ROOT, snapshot_bytes
from fixture_server import FIXTURES
from minebook import load
from minebook.__main__ import main
from minebook.fetch import refresh
from minebook.mirror import routes
from minebook.sources import SOURCES


def fixture_rows(name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((FIXTURES / f"{name}.csv").read_text(encoding="utf-8-sig"))))


def edit_cell(column: str, row: int, value: str):
    def edit(text: str) -> str:
        rows = list(csv.reader(io.StringIO(text)))
        rows[row + 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()
    return edit


def edit_lines(change):
    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        return "".join(change(lines))
    return edit


def swap(lines):
    lines[2], lines[3] = lines[3], lines[2]
    return lines


# --- the success path -------------------------------------------------------------------

def test_success_path_derives_the_fixture_values(good_snapshot):
    raw = {r["time"]: r for r in fixture_rows("btc_daily")}
    btc = load("btc_daily", good_snapshot).set_index("date")
    assert len(btc) == len(raw) == 30
    day = raw["2021-06-15"]
    assert btc.loc["2021-06-15", "price_usd"] == pytest.approx(float(day["PriceUSD"]), rel=1e-12)
    assert btc.loc["2021-06-15", "hashrate_ehs"] == pytest.approx(float(day["HashRate"]) / 1e6, rel=1e-12)
    assert btc.loc["2021-06-15", "blocks"] == int(day["BlkCnt"])
    assert btc.loc["2021-06-15", "fees_usd_computed"] == pytest.approx(float(day["FeeTotNtv"]) * float(day["PriceUSD"]), rel=1e-12)


def test_blockchain_com_stamps_at_23h_move_to_the_next_utc_day(good_snapshot):
    raw = fixture_rows("bc_difficulty_daily")
    assert raw[0]["Timestamp"] == "2021-12-05 23:00:00"
    diff = load("bc_difficulty_daily", good_snapshot)
    assert diff["date"].iloc[0] == pd.Timestamp("2021-12-06")
    assert diff["difficulty"].iloc[0] == float(raw[0]["difficulty"])
    assert diff["date"].diff().dropna().eq(pd.Timedelta(days=1)).all()


def test_fred_missing_days_are_gaps_not_values(good_snapshot):
    raw = fixture_rows("fred_dgs10")
    blank = [r["observation_date"] for r in raw if r["DGS10"] in ("", ".")]
    assert blank, "the fixture should contain a market holiday"
    dgs10 = load("fred_dgs10", good_snapshot)
    assert not dgs10["date"].isin(pd.to_datetime(blank)).any()
    assert len(dgs10) == len(raw) - len(blank)


def test_cbeci_labels_and_percent_signs(good_snapshot):
    shares = load("cbeci_country_shares", good_snapshot)
    assert set(shares["country"]) >= {"China", "Russia", "Iran", "Germany"}
    july = shares[(shares["month"] == "2021-07-01")].set_index("country")["share_pct"]
    assert july["China"] == 0.0
    assert july.sum() == pytest.approx(100, abs=0.1)


def test_block_timestamps_keep_both_windows(good_snapshot):
    blocks = load("block_timestamps", good_snapshot)
    assert len(blocks) == 80
    assert blocks["time"].dt.year.value_counts().to_dict() == {2021: 40, 2022: 40}


def test_mirror_paths_are_unique_per_source():
    fetched = [s for s in SOURCES if not s.curated]
    assert len(routes(ROOT)) == len(fetched)


# --- retries that end well ----------------------------------------------------------------

def test_http_500_then_success_is_retried(server, data_copy, quick_network):
    server.fault("fred_sp500", "status", status=500, times=1)
    assert refresh(["fred_sp500"], server.base_url, data_copy) == []
    assert max(server.hits.values()) == 2


def test_429_with_retry_after_is_honoured(server, data_copy, quick_network):
    server.fault("fred_sp500", "status", status=429, times=1, headers={"Retry-After": "1"})
    start = time.perf_counter()
    assert refresh(["fred_sp500"], server.base_url, data_copy) == []
    assert time.perf_counter() - start >= 1.0
    assert max(server.hits.values()) == 2


# --- faults that must lose nothing ---------------------------------------------------------

FAULTS = {
    "http-500-forever": ("fred_sp500", dict(kind="status", status=500), r"HTTP 500 Internal Server Error"),
    "429-forever": ("fred_sp500", dict(kind="status", status=429, headers={"Retry-After": "0"}), r"HTTP 429 Too Many Requests"),
    "hang": ("fred_dgs10", dict(kind="hang", seconds=8), r"timed out"),
    "truncated": ("btc_daily", dict(kind="truncate"), r"truncated"),
    "html-error-page": ("cbeci_country_shares", dict(kind="body", body=b"<!DOCTYPE html><html><body>Service unavailable</body></html>"), r"HTML page"),
    "empty-body": ("asic_efficiency_f2pool", dict(kind="body", body=b""), r"empty response"),
    "renamed-column": ("btc_daily", dict(kind="edit", edit=lambda t: t.replace(",PriceUSD,", ",Price,", 1)), r"missing column.*'PriceUSD'"),
    "missing-column": ("fred_sp500", dict(kind="edit", edit=lambda t: "\n".join(l.split(",")[0] for l in t.splitlines())), r"missing column.*'SP500'"),
    "duplicate-dates": ("btc_daily", dict(kind="edit", edit=edit_lines(lambda ls: ls[:8] + [ls[7]] + ls[8:])), r"duplicate rows at date=2021-06-07"),
    "out-of-order-dates": ("fred_nasdaqcom", dict(kind="edit", edit=edit_lines(swap)), r"date out of order: 2021-12-21 follows 2021-12-22"),
    "negative-value": ("btc_daily", dict(kind="edit", edit=edit_cell("PriceUSD", 3, "-5")), r"price_usd = -5 at date=2021-06-04 is below the plausible minimum"),
    "absurd-value": ("cbeci_country_shares", dict(kind="edit", edit=edit_cell("monthly_absolute_hashrate_EH/S", 0, "99999")), r"hashrate_ehs = 99999 .* above the plausible maximum"),
    "not-a-number": ("fred_dff", dict(kind="edit", edit=edit_cell("DFF", 2, "n/a")), r"non-numeric value 'n/a'"),
}


@pytest.mark.parametrize("case", sorted(FAULTS))
def test_fault_leaves_data_untouched(case, server, data_copy, quick_network, capsys):
    name, fault, reason = FAULTS[case]
    server.fault(name, **fault)
    before = snapshot_bytes(data_copy)
    code = main(["fetch", "--base-url", server.base_url, "--data-dir", str(data_copy)])
    out, err = capsys.readouterr()
    err = err.splitlines()
    assert code == 1
    assert len(err) == 1, err
    assert out.strip() == f"{data_copy} left unchanged."
    assert err[0].startswith(f"error: {name}: ")
    assert re.search(reason, err[0]), err[0]
    assert snapshot_bytes(data_copy) == before
    assert not [p for p in data_copy.iterdir() if p.name.startswith(".staging")]


def test_cli_exit_code_and_message_in_a_fresh_process(server, data_copy):
    server.fault("fred_dgs10", "body", body=b"<html>Bad gateway</html>")
    before = snapshot_bytes(data_copy)
    env = {**os.environ, "MINEBOOK_RETRIES": "0", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "minebook", "fetch", "fred_dgs10", "fred_sp500", "--base-url", server.base_url, "--data-dir", str(data_copy)],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[0] == "error: fred_dgs10: got an HTML page where a CSV file was expected"
    assert snapshot_bytes(data_copy) == before


def test_successful_refresh_replaces_only_what_it_fetched(server, data_copy):
    before = snapshot_bytes(data_copy)
    server.fault("fred_sp500", "edit", edit=edit_cell("SP500", 0, "4000.5"))
    assert refresh(["fred_sp500"], server.base_url, data_copy, accessed="2026-02-02") == []
    after = snapshot_bytes(data_copy)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"fred_sp500.csv", "datapackage.json"}
    assert load("fred_sp500", data_copy)["sp500"].iloc[0] == 4000.5
