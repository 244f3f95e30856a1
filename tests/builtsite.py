"""The built site, for the tests that read it."""
from __future__ import annotations

import os
import re

from minebook.paths import ROOT
from minebook.pdf import chromium_path
from minebook.serve import serve_directory

SITE = ROOT / "_build" / "html"
CHROMIUM = chromium_path()
PAGES = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").glob("*.html")) if SITE.exists() else []


def serve_site():
    return serve_directory(SITE)


def _config_value(pattern: str) -> str:
    return re.search(pattern, (ROOT / "_config.yml").read_text(encoding="utf-8"), flags=re.M).group(1)


def site_address() -> str:
    """Where the site is published: _config.yml's html.baseurl, or BOOK_SITE_URL when a workflow sets it."""
    site = os.environ.get("BOOK_SITE_URL") or _config_value(r"^  baseurl: (\S+)")
    return site if site.endswith("/") else site + "/"


def repository_address() -> str:
    return os.environ.get("BOOK_REPOSITORY_URL") or _config_value(r"^repository:\n  url: (\S+)")
