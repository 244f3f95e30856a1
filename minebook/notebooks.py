"""Downloadable notebooks for each page: the executed reader's version and a student version
with the exercise solutions taken out and no outputs. Both start with a cell that finds the book's package
and data wherever the notebook is: a checkout, an environment with the package installed, the classroom
kit's folder, or Colab (where it installs the package from the published site)."""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat

from . import paths

# A solution is a fenced MyST directive: ```{solution} or ````{solution}, closed by the same fence.
VEGALITE = "application/vnd.vegalite.v6+json"
SOLUTION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)\s*$\n?", re.S | re.M)


def pages() -> list[Path]:
    """The book's notebook pages (MyST Markdown with a jupytext header)."""
    book = paths.ROOT / "book"
    return sorted(p for p in book.glob("*.md") if p.read_text(encoding="utf-8").startswith("---\njupytext:"))


# The first code cell of every downloaded notebook. A missing package gets one sentence saying what to run, not
# a traceback: IPython prints what `_render_traceback_` returns instead of the traceback.
SETUP_CELL = """\
# Run this cell first: it finds the book's Python package and data (see the kit's README).
import importlib.util, pathlib, subprocess, sys

WHEEL = "{wheel}"
SITE = "{site}classroom/"
NEEDED = ["pandas", "numpy", "scipy", "altair", "vl_convert", "jinja2"]

class SetupNeeded(Exception):
    def _render_traceback_(self):
        return [str(self)]

if importlib.util.find_spec("minebook") is None:
    here = pathlib.Path.cwd()
    kit = [folder / WHEEL for folder in (here, *here.parents) if (folder / WHEEL).is_file()]
    if "google.colab" in sys.modules:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", SITE + WHEEL], check=True)
        importlib.invalidate_caches()
    elif kit and all(importlib.util.find_spec(name) for name in NEEDED):
        sys.path.insert(0, str(kit[0]))   # the package straight from the kit's wheel; the data from its data/ folder
    else:
        raise SetupNeeded("This notebook needs the book's Python package: in the classroom kit's folder run "
                          "`python -m pip install -r requirements.txt`, or anywhere "
                          f"`python -m pip install {{SITE}}{{WHEEL}}`; then run this cell again.")

import minebook.book
minebook.book.setup(notebook=True)   # charts show here, as images"""


def with_setup_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The page's hidden setup cell becomes the visible one above (its outputs, if any, are kept)."""
    from .classroom import site_url, wheel_name

    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if cell.cell_type == "code" and cell.source.rstrip().endswith("minebook.book.setup()"):
            cell.source = SETUP_CELL.format(wheel=wheel_name(), site=site_url())
            cell.metadata.pop("tags", None)
            return out
    raise ValueError("the page has no cell that calls minebook.book.setup()")


def charts_shown(nb: nbformat.NotebookNode, charts_dir: Path | None) -> nbformat.NotebookNode:
    """The reader's edition, executed for the book, shows each chart where it is made, as the image the build
    drew (from `charts_dir`, the site's `_charts/`), as a notebook run with `setup(notebook=True)` does: a glued
    chart becomes a displayed one, and a chart's empty box gets its image."""
    from . import charts

    from .exercises import MIME

    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if "outputs" in cell:   # the answers recorded for the self-checks are for the build, not for readers
            cell.outputs = [o for o in cell.outputs if MIME not in o.get("data", {})]
        for output in cell.get("outputs", []):
            prefix = output.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
            data = output.get("data", {})
            if prefix + VEGALITE not in data:
                continue
            spec = data[prefix + VEGALITE]
            drawn = Path(charts_dir or "") / f"{charts.chart_id(spec)}.svg"
            svg = drawn.read_text(encoding="utf-8") if charts_dir and drawn.is_file() else None
            output["data"] = {VEGALITE: spec, "text/html": charts.html_for(spec, box=charts.notebook_image(spec, svg)),
                              "text/plain": data.get(prefix + "text/plain", "")}
            output["metadata"] = {}
    return out


