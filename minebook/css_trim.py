"""Drop the theme's CSS rules that cannot match anything in the built site.

pydata-sphinx-theme ships one stylesheet for every site it serves: about 66 kB with gzip, of which Lighthouse
finds over 90 % unused on a chapter. A phone must download and parse all of it before the first paint, and
matches every rule against every element. A rule is kept if one of its selectors names only classes and ids
that occur somewhere in the site: in a page's markup or anywhere in its scripts (which may add them later,
so every word in a script counts). Classes inside :not(), :is(), :where() and :has() do not decide anything.
"""
from __future__ import annotations

import re
from pathlib import Path

import tinycss2

# The stylesheets trimmed after a build, relative to its output folder.
TRIMMED = ("_static/styles/pydata-sphinx-theme.css", "_static/sphinx-design.min.css")
WORD = re.compile(r"-?[_a-zA-Z][\w-]*")
GROUPING = {"media", "supports", "layer", "container"}


def vocabulary(site: Path) -> set[str]:
    """Every class and id in the site's pages, and every word in its scripts."""
    words: set[str] = set()
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for value in re.findall(r'\b(?:class|id)="([^"]*)"', text):
            words.update(value.split())
    for script in site.rglob("*.js"):
        words.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return words


def _top_level(selector: str) -> str:
    """The selector without anything inside parentheses (where a missing class does not prevent a match)."""
    out, depth = [], 0
    for char in selector:
        depth += char == "("
        if depth == 0:
            out.append(char)
        depth -= char == ")" and depth > 0
    return "".join(out)


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in prelude:
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    return parts + ["".join(current)]


def can_match(selector: str, words: set[str]) -> bool:
    names = re.findall(r"[.#](-?[_a-zA-Z][\w-]*)", _top_level(selector))
    return all(name in words for name in names)


def _trim_rules(rules, words: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude)
            if any(can_match(s, words) for s in _split_selectors(prelude)):
                kept.append(rule.serialize())
        elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING and rule.content is not None:
            inner = _trim_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), words)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            # The icon fonts are not used: the book draws its icons as inline SVG (see _static/minebook.css).
            if "Font Awesome" not in tinycss2.serialize(rule.content or []):
                kept.append(rule.serialize())
        elif rule.type == "at-rule":
            kept.append(rule.serialize())
    return kept


def trim(css: str, words: set[str]) -> str:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_trim_rules(rules, words)) + "\n"


def trim_site(site: Path, originals: dict[str, Path]) -> dict[str, tuple[int, int]]:
    """Write each stylesheet of TRIMMED into the built site from its original (in the theme or extension),
    trimmed to what the site can use; returns each one's size before and after. Always from the original:
    a page added later may need a rule an earlier trim left out."""
    words = vocabulary(site)
    sizes = {}
    for name, original in originals.items():
        before = original.read_text(encoding="utf-8")
        after = trim(before, words)
        (site / name).write_text(after, encoding="utf-8")
        sizes[name] = (len(before), len(after))
    return sizes


def originals(app) -> dict[str, Path]:
    """Where Sphinx copied each stylesheet of TRIMMED from: the theme's static folders, then html_static_path."""
    folders = [Path(d) / "static" for d in app.builder.theme.get_theme_dirs()]
    folders += [Path(app.confdir) / d for d in app.config.html_static_path]
    found = {}
    for name in TRIMMED:
        relative = name.removeprefix("_static/")
        for folder in folders:
            if (folder / relative).is_file():
                found[name] = folder / relative
                break
    return found


def trim_after_build(app, exception) -> None:
    if exception is None and app.builder.name == "html":
        trim_site(Path(app.outdir), originals(app))
