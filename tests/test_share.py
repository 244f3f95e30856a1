"""What search engines and link previews read: every page's description, Open Graph and card tags with a
1200 x 630 preview image, the sitemap, robots.txt and a 404 page that works at any depth."""
from __future__ import annotations

import html
import re
import struct
from urllib.parse import urlsplit

import pytest

from builtsite import PAGES, SITE, site_address

pytestmark = pytest.mark.skipif(not (SITE / "book").exists(), reason="no _build/html: run `make book` first")


def _meta(page: str) -> dict[str, str]:
    head = (SITE / page).read_text(encoding="utf-8").split("</head>", 1)[0]
    tags = {}
    for attrs in re.findall(r"<meta ([^>]+?)\s*/?>", head):
        key = re.search(r'(?:name|property)="([^"]+)"', attrs)
        content = re.search(r'content="([^"]*)"', attrs)
        if key and content:
            assert key.group(1) not in tags, f"{page}: two {key.group(1)} tags"
            tags[key.group(1)] = html.unescape(content.group(1))
    return tags


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def _body_text(page: str) -> str:
    body = (SITE / page).read_text(encoding="utf-8").split("<main", 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_its_own_description_and_preview(page):
    tags, site = _meta(page), site_address()
    description = tags.get("description", "")
    assert 50 <= len(description) <= 200, f"{page}: description of {len(description)} characters: {description!r}"
    assert tags["og:description"] == description
    # The description is the page's own opening words (cut at a sentence or a word), not boilerplate.
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731  (links and citations add spaces)
    assert squeeze(description.rstrip("…")[:60]) in squeeze(_body_text(page)), f"{page}: {description!r} is not from the page"
    title = re.search(r"<title>(.*?)</title>", (SITE / page).read_text(encoding="utf-8"), flags=re.S).group(1)
    assert html.unescape(title).startswith(tags["og:title"])
    assert tags["og:url"] == site + page
    assert f'<link rel="canonical" href="{site + page}" />' in (SITE / page).read_text(encoding="utf-8")
    assert tags["og:site_name"] == "Hashrate on the Move" and tags["twitter:card"] == "summary_large_image"
    image = tags["og:image"]
    assert image.startswith(site + "_charts/card-"), image
    assert _png_size(SITE / image[len(site):]) == (1200, 630)
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"].strip()


def test_each_chapter_previews_its_own_headline_chart():
    site = site_address()
    for page in [p for p in PAGES if re.match(r"book/ch\d", p)]:
        tags = _meta(page)
        assert tags["og:image"] == f"{site}_charts/card-{page[:-5].replace('/', '-')}.png"
        first_title = re.search(r'<p class="minebook-chart-title">(.*?)</p>', (SITE / page).read_text(encoding="utf-8"))
        assert tags["og:image:alt"] == html.unescape(first_title.group(1)), page
    # A page without charts shows the landing page's.
    assert _meta("book/glossary.html")["og:image"] == f"{site}_charts/card-book-intro.png"


def test_the_sitemap_lists_every_page_and_only_built_pages():
    site = site_address()
    listed = re.findall(r"<loc>(.*?)</loc>", (SITE / "sitemap.xml").read_text(encoding="utf-8"))
    assert listed and all(url.startswith(site) for url in listed)
    paths = [url[len(site):] for url in listed]
    missing = [p for p in paths if not (SITE / p).is_file()]
    assert missing == [], f"the sitemap names pages that were not built: {missing}"
    assert set(paths) == set(PAGES)
    robots = (SITE / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {site}sitemap.xml" in robots.splitlines()


def test_the_404_page_links_from_the_site_root():
    page = (SITE / "404.html").read_text(encoding="utf-8")
    prefix = urlsplit(site_address()).path
    assert "Page not found" in page
    local = [u for u in re.findall(r'(?:href|src)="([^"#]+)"', page) if not u.startswith(("https://", "http://"))]
    assert local and all(u.startswith(prefix) for u in local), [u for u in local if not u.startswith(prefix)][:5]
    assert f'href="{prefix}book/intro.html"' in page
