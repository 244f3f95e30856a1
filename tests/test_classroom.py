"""The downloadable notebooks and the printable PDF (the classroom kit, run from the outside, is in
test_classroom_kit.py)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from builtsite import CHROMIUM, ROOT, SITE
from notebooks import BOOK, chart_specs, executed

CHAPTERS = ["ch1-how-mining-works", "ch2-china-exodus", "ch3-kazakhstan", "ch4-what-moves-the-price",
            "ch5-after-the-blackout"]
NOTEBOOKS = SITE / "notebooks"
PDF = ROOT / "_build" / "pdf" / "book.pdf"


def test_student_edition_removes_the_solutions_and_ends_each_coding_exercise_with_a_check():
    from minebook.exercises import EXERCISES
    from minebook.notebooks import student_version
    import jupytext

    for stem in CHAPTERS:
        nb = jupytext.read(BOOK / f"{stem}.md")
        student = student_version(nb)
        text = lambda n: "\n".join(c.source for c in n.cells if c.cell_type == "markdown")  # noqa: E731
        assert text(nb).count("{solution}") >= 4
        assert "{solution}" not in text(student)
        assert text(student).count("{exercise}") == text(nb).count("{exercise}") >= 4
        # The chapter's code, less the hidden cells that compute the answers, and a check after each coding exercise.
        kept = [c.source for c in nb.cells if c.cell_type == "code" and "answer-key" not in c.metadata.get("tags", [])]
        assert len(kept) < len([c for c in nb.cells if c.cell_type == "code"])
        labels = [label for label in re.findall(r"^:label: (\S+)$", text(nb), re.M) if label in EXERCISES]
        assert labels and set(labels) == {label for label in EXERCISES if label.startswith(stem[:3])}
        checks = [c.source for c in student.cells if c.cell_type == "code" and "self_check(" in c.source]
        assert [c for c in (c.source for c in student.cells if c.cell_type == "code") if "self_check(" not in c] == kept
        assert [re.search(r'self_check\("([^"]+)"', c).group(1) for c in checks] == labels
        for i, cell in enumerate(student.cells):
            if cell.cell_type == "code" and "self_check(" in cell.source:
                label = re.search(r'self_check\("([^"]+)"', cell.source).group(1)
                assert f":label: {label}" in student.cells[i - 1].source   # right after its exercise
                assert " = ...   # " in cell.source and "solution" not in cell.source.lower()


@pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first")
@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_pages_link_both_notebooks_and_the_kit(stem):
    html = (SITE / "book" / f"{stem}.html").read_text()
    # In the chapter's box, with the download attribute, and again in the page's download menu.
    links = re.findall(r'href="\.\./(notebooks/[^"]+\.ipynb|classroom/[^"]+\.zip)" download>', html)
    assert links == [f"notebooks/{stem}.ipynb", f"notebooks/{stem}-student.ipynb", "classroom/hashrate-classroom.zip"]
    menu = html[html.index('class="dropdown dropdown-download-buttons"'):]
    menu = menu[:menu.index("</ul>")]
    assert re.findall(r'href="\.\./((?:notebooks|classroom)/[^"]+)"', menu) == [l for l in links]
    for name in links:
        assert (SITE / name).exists()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed: `make pdf` and its test are skipped")
def test_pdf_holds_every_chapter_and_every_chart():
    from pypdf import PdfReader

    assert PDF.exists(), "run `make pdf` (make test does when Chromium is present)"
    # NFKC folds the ligatures the PDF's fonts use ("ﬁ", "ﬃ") back into letters.
    text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in PdfReader(PDF).pages))
    text = re.sub(r"\s+", " ", text)
    for stem in ["intro", *CHAPTERS, "appendix-fact-check", "appendix-data", "teachers", "glossary"]:
        title = re.search(r"^# (.+)$", (BOOK / f"{stem}.md").read_text(), re.M).group(1)
        assert title in text, title
    titles = []
    for page in ["intro.md", *(f"{s}.md" for s in CHAPTERS)]:
        titles += [re.sub(r"\s+", " ", spec["title"]["text"]) for spec in chart_specs(executed(page))]
    assert len(titles) >= 30
    missing = [t for t in titles if t not in text]
    assert missing == []


@pytest.mark.skipif(not NOTEBOOKS.exists(), reason="no _build/html/notebooks: run `make book` first")
@pytest.mark.parametrize("stem", CHAPTERS)
def test_downloaded_notebooks_read_as_the_page_does_with_no_myst_markup_left(stem):
    """Jupyter shows MyST's roles and directives as raw text: the downloads carry what the page shows instead."""
    import nbformat

    source = (BOOK / f"{stem}.md").read_text()
    figures = re.findall(r"^`{3,}\{glue:figure\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*?:name: (\S+)", source, re.M)
    chapter = stem[2]
    for edition in ("", "-student"):
        nb = nbformat.read(NOTEBOOKS / f"{stem}{edition}.ipynb", as_version=4)
        prose = "\n".join(re.sub(r"^```.*?^```", "", c.source, flags=re.S | re.M) for c in nb.cells if c.cell_type == "markdown")
        assert re.findall(r"\{[a-z:-]+\}`|^[`:]{3,}\{", prose, re.M) == []
        # Each chart's caption, numbered as the page numbers it.
        captions = re.findall(r"^\*Figure (\d+)\.(\d+)\. ", prose, re.M)
        assert captions == [(chapter, str(i)) for i in range(1, len(figures) + 1)]
        # A reference to a figure names its number; glued values are filled in (none left empty).
        assert not re.search(r"\{glue|\]\(#|<(fig|ch)\d", prose)
    exercises = re.findall(r"^\*\*Exercise (ch\d-ex\d): ", prose, re.M)
    assert exercises == re.findall(r"^:label: (ch\d-ex\d)$", source, re.M)


def test_a_glued_text_stays_text_in_a_notebook():
    from minebook.notebook_markdown import readable

    hostile = '<img src=x onerror="alert(1)"> <script>alert(2)</script> *bold* [link](javascript:alert(3)) `code`'
    out = readable("Source: {glue:text}`label`. Share {glue:text}`pct:.1f`%.", {"label": hostile, "pct": 12.345}, {}, {})
    assert out == ("Source: &lt;img src=x onerror=\"alert(1)\"&gt; &lt;script&gt;alert(2)&lt;/script&gt; \\*bold\\* "
                   "\\[link\\](javascript:alert(3)) \\`code\\`. Share 12.3%.")
