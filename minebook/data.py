"""`load(name)`: the only way chapters read data. Checks the file against datapackage.json first."""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from . import paths
from .errors import SnapshotError

PANDAS_TYPES = {"number": "float64", "string": "str"}
USED: dict[str, str] = {}  # data set -> the last day (or month, or year) it covers, for each one this process loaded


def package(data_dir: Path | None = None) -> dict:
    path = Path(data_dir or paths.data_dir()) / "datapackage.json"
    if not path.exists():
        raise SnapshotError(f"{path} is missing: run `make data` to build the snapshots")
    return json.loads(path.read_text())


def resource(name: str, data_dir: Path | None = None) -> dict:
    for res in package(data_dir)["resources"]:
        if res["name"] == name:
            return res
    raise SnapshotError(f"no data set named {name!r} in datapackage.json")


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """A typed DataFrame of snapshot `name`, refused if the file differs from its recorded hash."""
    data_dir = Path(data_dir or paths.data_dir())
    res = resource(name, data_dir)
    path = data_dir / res["path"]
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
    frame = pd.read_csv(io.BytesIO(raw), dtype=dtypes, keep_default_na=True)
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
    return [r["name"] for r in package(data_dir)["resources"]]
