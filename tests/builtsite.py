"""The built site, for the tests that read it."""
from __future__ import annotations

from minebook.paths import ROOT
from minebook.pdf import chromium_path
from minebook.serve import serve_directory

SITE = ROOT / "_build" / "html"
CHROMIUM = chromium_path()
PAGES = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").glob("*.html")) if SITE.exists() else []


def serve_site():
    return serve_directory(SITE)
