"""Sphinx extension: site-wide fixes to the HTML Jupyter Book writes.

- Offline: sphinx-thebe (pulled in by Jupyter Book) registers a config script once per read pass, so a
  rebuild declares `THEBE_JS_URL` twice and the page throws; thebe itself loads from a CDN that an offline
  reader cannot reach. The book has no live-code buttons, so its scripts are dropped.
- Accessibility: docutils marks the bibliography's citation list `role="list"` although its children are
  not list items (axe: aria-required-children, critical). The role is removed; the entries keep theirs.
"""
from __future__ import annotations


def _is_thebe(script) -> bool:
    name = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return "thebe" in name or body.startswith("const THEBE_JS_URL")


def fix_page(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')


def setup(app):
    app.connect("html-page-context", fix_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
