"""The refresh against servers that lie, stall or loop, and command lines that are wrong: each failure is
one `error:` line and a non-zero exit, never a traceback, and the data folder stays byte for byte as it was.
Every case runs the real command in a fresh process against a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, snapshot_bytes
from fixture_server import url_key
from minebook import SnapshotError, load
from minebook.fetch import shrink
from minebook.sources import BY_NAME

SP500 = url_key(BY_NAME["fred_sp500"].url)
QUICK = {"MINEBOOK_RETRIES": "0", "MINEBOOK_CONNECT_TIMEOUT": "2", "MINEBOOK_READ_TIMEOUT": "5", "PYTHONPATH": str(ROOT)}


def fetch(*args, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "minebook", "fetch", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **QUICK, **(env or {})}, timeout=timeout)


def sp500(server, data, *more, env=None) -> subprocess.CompletedProcess:
    return fetch("fred_sp500", "--base-url", server.base_url, "--data-dir", data, *more, env=env)


def assert_refused(proc, pattern: str, data, before, code=1):
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert re.fullmatch(pattern, lines[0]), lines[0]
    assert proc.returncode == code
    assert snapshot_bytes(data) == before
    assert not list(data.glob(".staging-*"))


def url(server) -> str:
    return re.escape(server.base_url + SP500)


# --- 1. one clear line for every failure ------------------------------------------------------

def test_redirect_loop(server, data_copy):
    server.fault("fred_sp500", "redirect-loop")
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy), rf"error: fred_sp500: more than 5 redirects from {url(server)} \(a redirect loop\?\)",
                   data_copy, before)
    assert server.hits[SP500] == 6


def test_content_length_that_is_not_a_number(server, data_copy):
    server.fault("fred_sp500", "bad-length", value="abc")
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy), r"error: fred_sp500: invalid Content-Length header 'abc'", data_copy, before)


def test_unknown_data_set_lists_the_valid_names(data_copy):
    before = snapshot_bytes(data_copy)
    proc = fetch("fred_sp500", "nope", "--data-dir", data_copy)
    assert_refused(proc, r"error: unknown data set 'nope'; valid names: .*", data_copy, before, code=2)
    assert proc.stderr.strip().split("valid names: ")[1].split(", ") == list(BY_NAME)


@pytest.mark.parametrize("base", ["ftp://x", "nonsense", "http://", "http://host:port"])
def test_malformed_base_url_is_a_usage_error(base, data_copy):
    before = snapshot_bytes(data_copy)
    proc = fetch("fred_sp500", "--base-url", base, "--data-dir", data_copy)
    assert_refused(proc, rf"error: --base-url {re.escape(repr(base))} is not an http:// or https:// URL with a host",
                   data_copy, before, code=2)


def test_bad_option_is_one_line_too(data_copy):
    before = snapshot_bytes(data_copy)
    assert_refused(fetch("--deadline", "soon", "--data-dir", data_copy),
                   r"error: argument --deadline: 'soon' is not a number of seconds", data_copy, before, code=2)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 555; the folder-under-a-file case covers root")
def test_read_only_data_folder(server, data_copy):
    before = snapshot_bytes(data_copy)
    data_copy.chmod(0o555)
    try:
        assert_refused(sp500(server, data_copy), rf"error: data folder {re.escape(str(data_copy))}: Permission denied \(PermissionError\)",
                       data_copy, before)
    finally:
        data_copy.chmod(0o755)


def test_data_folder_the_os_refuses(server, tmp_path):
    """A data folder under a regular file: the OS refuses it even to root."""
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder\n")
    proc = sp500(server, blocker / "data")
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert re.fullmatch(rf"error: data folder {re.escape(str(blocker / 'data'))}: Not a directory \(NotADirectoryError\)", lines[0])
    assert blocker.read_bytes() == b"not a folder\n"


@pytest.mark.parametrize("text, why", [
    (b"{not json", r"not valid JSON \(Expecting property name enclosed in double quotes: line 1 column 2 \(char 1\)\)"),
    (b'{"resources": "btc_daily"}', r"not a data package \(it needs a list of named resources\)"),
])
def test_invalid_datapackage_json(text, why, server, data_copy):
    (data_copy / "datapackage.json").write_bytes(text)
    before = snapshot_bytes(data_copy)
    path = re.escape(str(data_copy / "datapackage.json"))
    assert_refused(sp500(server, data_copy), rf"error: {path}: {why}; restore it with `git checkout data/`", data_copy, before)
    assert server.hits[SP500] == 0  # refused before downloading anything


@pytest.mark.parametrize("reason, body", [
    ("Bad\r\nerror: forged", b"server error"),
    ("Bad\rerror: forged\x1b[2K", b"server error"),
    ("Bad", b"oops\r\nerror: forged\n" + b"x" * 5000),
])
def test_server_text_cannot_forge_a_second_line(reason, body, server, data_copy):
    server.fault("fred_sp500", "status", status=500, reason=reason, body=body)
    before = snapshot_bytes(data_copy)
    proc = sp500(server, data_copy)
    assert_refused(proc, rf"error: fred_sp500: HTTP 500 Bad.* from {url(server)}.*", data_copy, before)
    line = proc.stderr.splitlines()[0]
    assert line.isprintable() and len(line) < 400
    assert line.count("error:") == 1 + line.count("error: forged") and not line.endswith("error: forged")
    if b"x" * 5000 in body:
        assert line.endswith("...") and "xxxxx" in line


# --- 2. accept what honest servers send, refuse what they should not ---------------------------

@pytest.mark.parametrize("kind", ["gzip", "deflate", "no-length"])
def test_honest_encodings_are_accepted(kind, server, data_copy, good_snapshot):
    server.fault("fred_sp500", kind)
    proc = sp500(server, data_copy)
    assert proc.returncode == 0, proc.stderr
    assert (data_copy / "fred_sp500.csv").read_bytes() == (good_snapshot / "fred_sp500.csv").read_bytes()
    assert len(load("fred_sp500", data_copy)) == len(load("fred_sp500", good_snapshot))


def test_no_length_body_cut_mid_row_is_refused(server, data_copy):
    server.fault("fred_sp500", "no-length-cut")
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy),
                   r"error: fred_sp500: truncated download: no Content-Length, and the last row stops mid-row", data_copy, before)


def test_endless_body_is_cut_at_the_size_cap(server, data_copy):
    server.fault("fred_sp500", "huge")
    before = snapshot_bytes(data_copy)
    start = time.perf_counter()
    proc = sp500(server, data_copy, env={"MINEBOOK_MAX_BYTES": "1000000"})
    assert time.perf_counter() - start < 10
    assert_refused(proc, r"error: fred_sp500: the body passed the 1000000 byte limit for one source; stopped reading", data_copy, before)


def test_announced_huge_body_is_refused_before_reading(server, data_copy):
    server.fault("fred_sp500", "huge", declared=10**12)
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy),
                   r"error: fred_sp500: the server announces 1000000000000 bytes, over the 50000000 byte limit for one source",
                   data_copy, before)


@pytest.mark.parametrize("how", ["option", "env"])
def test_drip_is_cut_off_at_the_deadline(how, server, data_copy):
    server.fault("fred_sp500", "drip", interval=1.0)
    before = snapshot_bytes(data_copy)
    start = time.perf_counter()
    proc = sp500(server, data_copy, "--deadline", "3") if how == "option" else sp500(server, data_copy, env={"MINEBOOK_DEADLINE": "3"})
    assert time.perf_counter() - start < 8
    assert_refused(proc, r"error: fred_sp500: stopped: the refresh ran past its deadline of 3 s \(--deadline\)", data_copy, before)


def test_long_retry_after_fails_at_once(server, data_copy):
    server.fault("fred_sp500", "retry-after-long", seconds=3600)
    before = snapshot_bytes(data_copy)
    start = time.perf_counter()
    proc = sp500(server, data_copy, env={"MINEBOOK_RETRIES": "3"})
    assert time.perf_counter() - start < 8
    assert_refused(proc, r"error: fred_sp500: the server asked to retry after 3600 s \(Retry-After\), longer than the 60 s a refresh waits",
                   data_copy, before)
    assert server.hits[SP500] == 1


def test_retry_after_cap_is_configurable(server, data_copy):
    server.fault("fred_sp500", "retry-after-long", seconds=2)
    before = snapshot_bytes(data_copy)
    proc = sp500(server, data_copy, env={"MINEBOOK_RETRIES": "3", "MINEBOOK_RETRY_AFTER_MAX": "1"})
    assert_refused(proc, r"error: fred_sp500: the server asked to retry after 2 s \(Retry-After\), longer than the 1 s a refresh waits",
                   data_copy, before)


def test_a_retry_wait_past_the_deadline_fails_at_once(server, data_copy):
    server.fault("fred_sp500", "retry-after-long", seconds=20)
    before = snapshot_bytes(data_copy)
    start = time.perf_counter()
    proc = sp500(server, data_copy, "--deadline", "5", env={"MINEBOOK_RETRIES": "3"})
    assert time.perf_counter() - start < 5
    assert_refused(proc, r"error: fred_sp500: a retry in 20 s would run past the refresh deadline of 5 s", data_copy, before)


def test_five_redirects_are_followed_six_are_not(server, data_copy, good_snapshot):
    server.fault("fred_sp500", "redirect", hops=5)
    proc = sp500(server, data_copy)
    assert proc.returncode == 0, proc.stderr
    assert server.hits[SP500] == 6
    server.clear()
    server.fault("fred_sp500", "redirect", hops=6)
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy), rf"error: fred_sp500: more than 5 redirects from {url(server)} \(a redirect loop\?\)",
                   data_copy, before)


def test_a_redirect_whose_body_never_ends_is_followed_without_reading_it(server, data_copy, good_snapshot):
    server.fault("fred_sp500", "redirect-drip", interval=1.0)
    start = time.perf_counter()
    proc = sp500(server, data_copy, "--deadline", "20")
    assert proc.returncode == 0, proc.stderr
    assert time.perf_counter() - start < 10          # the dripping body was never waited for
    assert load("fred_sp500", data_copy).equals(load("fred_sp500", good_snapshot))


def drop_rows(first: int = 0, last: int = 0):
    def edit(text: str) -> str:
        header, *rows = text.splitlines(keepends=True)
        return header + "".join(rows[first:len(rows) - last])
    return edit


def test_shrink_guard_refuses_a_lost_third_and_allow_shrink_accepts_it(server, data_copy):
    rows = load("fred_sp500", data_copy)
    server.fault("fred_sp500", "edit", edit=drop_rows(last=10))
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy), rf"error: fred_sp500: would drop \d+ of the snapshot's {len(rows)} rows \(\d+%\); "
                         r"pass --allow-shrink if the source really shrank", data_copy, before)
    proc = sp500(server, data_copy, "--allow-shrink")
    assert proc.returncode == 0, proc.stderr
    assert len(load("fred_sp500", data_copy)) < len(rows) * 0.9


def test_shrink_guard_refuses_a_later_start(server, data_copy):
    first = load("fred_sp500", data_copy)["date"].min()
    server.fault("fred_sp500", "edit", edit=drop_rows(first=1))
    before = snapshot_bytes(data_copy)
    assert_refused(sp500(server, data_copy),
                   rf"error: fred_sp500: would start on \d{{4}}-\d\d-\d\d, later than the snapshot's first date {first:%Y-%m-%d}; "
                   r"pass --allow-shrink if the source really dropped its early years", data_copy, before)


def test_curated_tables_are_exempt_from_the_shrink_guard():
    old = {"rows": 1000, "temporal": {"start": "1900-01-01"}}
    frame = load("events")
    assert shrink(BY_NAME["events"], frame, old) is None
    assert shrink(BY_NAME["fred_sp500"], load("fred_sp500"), old) is not None


# --- 3. load reads only what datapackage.json names, inside the data folder ---------------------

def point(data, name: str, path: str):
    import json

    pkg = json.loads((data / "datapackage.json").read_text())
    next(r for r in pkg["resources"] if r["name"] == name)["path"] = path
    (data / "datapackage.json").write_text(json.dumps(pkg))


@pytest.mark.parametrize("path, why", [
    ("../secret.csv", "uses '..' to leave the data folder"),
    ("sub/../../secret.csv", "uses '..' to leave the data folder"),
    ("/etc/passwd", "is a URL or an absolute path; only files inside the data folder are read"),
    ("https://example.org/x.csv", "is a URL or an absolute path; only files inside the data folder are read"),
])
def test_load_refuses_paths_outside_the_data_folder(path, why, data_copy):
    point(data_copy, "fred_sp500", path)
    with pytest.raises(SnapshotError, match=re.escape(f"data set 'fred_sp500': path {path!r} {why}")):
        load("fred_sp500", data_copy)


def test_load_refuses_a_symlink_out_but_not_one_inside(data_copy, tmp_path):
    outside = tmp_path / "outside.csv"
    shutil.copy(data_copy / "fred_sp500.csv", outside)
    (data_copy / "fred_sp500.csv").unlink()
    (data_copy / "fred_sp500.csv").symlink_to(outside)
    with pytest.raises(SnapshotError, match=r"data set 'fred_sp500': 'fred_sp500.csv' is a symlink to .*outside.csv, outside the data folder"):
        load("fred_sp500", data_copy)
    (data_copy / "fred_sp500.csv").unlink()
    shutil.copy(outside, data_copy / "real.csv")
    (data_copy / "fred_sp500.csv").symlink_to("real.csv")
    assert len(load("fred_sp500", data_copy)) > 0


def test_load_reads_only_named_data_sets(data_copy):
    shutil.copy(data_copy / "fred_sp500.csv", data_copy / "extra.csv")
    for name in ("extra", "extra.csv", "../data/fred_sp500", "datapackage"):
        with pytest.raises(SnapshotError, match=f"no data set named {re.escape(repr(name))} in datapackage.json"):
            load(name, data_copy)


# --- 4. one refresh at a time, and a commit that a kill cannot leave half done ------------------

FRED = ["fred_sp500", "fred_dff", "fred_dgs10", "fred_nasdaqcom"]


def nudge(k: int):
    """A new value in the first row, different for every run, so a half-done commit shows in the hashes."""
    def edit(text: str) -> str:
        header, first, *rest = text.splitlines(keepends=True)
        day, value = first.strip().split(",")
        return header + f"{day},{float(value) * (1 + k / 1000):.4f}\n" + "".join(rest)
    return edit


def consistent(data) -> bool:
    """Every data set datapackage.json names loads: its file matches the sha256 recorded for it."""
    import json

    try:
        for res in json.loads((data / "datapackage.json").read_text())["resources"]:
            load(res["name"], data)
    except SnapshotError:
        return False
    return True


def start_fetch(server, data, *names, env=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "minebook", "fetch", *names, "--base-url", server.base_url, "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **QUICK, **(env or {})})


def wait_for(predicate, timeout=10.0):
    give_up = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < give_up, "timed out waiting"
        time.sleep(0.01)


def test_a_second_refresh_is_refused_while_one_runs(server, data_copy):
    server.fault("fred_sp500", "drip", interval=0.2)
    first = start_fetch(server, data_copy, "fred_sp500", env={"MINEBOOK_DEADLINE": "3"})
    try:
        wait_for(lambda: list(data_copy.glob(".staging-*")))  # it holds the lock from before it stages
        before = snapshot_bytes(data_copy)
        proc = fetch("fred_dff", "--base-url", server.base_url, "--data-dir", data_copy, env={"MINEBOOK_LOCK_WAIT": "0.3"})
        assert proc.stderr.splitlines() == [f"error: another refresh is running on {data_copy}"]
        assert proc.returncode == 1 and snapshot_bytes(data_copy) == before
    finally:
        _, first_err = first.communicate(timeout=20)
    assert first.returncode == 1 and "deadline" in first_err
    server.clear()
    assert fetch("fred_dff", "--base-url", server.base_url, "--data-dir", data_copy).returncode == 0


def test_leftover_staging_without_journal_is_removed(server, data_copy):
    junk = data_copy / ".staging-killed"
    junk.mkdir()
    (junk / "fred_sp500.csv").write_bytes(b"half written")
    before = snapshot_bytes(data_copy)
    proc = fetch("fred_dff", "--base-url", server.base_url, "--data-dir", data_copy)
    assert proc.returncode == 0, proc.stderr
    assert not list(data_copy.glob(".staging-*"))
    assert snapshot_bytes(data_copy)["fred_sp500.csv"] == before["fred_sp500.csv"]


def test_a_run_killed_between_renames_is_rolled_forward_by_the_next(server, data_copy):
    for name in FRED:
        server.fault(name, "edit", edit=nudge(7))
    before = snapshot_bytes(data_copy)
    run = start_fetch(server, data_copy, *FRED, env={"MINEBOOK_TEST_RENAME_PAUSE": "0.5"})
    wait_for(lambda: (data_copy / "fred_sp500.csv").read_bytes() != before["fred_sp500.csv"])
    run.kill()
    run.wait()
    assert list(data_copy.glob(".staging-*/journal.json")), "the killed run should leave its journal"
    assert not hashes_match(data_copy)  # on disk, one file moved and datapackage.json not yet: what the journal is for
    assert consistent(data_copy)        # the first reader finishes the moves before it reads
    assert not list(data_copy.glob(".staging-*")) and hashes_match(data_copy)
    after = snapshot_bytes(data_copy)
    assert all(after[f"{n}.csv"] != before[f"{n}.csv"] for n in FRED)  # rolled forward, not back
    server.clear()
    proc = fetch("btc_daily", "--base-url", server.base_url, "--data-dir", data_copy)
    assert proc.returncode == 0, proc.stderr
    assert consistent(data_copy) and not list(data_copy.glob(".staging-*"))


def hashes_match(data) -> bool:
    """Every file datapackage.json names has the sha256 it records, read straight off the disk (no `load`, which
    would finish an interrupted commit first)."""
    import hashlib
    import json

    package = json.loads((data / "datapackage.json").read_text())
    return all("sha256:" + hashlib.sha256((data / r["path"]).read_bytes()).hexdigest() == r["hash"]
               for r in package["resources"])


def test_kills_at_random_moments_never_leave_a_mismatched_snapshot(server, data_copy):
    import random
    import signal

    rng = random.Random(20260101)
    log = []
    for k in range(1, 9):
        for name in FRED:
            server.fault(name, "edit", edit=nudge(k))
        sig = signal.SIGKILL if k % 2 else signal.SIGTERM
        delay = rng.uniform(0.3, 1.6)
        run = start_fetch(server, data_copy, env={"MINEBOOK_TEST_RENAME_PAUSE": "0.04"})
        time.sleep(delay)
        run.send_signal(sig)
        run.wait(timeout=20)
        left = list(data_copy.glob(".staging-*"))
        log.append((sig.name, round(delay, 2), run.returncode, len(left), consistent(data_copy)))
        if sig == signal.SIGTERM:
            # SIGTERM is held off during the moves and unwinds cleanly otherwise: nothing to recover.
            assert run.returncode in (0, 128 + signal.SIGTERM, -signal.SIGTERM), log
            assert not left and consistent(data_copy), log
        else:
            # A kill between two renames leaves a journal; the next reader finishes the moves before it reads,
            # so every data set loads, as the old snapshot set or the new one.
            assert consistent(data_copy), log
            assert not list(data_copy.glob(".staging-*/journal.json")), log
    server.clear()
    proc = fetch("--base-url", server.base_url, "--data-dir", data_copy)
    assert proc.returncode == 0, proc.stderr
    assert consistent(data_copy) and not list(data_copy.glob(".staging-*"))
