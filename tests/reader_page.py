"""What a reader sees on a built page, measured in the browser: the share of the page that is visible
code, sideways scrolling, table headers and cells, citation labels and figure numbering.

Used by the browser tests and by `tools/reader_report.py` (the before/after figures of a change)."""
from __future__ import annotations

import re

# Visible code: code-cell inputs and code listings that are displayed (a collapsed "show code" toggle hides
# its input with display:none, so it has no height), as a share of the article's height.
VISIBLE_CODE_SHARE = """() => {
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const visible = el => el.offsetParent !== null && el.getBoundingClientRect().height > 0;
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
  cells: [...t.querySelectorAll('tbody td, tbody th')].map(td => td.textContent.trim()),
  caption: (t.querySelector('caption') || {textContent: ''}).textContent.trim(),
  scrolls: (() => { const box = t.closest('.minebook-table, .table-scroll'); return box ? getComputedStyle(box).overflowX : ''; })(),
}))"""

CITATIONS = """() => [...document.querySelectorAll('article.bd-article a[href*="bibliography"], article.bd-article span.cite a, article.bd-article a.reference.internal[href*="id"]')]
  .filter(a => a.closest('p, li, td'))
  .map(a => a.textContent.trim())"""

FIGURES = """() => [...document.querySelectorAll('article.bd-article .minebook-vega')].map(chart => {
  const fig = chart.closest('figure.numbered, figure');
  const cap = fig ? fig.querySelector(':scope > figcaption, :scope figcaption:not(.minebook-chart-description)') : null;
  return {inFigure: !!fig, caption: cap ? cap.textContent.trim().replace(/\\s+/g, ' ') : ''};
})"""

SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
BIBTEX_KEY = re.compile(r"^\[?[A-Z][A-Za-z]+\d{2,}\]?$|^\[[A-Za-z]+\d*[a-z]?\]$")


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
