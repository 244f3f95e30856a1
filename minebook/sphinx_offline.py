"""Sphinx extension: keep pages free of scripts that need the network.

sphinx-thebe (pulled in by Jupyter Book) registers a config script once per read pass, so a
rebuild declares `THEBE_JS_URL` twice and the page throws; thebe itself loads from a CDN, which an
offline reader cannot reach. The book has no live-code buttons, so its scripts are dropped.
"""
from __future__ import annotations


def _is_thebe(script) -> bool:
    name = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return "thebe" in name or body.startswith("const THEBE_JS_URL")


def drop_thebe(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]


def setup(app):
    app.connect("html-page-context", drop_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
