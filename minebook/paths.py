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


PACKAGED_DATA = Path(__file__).resolve().parent / "snapshots"  # what the classroom wheel carries
KIT_DATA = "data"  # the classroom kit's snapshot folder, beside its notebooks' folders


def in_checkout() -> bool:
    return (ROOT / "pyproject.toml").is_file() and (ROOT / "book").is_dir()


def data_dir() -> Path:
    """The snapshot folder, read at call time so tests can point it elsewhere: MINEBOOK_DATA_DIR if set; in a
    checkout, its data/; else the snapshots inside the installed package; else the data/ folder of a classroom
    kit, found from the working directory up (a notebook opened in the kit, the package imported from its wheel)."""
    if "MINEBOOK_DATA_DIR" in os.environ:
        return Path(os.environ["MINEBOOK_DATA_DIR"])
    if in_checkout():
        return ROOT / "data"
    if (PACKAGED_DATA / DATAPACKAGE).is_file():
        return PACKAGED_DATA
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / KIT_DATA / DATAPACKAGE).is_file():
            return folder / KIT_DATA
    return PACKAGED_DATA  # missing: load() says so, and what to run
