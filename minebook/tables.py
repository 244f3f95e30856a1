"""Tables for readers: no index column, headers in words with units, numbers at the precision the prose
uses, true minus signs, "—" for a missing value with a note saying why, a caption, and a box that scrolls
sideways on a narrow screen instead of the page.

    table(frame, {"car": "Cumulative abnormal return, %"}, formats={"car": "{:+.1f}"},
          caption="…", note="…")
    table(events, {"date": "Date", "outlet": "Source"}, links={"outlet": ("source_url", "source_title")}, …)

The frame keeps its own column names for the code; only the shown copy is relabelled."""
from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping

import pandas as pd

MINUS = "\u2212"
MISSING = "—"


def typographic(text: str) -> str:
    """A hyphen-minus that starts a number becomes a true minus sign."""
    out = []
    for i, ch in enumerate(text):
        starts_number = ch == "-" and i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] == ".")
        after_word = i > 0 and (text[i - 1].isalnum())
        out.append(MINUS if starts_number and not after_word else ch)
    return "".join(out)


def _formatter(spec: str | Callable | None) -> Callable:
    def fmt(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return MISSING
        if callable(spec):
            text = spec(value)
        elif spec is not None:
            text = spec.format(value)
        elif isinstance(value, pd.Timestamp):
            text = f"{value:%-d %b %Y}"
        elif isinstance(value, float):
            text = f"{value:,.2f}"
        else:
            text = str(value)
        return html.escape(typographic(text))  # text from a source is data, never markup
    return fmt


def link(text, url, title=None) -> str:
    """A link whose text, address and hover title come from the data: all escaped here, once. Only an https
    address becomes a link; anything else leaves the text alone."""
    if not str(url).startswith("https://"):
        return html.escape(str(text))
    hover = f' title="{html.escape(str(title), quote=True)}"' if title else ""
    return f'<a href="{html.escape(str(url), quote=True)}"{hover}>{html.escape(typographic(str(text)))}</a>'


class Table:
    """What a table cell displays: HTML for the book, the plain frame for a notebook's text view."""

    def __init__(self, styler, shown: pd.DataFrame, caption: str, note: str | None):
        self._styler, self.frame, self.caption, self.note = styler, shown, caption, note

    def _repr_html_(self) -> str:
        note = f'<p class="minebook-table-note">{html.escape(self.note)}</p>' if self.note else ""
        label = html.escape(self.caption, quote=True)
        # The caption stands above the scrolling box, so a phone reader sees all of it however wide the table;
        # the box is named by it. A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable).
        return (f'<p class="minebook-table-caption">{html.escape(self.caption)}</p>'
                f'<div class="minebook-table" role="region" aria-label="{label}" tabindex="0">'
                f"{self._styler.to_html()}</div>{note}")

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


def table(frame: pd.DataFrame, columns: Mapping[str, str], *, caption: str,
          formats: Mapping[str, str | Callable] | None = None, note: str | None = None,
          links: Mapping[str, tuple[str, str | None]] | None = None) -> Table:
    """Show `columns` of `frame` (in that order, under those headers) as a reader's table. `links` makes a
    column's cells links: {column: (column of addresses, column of hover titles or None)}."""
    formats = dict(formats or {})
    frame = frame.reset_index() if not set(columns) <= set(frame.columns) else frame
    shown = frame[list(columns)].reset_index(drop=True)
    drawn = shown.copy()
    for col, (url, title) in (links or {}).items():
        titles = frame[title] if title else [None] * len(frame)
        drawn[col] = [link(t, u, h) for t, u, h in zip(frame[col], frame[url], titles)]
        formats[col] = lambda cell: cell   # already escaped, with its link
    styler = (
        drawn.style.hide(axis="index")
        .format({col: _formatter(formats.get(col)) if col not in (links or {}) else formats[col] for col in columns})
        .relabel_index([html.escape(columns[c]) for c in columns], axis="columns")
        .set_table_attributes('class="minebook-data-table"')
        # A fixed id keeps the output identical from one run to the next.
        .set_uuid(hashlib.sha256(caption.encode()).hexdigest()[:8])
    )
    return Table(styler, shown, caption, note)
