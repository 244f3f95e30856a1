"""Sphinx extension: every chart of a page becomes, at build time,

- two static SVG images in its box (desktop and phone widths, drawn by vl-convert), visible from the
  first paint, with JavaScript off, in print and in the PDF;
- downloads beside it: PNG and SVG with the title and source line drawn in, and the plotted data as CSV
  with the source, licences and a link to the data appendix in its header;
- its spec in `_charts/<id>.js`, which `_static/minebook-charts.js` loads, with the Vega bundle, only when
  the chart comes near the screen; the interactive view then replaces the static image.

Files are named by the chart's id (a hash of its spec), so an unchanged chart is not drawn again.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

from docutils import nodes

from . import charts, paths

# What `charts.html_for` wrote: the figure, then the spec as JSON (the same id on both).
FIGURE = re.compile(r'<div class="minebook-chart" data-chart="(vega-[0-9a-f]+)">.*?</div>\n'
                    r'<script type="application/json" class="minebook-spec" data-chart="\1">(.*?)</script>', re.S)
NARROW_MEDIA = "(max-width: 599px)"
LOADER = "minebook-charts.js"


def _datapackage() -> dict:
    return json.loads((paths.ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


def csv_text(spec: dict, page_url: str) -> str:
    """The data the chart plots (every data set in the spec; a `part` column tells them apart when there
    are several), under a header of comment lines: what it is, the source, the licences, where to read more."""
    datasets = spec.get("datasets", {})
    parts = [(name, rows) for name, rows in datasets.items() if rows]
    columns = []
    for _, rows in parts:
        for row in rows:
            columns += [c for c in row if c not in columns]
    resources = {r["name"]: r for r in _datapackage()["resources"]}
    licences = []
    for name in spec.get("usermeta", {}).get("datasets", []):
        for licence in resources.get(name, {}).get("licenses", []):
            licences.append(f"{name}: {licence.get('title') or licence.get('name')}")
    title = spec.get("title", {})
    lines = [
        f"# {title.get('text', '') if isinstance(title, dict) else title}",
        f"# {charts.source_of(spec)}",
        f"# Licence: {'; '.join(licences) if licences else 'each source keeps its own terms (see the data appendix)'}",
        f"# Data sets, their licences and checksums: {page_url}",
    ]
    out = io.StringIO()
    out.write("\n".join(line.replace("\n", " ") for line in lines) + "\n")
    several = len(parts) > 1
    writer = csv.DictWriter(out, fieldnames=(["part"] if several else []) + columns, lineterminator="\n")
    writer.writeheader()
    for i, (_, rows) in enumerate(parts, start=1):
        for row in rows:
            writer.writerow({**({"part": i} if several else {}), **row})
    return out.getvalue()


def write_chart_files(spec: dict, chart_id: str, folder: Path, data_page_url: str) -> dict:
    """Draw a chart's files once; returns the static images' sizes."""
    import vl_convert as vlc

    folder.mkdir(parents=True, exist_ok=True)
    locale = spec.get("usermeta", {}).get("formatLocale")
    sizes = {}
    for suffix, width in (("", charts.WIDTH), ("-narrow", charts.NARROW_WIDTH)):
        target = folder / f"{chart_id}{suffix}.svg"
        if not target.exists():
            target.write_text(vlc.vegalite_to_svg(charts.for_width(spec, width, title=False), format_locale=locale),
                              encoding="utf-8")
        head = target.read_text(encoding="utf-8")[:400]
        w, h = (re.search(rf'{a}="([\d.]+)"', head).group(1) for a in ("width", "height"))
        sizes[suffix] = (round(float(w)), round(float(h)))
    export = folder / f"{chart_id}-download.svg"
    if not export.exists():
        export.write_text(vlc.vegalite_to_svg(charts.export_spec(spec), format_locale=locale), encoding="utf-8")
    png = folder / f"{chart_id}.png"
    if not png.exists():
        png.write_bytes(vlc.svg_to_png(export.read_text(encoding="utf-8"), scale=2))
    (folder / f"{chart_id}.csv").write_text(csv_text(spec, data_page_url), encoding="utf-8")
    # The spec as a script (not JSON fetched by XHR), so the interactive view also works from file://.
    (folder / f"{chart_id}.js").write_text(charts.interactive_script(spec, chart_id), encoding="utf-8")
    return sizes


def chart_box(chart_id: str, sizes: dict, url, first: bool) -> str:
    (w, h), (nw, nh) = sizes[""], sizes["-narrow"]
    loading = "eager" if first else "lazy"
    return (
        f'<picture><source media="{NARROW_MEDIA}" srcset="{url(chart_id + "-narrow.svg")}" width="{nw}" height="{nh}">'
        f'<img src="{url(chart_id + ".svg")}" alt="" width="{w}" height="{h}" loading="{loading}" decoding="async">'
        f"</picture>"
    )


def downloads(chart_id: str, url, data_page: str) -> str:
    return (
        '<span class="minebook-downloads">Download: '
        f'<a href="{url(chart_id + ".png")}" download>PNG</a> · '
        f'<a href="{url(chart_id + "-download.svg")}" download>SVG</a> · '
        f'<a href="{url(chart_id + ".csv")}" download>data (CSV)</a> · '
        f'<a href="{data_page}">about the data</a></span>'
    )


CARD = (1200, 630)  # the size Open Graph and X/Twitter show a link preview at
HOME_PAGE = "book/intro"  # pages without a chart share the landing page's first chart


def card_name(pagename: str) -> str:
    return f"card-{pagename.replace('/', '-')}.png"


def write_card(chart_id: str, folder: Path, target: Path) -> None:
    """A page's link preview: its first chart with title and source line (the SVG download), centred on
    a white 1200 x 630 canvas."""
    import vl_convert as vlc

    chart = (folder / f"{chart_id}-download.svg").read_text(encoding="utf-8")
    w, h = (float(re.search(rf'<svg[^>]*\b{a}="([\d.]+)"', chart).group(1)) for a in ("width", "height"))
    margin = 40
    scale = min((CARD[0] - 2 * margin) / w, (CARD[1] - 2 * margin) / h)
    x, y = (CARD[0] - w * scale) / 2, (CARD[1] - h * scale) / 2
    inner = re.sub(r"<svg\b", f'<svg x="{x:.1f}" y="{y:.1f}"', chart, count=1)
    inner = re.sub(r'(<svg[^>]*?)\bwidth="[\d.]+"', rf'\1width="{w * scale:.1f}"', inner, count=1)
    inner = re.sub(r'(<svg[^>]*?)\bheight="[\d.]+"', rf'\1height="{h * scale:.1f}"', inner, count=1)
    if "viewBox" not in inner.split(">", 1)[0]:
        inner = re.sub(r"<svg\b", f'<svg viewBox="0 0 {w} {h}"', inner, count=1)
    inner = re.sub(r"^<\?xml[^>]*>\s*", "", inner)
    card = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{CARD[0]}" height="{CARD[1]}">'
            f'<rect width="100%" height="100%" fill="white"/>{inner}</svg>')
    target.write_bytes(vlc.svg_to_png(card, scale=1))


def rewrite(body: str, folder: Path, url, data_page: str, data_page_url: str) -> tuple[str, list[str]]:
    """Each chart's figure, rebuilt with its static images and downloads; its spec leaves the page.
    Returns the page and its charts' ids, in order."""
    ids = []

    def build(match):
        chart_id, spec = match.group(1), json.loads(match.group(2))
        sizes = write_chart_files(spec, chart_id, folder, data_page_url)
        ids.append(chart_id)
        count = len(ids)
        return charts.figure_html(spec, box=chart_box(chart_id, sizes, url, first=count == 1),
                                  downloads=downloads(chart_id, url, data_page))

    return FIGURE.sub(build, body), ids


