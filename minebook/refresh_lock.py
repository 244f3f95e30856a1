"""One refresh at a time per data folder, and a commit that a crash cannot leave half done.

A commit moves several files into the data folder. Renames are atomic one by one but not together,
so before the first rename the staging folder gets a journal naming every file to move. A run
killed between renames leaves that journal behind; the next run finishes the moves before it
does anything else. A staging folder without a journal was never committed and is deleted.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from .errors import RefreshError

STAGING_PREFIX = ".staging-"
JOURNAL = "journal.json"


@contextlib.contextmanager
def locked(data_dir: Path, wait: float):
    # Locking the folder itself rather than a lock file leaves nothing behind in data/ for git to see.
    fd = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        give_up = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= give_up:
                    raise RefreshError(f"another refresh is running on {data_dir}") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def staging_folder(data_dir: Path):
    """A fresh staging folder, removed on the way out unless its commit has begun (see committing)."""
    folder = None
    try:
        # Held, so a SIGTERM cannot land between the folder's creation and the name that lets us remove it.
        with _signals_held():
            # Inside the data folder, so every rename stays on one file system and is atomic.
            folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=data_dir))
        yield folder
    finally:
        if folder is not None and not committing(folder):
            shutil.rmtree(folder, ignore_errors=True)


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C or SIGTERM during the moves takes effect after them, so only SIGKILL needs the journal.
    Swapping the handlers (rather than masking the signals) also catches a signal that arrived just
    before and whose Python handler has not run yet."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])


def commit(staging: Path, names: list[str], data_dir: Path) -> None:
    """Move `names` (already written with write_synced) from staging into the data folder; the last one
    should be datapackage.json."""
    with _signals_held():
        _fsync_dir(staging)
        tmp = staging / (JOURNAL + ".tmp")
        write_synced(tmp, json.dumps(names).encode())
        os.replace(tmp, staging / JOURNAL)
        _fsync_dir(staging)
        _roll_forward(staging, data_dir)


def _roll_forward(staging: Path, data_dir: Path) -> None:
    try:
        names = json.loads((staging / JOURNAL).read_text())
        if not all(isinstance(n, str) and n == Path(n).name and n not in ("", ".", "..") for n in names):
            raise ValueError("it names a path outside the folder")
    except ValueError as exc:
        raise RefreshError(f"{staging}/{JOURNAL}: an interrupted refresh left a journal that cannot be read ({exc}); "
                           "restore the data folder with `git checkout data/`") from None
    pause = float(os.environ.get("MINEBOOK_TEST_RENAME_PAUSE", 0))  # lets a test kill a run between two renames
    for name in names:
        # A move the killed run already made has no source left: skipping it makes a second roll-forward harmless.
        if (staging / name).exists():
            os.replace(staging / name, data_dir / name)
            time.sleep(pause)
    _fsync_dir(data_dir)
    (staging / JOURNAL).unlink()
    shutil.rmtree(staging)


def recover(data_dir: Path) -> None:
    """Finish the commit of a killed run, and delete the staging folders of runs killed before committing."""
    for staging in sorted(data_dir.glob(STAGING_PREFIX + "*")):
        if staging.is_symlink() or not staging.is_dir():
            continue
        if (staging / JOURNAL).exists():
            _roll_forward(staging, data_dir)
        else:
            shutil.rmtree(staging)


def committing(staging: Path) -> bool:
    """True once the journal exists: from then on the staging folder must be kept for recover()."""
    return (staging / JOURNAL).exists()
