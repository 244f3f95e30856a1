"""Downloadable notebooks for each page: the executed reader's version and a student version
with the exercise solutions taken out and no outputs, both runnable top to bottom in a clone."""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat

from . import paths

# A solution is a fenced MyST directive: ```{solution} or ````{solution}, closed by the same fence.
SOLUTION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)\s*$\n?", re.S | re.M)


def pages() -> list[Path]:
    """The book's notebook pages (MyST Markdown with a jupytext header)."""
    book = paths.ROOT / "book"
    return sorted(p for p in book.glob("*.md") if p.read_text(encoding="utf-8").startswith("---\njupytext:"))


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = SOLUTION.sub("*(The solution is in the reader's edition.)*\n", cell.source)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return out


def executed(nb: nbformat.NotebookNode, workdir: Path, cache_dir: Path | None) -> nbformat.NotebookNode:
    """Outputs from the book's execution cache when it holds this exact code, otherwise run it."""
    if cache_dir and Path(cache_dir).exists():
        from jupyter_cache import get_cache

        try:
            _, merged = get_cache(str(cache_dir)).merge_match_into_notebook(nb)
            return merged
        except KeyError:
            pass
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


def build(out_dir: Path, cache_dir: Path | None = None) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages():
        nb = jupytext.read(page)
        nb.metadata.pop("jupytext", None)
        reader = executed(nb, page.parent, cache_dir)
        for suffix, version in (("", reader), ("-student", student_version(reader))):
            target = out_dir / f"{page.stem}{suffix}.ipynb"
            nbformat.write(version, target)
            written.append(target)
    return written
