"""Execute the book's chapters the way a reader's Jupyter would, and read what they glued."""
from __future__ import annotations

import ast
import copy
import re
from functools import lru_cache
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHAPTERS = sorted(p.name for p in BOOK.glob("*.md") if p.read_text().startswith("---\njupytext:"))
VOLATILE_TAG = "volatile"


def execute(name: str) -> nbformat.NotebookNode:
    nb = jupytext.read(BOOK / name)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(BOOK)}}).execute()
    return nb


@lru_cache(maxsize=None)
def executed(name: str) -> nbformat.NotebookNode:
    """Cached per test session (a chapter's tests share one run)."""
    return execute(name)


CACHE = ROOT / ".jupyter_cache"


VEGALITE = "application/vnd.vegalite.v6+json"


def glued(nb) -> dict:
    """The numbers and texts a notebook glued (glued charts are in `chart_specs`)."""
    values, names = {}, []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook")
            names += [scrap["name"]] if scrap else []
            if scrap and scrap.get("mime_prefix", "") + VEGALITE not in out["data"]:
                text = out["data"][scrap.get("mime_prefix", "") + "text/plain"]
                values[scrap["name"]] = ast.literal_eval(text)
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"glued more than once (the book build rejects it): {', '.join(twice)}"
    return values


def chart_outputs(nb) -> list[dict]:
    """Every chart a notebook made, displayed or glued for a figure: its MIME bundle, unprefixed."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            prefix = out.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
            data = out.get("data", {})
            if prefix + VEGALITE in data:
                found.append({k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)})
    return found


def chart_specs(nb) -> list[dict]:
    return [data[VEGALITE] for data in chart_outputs(nb)]


def glue_names_in_prose(name: str) -> set[str]:
    text = (BOOK / name).read_text()
    return set(re.findall(r"\{glue:(?:text|)\}`([A-Za-z0-9_]+)", text))


def problems(nb) -> list[str]:
    """Errors, anything on stderr, and warnings printed into outputs."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out["name"] == "stderr":
                found.append(f"cell {i}: stderr: {out['text'][:200]}")
            text = out.get("text", "") + " ".join(str(v) for k, v in out.get("data", {}).items() if k.endswith("text/plain"))
            if re.search(r"\b\w*Warning\b", text):
                found.append(f"cell {i}: warning in output: {text[:200]}")
    return found


def comparable_outputs(nb) -> tuple[list, dict]:
    """Every cell's outputs, except glued ones, and the glued values by name (as the book build keeps them
    apart), minus cells tagged volatile (timings) and execution counts."""
    cells, glue = [], {}
    for cell in nb.cells:
        if cell.cell_type != "code" or VOLATILE_TAG in cell.metadata.get("tags", []):
            continue
        kept = []
        for out in copy.deepcopy(cell.get("outputs", [])):
            out.pop("execution_count", None)
            scrap = out.get("metadata", {}).get("scrapbook")
            if scrap:
                prefix = scrap.get("mime_prefix", "")
                glue[scrap["name"]] = {k[len(prefix):]: v for k, v in out["data"].items()}
            else:
                kept.append(out)
        cells.append(kept)
    return cells, glue


def built_outputs(name: str) -> tuple[list, dict]:
    """What `make book` executed, in its own kernel and process: the chapter's newest record in the notebook
    cache (the notebooks Sphinx writes to _build/jupyter_execute lack outputs when they came from the cache)."""
    from jupyter_cache import get_cache

    cache = get_cache(CACHE)
    records = [r for r in cache.list_cache_records() if Path(r.uri).parent.name == "book" and Path(r.uri).name == name]
    assert records, f"no executed copy of {name} in {CACHE}: run `make book` first"
    return comparable_outputs(cache.get_cache_bundle(max(records, key=lambda r: r.created).pk).nb)


def spec_nodes(node):
    """Every dict inside a chart spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from spec_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from spec_nodes(value)


def drawn(spec) -> list[dict]:
    """Everything a chart draws, without the theme and the inline data."""
    return list(spec_nodes({k: v for k, v in spec.items() if k not in ("config", "datasets")}))


def channels(spec, name) -> list[dict]:
    """Every encoding of channel `name` (x, y, color ...) in the chart, in every layer."""
    return [n["encoding"][name] for n in drawn(spec) if isinstance(n.get("encoding"), dict) and name in n["encoding"]]
