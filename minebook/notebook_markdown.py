"""The book's MyST Markdown as a notebook shows it: JupyterLab, Colab and VS Code render plain Markdown and leave
MyST's roles and directives as raw text ({glue:text}`...`, ```{glue:figure}```). In the downloaded notebooks each
becomes what the page shows: the glued value, the figure's number and caption, the exercise's title, the term.
"""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path

# A fenced directive: ```{name} argument, then :option: lines, then the body, closed by the same fence.
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z:-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
                       r"(?P<options>(?::[a-z-]+:[^\n]*\n)*)(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<body>[^`]*)`")
TARGET = re.compile(r"^\([A-Za-z0-9_-]+\)=[ \t]*\n", re.M)
FIGURE_NAME = re.compile(r"^`{3,}\{glue:figure\}[^\n]*\n(?:(?::[a-z-]+:[^\n]*\n)*?):name: (\S+)", re.M)


def glued_values(nb) -> dict:
    """Every number and text an executed notebook glued (not its charts), as Python values."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            data = output.get("data", {})
            text = data.get(scrap.get("mime_prefix", "") + "text/plain") if scrap else None
            if text is not None and not any("vegalite" in key for key in data):
                try:
                    values[scrap["name"]] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    pass
    return values


def figure_numbers(pages: list[Path]) -> dict[str, str]:
    """`fig-...` -> "1.3", as the book numbers them: by page, behind the chapter's number."""
    from .sphinx_site import FIGURE_PREFIX

    numbers = {}
    for page in pages:
        prefix = FIGURE_PREFIX.get(f"book/{page.stem}")
        for i, name in enumerate(FIGURE_NAME.findall(page.read_text(encoding="utf-8")), start=1):
            numbers[name] = f"{prefix}.{i}" if prefix is not None else str(i)
    return numbers


def citations(bib: Path) -> dict[str, str]:
    """bibtex key -> "Author (year)", the way the book cites."""
    found = {}
    for key, body in re.findall(r"@\w+\{([^,\s]+),(.*?)\n\}", bib.read_text(encoding="utf-8"), re.S):
        author = re.search(r"author\s*=\s*\{(.*)\},?\s*$", body, re.M)
        year = re.search(r"year\s*=\s*\{?(\d{4})", body)
        name = (author.group(1) if author else key).strip("{}")
        name = name.split(" and ")[0].split(",")[0].strip("{} ")
        found[key] = f"{name} ({year.group(1)})" if year else name
    return found


# Markdown's own punctuation, escaped so that a glued text (an event's label, a source's title) stays text.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]|#"})


def as_text(value: str) -> str:
    """A value written into a notebook's Markdown as text: never markup, never script (Jupyter renders the HTML
    a Markdown cell holds), whatever a source put in it."""
    return html.escape(value, quote=False).translate(_MARKDOWN)


def readable(text: str, glued: dict, figures: dict[str, str], cites: dict[str, str]) -> str:
    def directive(m: re.Match) -> str:
        name, arg, options = m["name"], m["arg"].strip(), m["options"]
        body = DIRECTIVE.sub(directive, m["body"]).strip("\n")
        label = re.search(r"^:(?:label|name): (\S+)", options, re.M)
        if name == "glue:figure":
            number = figures.get(label.group(1)) if label else None
            caption = " ".join(body.split())
            return f"*Figure {number}. {caption}*" if number else f"*{caption}*"
        if name == "exercise":
            return f"**Exercise {label.group(1) if label else ''}: {arg}**\n\n{body}"
        if name == "solution":
            return f"**Solution to exercise {arg}**\n\n{body}"
        if name in ("admonition", "table"):
            return f"**{arg}**\n\n{body}" if arg else body
        if name in ("list-of-figures", "glossary", "bibliography"):
            return ""
        return body   # div, important, note: the text itself

    def role(m: re.Match) -> str:
        kind, body = m["role"], m["body"]
        shown, _, target = body.partition(" <")
        target = target.rstrip(">")
        if kind in ("glue:text", "glue:", "glue"):
            page, _, rest = body.rpartition("::")   # another page's value: ./page.md::name:format
            name, _, spec = rest.partition(":")
            name = f"{page}::{name}" if page else name
            if name not in glued:
                return m[0]
            value = glued[name]
            try:
                shown = format(value, spec) if spec else str(value)
            except (TypeError, ValueError):
                shown = str(value)
            return as_text(shown)
        if kind == "numref":
            number = figures.get(target or body)
            if number is None:
                return shown if target else body
            return shown.replace("%s", number).replace("{number}", number) if target else f"Figure {number}"
        if kind in ("term", "ref", "doc"):
            return shown if target else body.replace("-", " ")
        if kind in ("sup", "sub"):
            return f"<{kind}>{body}</{kind}>"
        if kind.startswith("cite"):
            names = [cites.get(key.strip(), key.strip()) for key in body.split(",")]
            return "; ".join(names) if kind == "cite:t" else f"({'; '.join(names)})"
        return body

    text = TARGET.sub("", text)
    text = DIRECTIVE.sub(directive, text)
    return ROLE.sub(role, text)
