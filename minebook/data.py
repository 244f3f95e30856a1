"""`load(name)`: the only way chapters read data. Checks the file against datapackage.json first."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from . import paths
from .errors import SnapshotError

PANDAS_TYPES = {"number": "float64", "string": "str"}
USED: dict[str, str] = {}  # data set -> the last day (or month, or year) it covers, for each one this process loaded


def package(data_dir: Path | None = None) -> dict:
    finish_interrupted_refresh(Path(data_dir or paths.data_dir()))
    path = Path(data_dir or paths.data_dir()) / "datapackage.json"
    if not path.exists():
        if paths.in_checkout():
            raise SnapshotError(f"{path} is missing: run `make data` to build the snapshots")
        raise SnapshotError(f"no data found (looked for {path}): install the book's package, which carries them "
                            "(`pip install -r requirements.txt` in the classroom kit's folder)")
    return json.loads(path.read_text())


def finish_interrupted_refresh(data_dir: Path) -> None:
    """A refresh killed between its renames leaves a journal beside files it had fully written: finish its moves
    before reading, so a reader sees the old snapshot set or the new one, never a mix of the two."""
    from . import refresh_lock
    from .errors import RefreshError

    if not any(data_dir.glob(f"{refresh_lock.STAGING_PREFIX}*/{refresh_lock.JOURNAL}")):
        return
    try:
        with refresh_lock.locked(data_dir, wait=30):
            refresh_lock.recover(data_dir)
    except (RefreshError, OSError) as exc:
        raise SnapshotError(f"{data_dir}: an interrupted refresh could not be finished ({exc}); run `make data` "
                            "or restore the folder with `git checkout data/`") from None


def resource(name: str, data_dir: Path | None = None) -> dict:
    for res in package(data_dir)["resources"]:
        if isinstance(res, dict) and res.get("name") == name:
            return res
    raise SnapshotError(f"no data set named {name!r} in datapackage.json")


def snapshot_path(res: dict, data_dir: Path) -> Path:
    """The file a resource names, refused unless it lies inside the data folder: datapackage.json is data,
    and an edited or downloaded one must not make a chapter read some other file on the reader's machine."""
    rel, name = res.get("path"), res.get("name")
    if not isinstance(rel, str) or not rel.strip():
        raise SnapshotError(f"data set {name!r}: datapackage.json gives it no file path")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or PureWindowsPath(rel).drive or "://" in rel:
        raise SnapshotError(f"data set {name!r}: path {rel!r} is a URL or an absolute path; only files inside the data folder are read")
    if ".." in pure.parts or ".." in PureWindowsPath(rel).parts:
        raise SnapshotError(f"data set {name!r}: path {rel!r} uses '..' to leave the data folder")
    path = data_dir / rel
    if not path.resolve().is_relative_to(data_dir.resolve()):
        raise SnapshotError(f"data set {name!r}: {rel!r} is a symlink to {path.resolve()}, outside the data folder")
    return path


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """A typed DataFrame of snapshot `name`, refused if the file differs from its recorded hash."""
    data_dir = Path(data_dir or paths.data_dir())
    res = resource(name, data_dir)
    path = snapshot_path(res, data_dir)
    if not path.exists():
        raise SnapshotError(f"{path} is missing: restore it with `git checkout data/` or run `make data`")
    raw = path.read_bytes()
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if digest != res["hash"]:
        raise SnapshotError(
            f"{path.name} does not match the sha256 recorded in datapackage.json: it was changed by hand "
            "or by an interrupted copy; restore it with `git checkout data/` or rebuild it with `make data`"
        )
    fields = res["schema"]["fields"]
    dtypes, dates = {}, []
    for f in fields:
        if f["type"] in ("date", "datetime"):
            dates.append(f)
        elif f["type"] == "integer":
            dtypes[f["name"]] = "int64" if f.get("constraints", {}).get("required") else "Int64"
        else:
            dtypes[f["name"]] = PANDAS_TYPES[f["type"]]
    # A gap is written as a blank cell (datapackage.csv_bytes); any other text, "NA" or "None" too, is a value.
    frame = pd.read_csv(io.BytesIO(raw), dtype=dtypes, keep_default_na=False, na_values=[""])
    for f in dates:
        fmt = "%Y-%m-%d" if f["type"] == "date" else "%Y-%m-%dT%H:%M:%SZ"
        frame[f["name"]] = pd.to_datetime(frame[f["name"]], format=fmt)
    USED[name] = last_covered(frame)
    return frame


def last_covered(frame: pd.DataFrame) -> str:
    """The newest day, month or year a data set covers, as a reader writes it; "" for a set without dates."""
    for column, fmt in (("date", "%-d %b %Y"), ("time", "%-d %b %Y"), ("month", "%b %Y")):
        if column in frame and frame[column].notna().any():
            return f"{frame[column].max():{fmt}}"
    return str(int(frame["year"].max())) if "year" in frame else ""


def names(data_dir: Path | None = None) -> list[str]:
    return [r["name"] for r in package(data_dir)["resources"] if isinstance(r, dict) and "name" in r]