def on_page(app, pagename, templatename, context, doctree):
    if "body" not in context or 'class="minebook-spec"' not in context["body"]:
        return
    pathto = context["pathto"]
    folder = Path(app.outdir) / "_charts"

    def url(name):
        return pathto(f"_charts/{name}", 1)

    data_page = pathto("book/appendix-data") + "#data-and-methods"
    base = (app.config.html_baseurl or "").rstrip("/")
    data_page_url = f"{base}/book/appendix-data.html" if base else "book/appendix-data.html (in the book)"
    context["body"], ids = rewrite(context["body"], folder, url, data_page, data_page_url)
    if ids:
        app.add_js_file(LOADER, defer="defer")  # called here, Sphinx adds it to this page only
        card = folder / card_name(pagename)
        write_card(ids[0], folder, card)
        title = re.search(rf'data-chart="{ids[0]}"><p class="minebook-chart-title">(.*?)</p>', context["body"])
        context["minebook_card_alt"] = html.unescape(title.group(1)) if title else ""


SUMMARY_LENGTH = 200  # search engines show about this much of a description


def summary(doctree, limit: int = SUMMARY_LENGTH) -> str:
    """The page's opening words, for search results and link previews: its first paragraphs of running
    text (not a box, figure or table), ending at a sentence or, failing that, a word."""
    skip = (nodes.Admonition, nodes.figure, nodes.table, nodes.footnote, nodes.citation, nodes.container)
    text = ""
    for para in doctree.findall(nodes.paragraph):
        parent, inside = para.parent, False
        while parent is not None:
            inside = inside or isinstance(parent, skip)
            parent = parent.parent
        if not inside:
            text = f"{text} {' '.join(para.astext().split())}".strip()
            if len(text) >= limit // 2:
                break
    if len(text) <= limit:
        return text
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text[:limit])]
    if ends and ends[-1] >= limit // 2:
        return text[:ends[-1]]
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:–—") + "…"