# An exercise: a fenced MyST directive with its label on the line after its title.
EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[^\n]*\n:label: (?P<label>\S+).*?^(?P=fence)\s*$\n?", re.S | re.M)
ANSWER_KEY_TAG = "answer-key"   # a chapter's hidden cell that computes the exercises' answers


def student_version(nb: nbformat.NotebookNode, solved: bool = False) -> nbformat.NotebookNode:
    """No outputs, no solutions, no answer-key cells; after each coding exercise a cell of blanks and a check
    (`minebook.exercises`). `solved`: the blanks filled with the book's solutions, for the teacher's key."""
    from .exercises import EXERCISES, blanks_cell, solved_cell

    out = nbformat.from_dict(nb)
    cells = []
    for cell in out.cells:
        if cell.cell_type == "code":
            if ANSWER_KEY_TAG in cell.get("metadata", {}).get("tags", []):
                continue
            cell.outputs, cell.execution_count = [], None
            cells.append(cell)
            continue
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        text = SOLUTION.sub("*(The solution is in the reader's edition.)*\n\n", cell.source)
        start = 0
        for found in EXERCISE.finditer(text):
            if found.group("label") not in EXERCISES:
                continue   # a writing exercise: nothing to compute
            label = found.group("label")
            # Cell ids from the exercise's label, so that the same book gives the same notebook bytes.
            cells.append(nbformat.v4.new_markdown_cell(text[start:found.end()].strip("\n"), id=f"{label}-text"))
            make = solved_cell if solved else blanks_cell
            cells.append(nbformat.v4.new_code_cell(make(label), id=f"{label}-check"))
            start = found.end()
        if start == 0:
            cell.source = text
            cells.append(cell)
        elif text[start:].strip():
            cells.append(nbformat.v4.new_markdown_cell(text[start:].strip("\n"), id=f"{label}-after"))
    out.cells = cells
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


def answer_key_dir(out_dir: Path) -> Path:
    """Beside the site (`_build/answer-keys` for `_build/html/notebooks`): the answer keys before they are run."""
    return Path(out_dir).resolve().parent.parent / "answer-keys"


def build(out_dir: Path, cache_dir: Path | None = None) -> list[Path]:
    """Both editions of every page, and the answers the chapters recorded for the self-checks."""
    from .exercises import ANSWERS_FILE, collect, write_answers

    from .notebook_markdown import citations, figure_numbers, glued_values, readable

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, readers = [], []
    figures = figure_numbers(pages())
    cites = citations(paths.ROOT / "book" / "references.bib")
    runs = {}
    for page in pages():
        nb = jupytext.read(page)
        nb.metadata.pop("jupytext", None)
        runs[page] = executed(nb, page.parent, cache_dir)
    # A page may show another page's value ({glue:text}`./ch3-kazakhstan.md::name`).
    glued_by_page = {page: glued_values(run) for page, run in runs.items()}
    for page, run in runs.items():
        readers.append(run)
        glued = dict(glued_by_page[page])
        for other, values in glued_by_page.items():
            glued.update({f"./{other.name}::{name}": value for name, value in values.items()})
        reader = with_setup_cell(charts_shown(run, out_dir.parent / "_charts"))
        editions = [(out_dir / f"{page.stem}.ipynb", reader), (out_dir / f"{page.stem}-student.ipynb", student_version(reader))]
        if EXERCISE.search("\n".join(c.source for c in reader.cells if c.cell_type == "markdown")):
            # The teacher's answer key, run by `minebook classroom` (not published on the site).
            editions.append((answer_key_dir(out_dir) / f"{page.stem}-answer-key.ipynb", student_version(reader, solved=True)))
        for target, version in editions:
            for cell in version.cells:   # the prose as the page shows it, not MyST's markup
                if cell.cell_type == "markdown":
                    cell.source = readable(cell.source, glued, figures, cites)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(version, target)
            written.append(target)
    written.append(write_answers(collect(readers), out_dir / ANSWERS_FILE))
    return written
