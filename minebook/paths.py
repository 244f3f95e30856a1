"""Where things live. Every other module asks here, so a checkout can be moved."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATAPACKAGE = "datapackage.json"
CACHE_DIR = ROOT / "cache"
# The raw public files, mirrored beside the checkout; absent on a reader's machine.
SHARED_SOURCES = Path(os.environ.get("MINEBOOK_SOURCES", ROOT.parent / "shared" / "sources"))
FACTS_DIR = Path(__file__).resolve().parent / "facts"


def data_dir() -> Path:
    """The snapshot folder, read at call time so tests can point it elsewhere."""
    return Path(os.environ.get("MINEBOOK_DATA_DIR", ROOT / "data"))
