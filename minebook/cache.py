"""Keep jupyter-cache honest: it keys a notebook on its code alone, so outputs computed from
older data (or an older minebook package) would be served as current. Stamp the cache with a
fingerprint of both and clear it when the fingerprint changes."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from . import paths


def fingerprint(data_dir: Path | None = None) -> str:
    h = hashlib.sha256()
    h.update((Path(data_dir or paths.data_dir()) / "datapackage.json").read_bytes())
    for py in sorted((paths.ROOT / "minebook").rglob("*.py")):
        h.update(py.read_bytes())
    return h.hexdigest()


def guard(cache_dir: Path, data_dir: Path | None = None) -> bool:
    """Clear `cache_dir` if it was filled from other data or code. Returns True if it cleared."""
    cache_dir = Path(cache_dir)
    stamp = cache_dir / "minebook-fingerprint"
    current = fingerprint(data_dir)
    if stamp.exists() and stamp.read_text() == current:
        return False
    cleared = cache_dir.exists()
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.mkdir(parents=True)
    stamp.write_text(current)
    return cleared
