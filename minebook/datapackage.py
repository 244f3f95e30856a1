"""datapackage.json: a Frictionless Data Package describing every snapshot in data/."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from .sources import SOURCES, Source

PACKAGE = {
    "name": "hashrate-on-the-move",
    "title": "Hashrate on the Move: derived data snapshots",
    "description": "Tidy snapshots derived by the minebook pipeline from the public sources listed per resource. "
                   "Each resource keeps its source's licence; several are non-commercial.",
    "profile": "data-package",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_bytes(frame: pd.DataFrame, source: Source) -> bytes:
    """Deterministic CSV text: ISO dates, shortest round-trip floats, blanks for gaps."""
    out = frame.copy()
    for f in source.fields:
        if f.type == "date":
            out[f.name] = out[f.name].dt.strftime("%Y-%m-%d")
        elif f.type == "datetime":
            out[f.name] = out[f.name].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def field_descriptor(f) -> dict:
    d = {"name": f.name, "type": f.type, "description": f.description}
    if f.type == "datetime":
        d["format"] = "%Y-%m-%dT%H:%M:%SZ"
    if f.unit:
        d["unit"] = f.unit
    constraints = {}
    if f.required:
        constraints["required"] = True
    if f.minimum is not None:
        constraints["minimum"] = int(f.minimum) if f.type == "integer" else f.minimum
    if f.maximum is not None:
        constraints["maximum"] = int(f.maximum) if f.type == "integer" else f.maximum
    if constraints:
        d["constraints"] = constraints
    return d


def resource_descriptor(source: Source, path: Path, frame: pd.DataFrame, accessed: str) -> dict:
    res = {
        "name": source.name,
        "path": path.name,
        "title": source.title,
        "description": source.description + (f" Caveat: {source.caveat}" if source.caveat else ""),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "hash": f"sha256:{sha256(path)}",
        "schema": {
            "fields": [field_descriptor(f) for f in source.fields],
            "primaryKey": list(source.primary_key),
        },
        "sources": [{"title": source.publisher, "path": source.url or source.homepage or f"minebook/facts/{source.name}.csv"}],
        "licenses": [{"name": source.licence.name, "title": source.licence.title, "path": source.licence.path}],
        "citation": source.citation,
        "homepage": source.homepage,
        "accessed": accessed,
        "rows": int(len(frame)),
    }
    t = source.time_field
    if t:
        res["temporal"] = {"start": frame[t].min().strftime("%Y-%m-%d"), "end": frame[t].max().strftime("%Y-%m-%d")}
    return res


def read(data_dir: Path) -> dict:
    path = data_dir / "datapackage.json"
    if not path.exists():
        return {**PACKAGE, "resources": []}
    return json.loads(path.read_text())


def merged(old: dict, new_resources: dict[str, dict]) -> dict:
    """Replace the named resources and keep the rest, in registry order."""
    by_name = {r["name"]: r for r in old.get("resources", [])}
    by_name.update(new_resources)
    order = [s.name for s in SOURCES if s.name in by_name] + sorted(set(by_name) - {s.name for s in SOURCES})
    return {**PACKAGE, "resources": [by_name[n] for n in order]}


def dumps(package: dict) -> bytes:
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