def share_tags(app, pagename, templatename, context, doctree):
    """What search engines and link previews read, handed to sphinxext-opengraph through the page's
    metadata (it reads `og:` fields there): the page's summary, and its own first chart as the preview
    image, or the landing page's."""
    if doctree is None or app.builder.name != "html":
        return
    base = (app.config.html_baseurl or "").rstrip("/") + "/"
    own = "minebook_card_alt" in context
    name = card_name(pagename if own else HOME_PAGE)
    alt = context.get("minebook_card_alt") or app.config.html_title
    description = summary(doctree)
    # Sphinx's layout writes the viewport tag; Jupyter Book adds a second copy through the page's meta tags.
    metatags = re.sub(r'<meta name="viewport"[^>]*>', "", context.get("metatags", ""))
    context["metatags"] = metatags + (
        f'<meta name="description" content="{html.escape(description, quote=True)}" />\n')
    context["meta"] = {**(context.get("meta") or {}), "og:description": description,
                       "og:image": f"{base}_charts/{name}", "og:image:alt": alt,
                       "og:image:width": str(CARD[0]), "og:image:height": str(CARD[1])}


LAZY = {"vega-bundle.js", LOADER}


def keep_scripts_lazy(app, config):
    """Jupyter Book adds every .js file in `_static/` to every page's head. The Vega bundle is loaded only
    when a chart nears the screen, and the loader only on pages with charts (see `on_page`)."""
    def name(entry):
        return entry[0] if isinstance(entry, (list, tuple)) else entry
    config.html_js_files = [entry for entry in config.html_js_files if name(entry) not in LAZY]


def setup(app):
    app.connect("config-inited", keep_scripts_lazy)
    app.connect("html-page-context", on_page, priority=400)
    app.connect("html-page-context", share_tags, priority=450)  # after on_page, before sphinxext-opengraph
    return {"parallel_read_safe": True, "parallel_write_safe": True}
