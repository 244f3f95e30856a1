"""What a reader sees on a built page, measured in the browser: the share of the page that is visible
code, sideways scrolling, table headers and cells, citation labels and figure numbering.

Used by the browser tests and by `tools/reader_report.py` (the before/after figures of a change)."""
from __future__ import annotations

import re

# Visible code: code-cell inputs and code listings that are displayed, as a share of the article's height.
# checkVisibility() is false inside a closed <details> ("Show the code") and a collapsed solution.
VISIBLE_CODE_SHARE = """() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const visible = el => el.checkVisibility({checkVisibilityCSS: true}) && el.getBoundingClientRect().height > 0;
  let code = 0;
  const blocks = [...article.querySelectorAll('div.cell_input, div.highlight')]
    .filter(el => !el.parentElement.closest('div.cell_input, div.highlight'));
  for (const el of blocks) if (visible(el)) code += el.getBoundingClientRect().height;
  return code / article.getBoundingClientRect().height;
}"""

SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Header and body cells of every table in the article, with the table's own classes.
TABLES = """() => [...document.querySelectorAll('article.bd-article table')].map(t => ({
  classes: t.className,
  headers: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  // A cell that shows an identifier as code (a file or data set name) is not a raw header.
  cells: [...t.querySelectorAll('tbody td, tbody th')].map(td => td.querySelector('code') ? '' : td.textContent.trim()),
  caption: (t.querySelector('caption') || {textContent: ''}).textContent.trim(),
  scrolls: (() => { const box = t.closest('.minebook-table, .table-scroll'); return box ? getComputedStyle(box).overflowX : ''; })(),
}))"""

# In-text citations: the link text inside each sphinxcontrib-bibtex citation, and the whole citation.
CITATIONS = """() => [...document.querySelectorAll('article.bd-article .bibtex-citation')].map(c => c.textContent.trim())"""

# Every chart, with the caption of the figure it sits in (if any) and its source line.
FIGURES = """() => [...document.querySelectorAll('article.bd-article .minebook-vega')].map(chart => {
  const fig = chart.closest('figure');
  const cap = fig ? fig.querySelector(':scope > figcaption') : null;
  const source = chart.parentElement.querySelector('.minebook-source');
  return {inFigure: !!fig, caption: cap ? cap.textContent.trim().replace(/\\s+/g, ' ') : '',
          source: source ? source.textContent.trim() : ''};
})"""

# Anything a printed page would show that belongs on screen only.
PRINTED_PLUMBING = """() => [...document.querySelectorAll('div.cell_input, details, button, .toggle-details, .headerlink')]
  .filter(el => el.checkVisibility({checkVisibilityCSS: true}) && el.getBoundingClientRect().height > 0)
  .map(el => el.className || el.tagName)"""

FIGURE_CAPTION = re.compile(r"^Figure (?:\d+|[1-5]\.\d+|[AB]\.\d+) \S")
# "(France 24, 2022)", "(A, 2021; B, 2022)" or, as the subject of a sentence, "Nakamoto (2008)".
# Author and year; "n.d." for a cited page that shows no date (the book does not invent one).
YEAR = r"(?:\d{4}[a-z]?|n\.d\.)"
CITATION = re.compile(rf"^\((?:[^()\[\];]+, {YEAR})(?:; [^()\[\];]+, {YEAR})*\)$|^[^()\[\];]+ \({YEAR}\)$")

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
BIBTEX_KEY = re.compile(r"\[[A-Za-z][A-Za-z]*\d{2,}[a-z]?\]|\b[A-Z][a-z]+[A-Z]\w+\d{2}\b")


def raw_table_faults(tables: list[dict]) -> list[str]:
    """Header or cell text that only a notebook would print: snake_case, NaN, an empty index header."""
    faults = []
    for i, t in enumerate(tables):
        for h in t["headers"]:
            if SNAKE.match(h) or h == "" or h.lower() == "nan":
                faults.append(f"table {i}: header {h!r}")
        for c in t["cells"]:
            if c in ("NaN", "nan", "None", "NaT", "<NA>") or SNAKE.match(c) or re.search(r"(?<![\w−])-\d", c):
                faults.append(f"table {i}: cell {c!r}")
    return faults
