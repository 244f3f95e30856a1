"""One chart theme and an offline renderer.

Every chart in the book goes through `finish()`: a title that states the finding, a subtitle
that says what is plotted and in which units, a source line (kept in the spec, printed under the
chart) and a text description for screen readers.

The renderer emits the Vega-Lite MIME bundle (JupyterLab draws it) next to `text/html` for the book:
the finding and source as HTML around the chart's box, and the spec as inert JSON that the build turns
into static SVG/PNG images, downloads, and an interactive view loaded only when the chart nears the
screen (see `minebook/site_charts.py` and `_static/minebook-charts.js`). Nothing loads from the network.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

import altair as alt
import pandas as pd

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
WIDTH = 640          # the width a chart is drawn at for the static desktop image and for downloads
NARROW_WIDTH = 360   # ... and for the static image a phone shows
HEIGHT = 300
MIN_FONT = 11        # CSS px: no text in a chart is drawn smaller, at any screen width

# One colour per country across the whole book (Okabe-Ito palette, colour-blind safe).
COUNTRY_COLORS = {
    "China": "#D55E00",
    "United States": "#0072B2",
    "Kazakhstan": "#009E73",
    "Russia": "#CC79A7",
    "Canada": "#E69F00",
    "Malaysia": "#56B4E9",
    "Iran": "#F0E442",
    "Germany": "#999999",
    "Ireland": "#BBBBBB",
    "Other": "#DDDDDD",
}
# Fixed meanings for everything that is not a country, distinct from every country's colour.
HASHRATE = "#3B3B98"     # hash rate and what is estimated from blocks (indigo)
INTERVAL = "#A9A6D9"     # the uncertainty around a hash-rate estimate (light indigo)
PRICE = "#1F1F1F"        # bitcoin's price (ink)
MARKET = "#8C8C8C"       # stock indices, rates and other markets (grey)
EVENT = "#6B4E16"        # dated events: rules and their labels (dark umber)
EVENT_SHADE = "#E9DFC7"  # the span of an event
REVENUE = "#6A3D9A"      # what miners earn: revenue, hashprice, and the new coins in it (deep violet)
FEES = "#CAB2D6"         # the transaction fees in miners' revenue (light violet)
INK = "#222222"
MUTED = "#595959"        # reference lines and secondary text (4.5:1 on white)

# Numbers on charts: true minus signs and a thin space between thousands, as in the text.
FORMAT_LOCALE = {"decimal": ".", "thousands": "\u202f", "grouping": [3], "currency": ["$", ""], "minus": "\u2212"}


def country_scale(countries=None) -> alt.Scale:
    names = list(countries) if countries is not None else list(COUNTRY_COLORS)
    return alt.Scale(domain=names, range=[COUNTRY_COLORS[c] for c in names])


def theme() -> alt.theme.ThemeConfig:
    axis = {"labelFontSize": MIN_FONT, "titleFontSize": 12, "titleColor": INK, "labelColor": MUTED,
            "gridColor": "#e6e6e6", "domainColor": "#999999", "tickColor": "#999999", "titleFontWeight": 500,
            # Labels never collide and never rotate: on a narrow chart Vega drops every other one instead.
            "labelOverlap": "greedy", "labelAngle": 0, "labelFlush": True, "labelPadding": 3,
            # The chart's accessible content is its text description (on the role="img" container);
            # Vega's per-mark ARIA roles would otherwise announce unnamed graphics.
            "aria": False}
    return alt.theme.ThemeConfig({
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "background": "white",
            "padding": {"left": 2, "right": 8, "top": 6, "bottom": 2},
            "title": {"anchor": "start", "fontSize": 16, "fontWeight": 600, "color": INK,
                      "subtitleFontSize": 12, "subtitleColor": MUTED, "offset": 12},
            "axis": axis,
            "axisTemporal": {"format": "%b %Y"},
            "header": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK},
            "legend": {"labelFontSize": MIN_FONT, "titleFontSize": 12, "orient": "top", "direction": "horizontal",
                       "labelLimit": 160, "symbolSize": 80, "aria": False},
            "line": {"strokeWidth": 1.8},
            "text": {"fontSize": MIN_FONT},
            "mark": {"aria": False},
            "range": {"category": list(COUNTRY_COLORS.values())},
        }
    })


def finish(chart, *, finding: str, subtitle: str, source: str, description: str,
           narrow: dict | None = None, data: tuple[str, ...] = ()):
    """Title, source and screen-reader text, the same way on every chart.

    On the page the title and subtitle are HTML above the chart and the source line is HTML under it, so
    they wrap on a phone; the spec keeps them (`title`, `usermeta`) for the downloads, which draw them.
    A single or layered chart takes its container's width. `narrow` holds changes for screens under
    600 px (dotted paths into the spec, such as {"columns": 1}); `data` names the book's data sets the
    chart plots, for the licence line of its CSV download."""
    properties = {"title": alt.TitleParams(finding, subtitle=[subtitle]), "description": description,
                  "usermeta": {"source": f"Source: {source}", "formatLocale": FORMAT_LOCALE,
                               "narrow": narrow or {}, "datasets": list(data)}}
    if isinstance(chart, (alt.Chart, alt.LayerChart)) and chart.to_dict().get("width") in (None, alt.Undefined):
        properties |= {"width": "container", "autosize": alt.AutoSizeParams(type="fit", contains="padding")}
    return chart.properties(**properties)


def ends(frame: pd.DataFrame, x: str, y: str, *, color: str = INK, below: bool = False, fmt: str = "%-d %b %Y",
         label: bool = True) -> alt.LayerChart:
    """A dot and "to 22 Mar 2026" at the last point of a series, so a chart says where each line stops and a
    reader never takes a line that ends for one that runs on. `below` puts the label under the dot, for a
    second series ending near the first; without `label`, the dot alone (the caption then gives the date)."""
    last = frame.dropna(subset=[y]).sort_values(x).tail(1)
    last = last.assign(end_label=[f"to {d:{fmt}}" for d in last[x]])
    base = alt.Chart(last).encode(x=f"{x}:T", y=f"{y}:Q")
    dot = base.mark_point(filled=True, size=36, color=color, opacity=1)
    if not label:
        return dot
    return dot + base.mark_text(align="right", baseline="top" if below else "bottom", dx=-4, dy=6 if below else -6,
                                color=color).encode(text="end_label:N")


def source_of(spec: dict) -> str:
    return spec.get("usermeta", {}).get("source", "")


def _set(spec, path: str, value) -> None:
    """Set `value` at a dotted path; a number steps into a list ("layer.0.encoding.color.legend")."""
    *parents, last = path.split(".")
    for key in parents:
        spec = spec[int(key)] if isinstance(spec, list) else spec.setdefault(key, {})
    if isinstance(spec, list):
        spec[int(last)] = value
    else:
        spec[last] = value


def for_screen(spec: dict, *, narrow: bool) -> dict:
    """What the interactive view draws: the width stays "container", the narrow changes apply on a phone,
    and the title is dropped (the page prints it as HTML)."""
    out = json.loads(json.dumps(spec))
    if narrow:
        for path, value in out.get("usermeta", {}).get("narrow", {}).items():
            _set(out, path, value)
    out.pop("title", None)
    return out


def for_width(spec: dict, width: int, *, title: bool) -> dict:
    """The spec as drawn at `width` px: "container" becomes a number, narrow changes apply under 600 px,
    and the title is dropped where the page prints it as HTML."""
    out = for_screen(spec, narrow=width < 600)
    if title and "title" in spec:
        out["title"] = json.loads(json.dumps(spec["title"]))

    def fix(node):
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = width
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)
    fix(out)
    return out


def interactive_script(spec: dict, chart_id: str) -> str:
    """The chart as the browser draws it, compiled to Vega at build time (compiling Vega-Lite in the page
    cost 20-250 ms a chart), for a desktop column and, where the spec asks for changes, for a phone."""
    import vl_convert as vlc

    meta = spec.get("usermeta", {})
    screens = {"wide": vlc.vegalite_to_vega(for_screen(spec, narrow=False)),
               "narrow": vlc.vegalite_to_vega(for_screen(spec, narrow=True)) if meta.get("narrow") else None}
    # Both screens plot the same rows: ship them once, and let the page put them back into each spec.
    datasets = {}
    for screen in filter(None, screens.values()):
        for data in screen.get("data", []):
            if "values" in data:
                datasets.setdefault(data["name"], data.pop("values"))
    payload = {**screens, "datasets": datasets, "formatLocale": meta.get("formatLocale"),
               "title": spec.get("title"), "source": meta.get("source")}
    return f"(window.MINEBOOK_SPECS=window.MINEBOOK_SPECS||{{}})[{json.dumps(chart_id)}]={script_json(payload)};\n"


def export_spec(spec: dict) -> dict:
    """What a download draws: the chart at WIDTH with its title above and its source line below."""
    inner = for_width(spec, WIDTH, title=False)
    outer = {key: inner.pop(key) for key in ("$schema", "config", "datasets", "usermeta", "description") if key in inner}
    inner.pop("autosize", None)
    source_line = {"data": {"values": [{"text": source_of(spec)}]}, "width": WIDTH, "height": 14,
                   "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": MIN_FONT, "color": MUTED,
                            "limit": WIDTH + 40},
                   "encoding": {"text": {"field": "text", "type": "nominal"}, "x": {"value": 0}, "y": {"value": 0}}}
    return {**outer, "title": spec.get("title"), "vconcat": [inner, source_line], "spacing": 8}


def chart_id(spec: dict) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return f"vega-{digest}"


# Text from a data source may contain "</script>" or line separators: inside a <script> element the JSON
# is written with those characters escaped, so no string in any spec can end the script or start markup.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).translate(_SCRIPT_SAFE)


def figure_html(spec: dict, *, box: str = "", downloads: str = "") -> str:
    """The chart as a reader's page shows it: finding, subtitle, the chart's box (empty in a notebook; the
    static images at build time), the source line and, at build time, the download links."""
    div = chart_id(spec)
    title = spec.get("title", {})
    finding = html.escape(title.get("text", "") if isinstance(title, dict) else str(title))
    subtitle = html.escape(" ".join(title.get("subtitle", [])) if isinstance(title, dict) else "")
    description = html.escape(spec.get("description", "Chart"), quote=True)
    source = html.escape(source_of(spec))
    return (
        f'<div class="minebook-chart" data-chart="{div}">'
        f'<p class="minebook-chart-title">{finding}</p><p class="minebook-chart-subtitle">{subtitle}</p>'
        f'<div id="{div}" class="minebook-vega" role="img" aria-label="{description}">{box}</div>'
        f'<p class="minebook-source">{source}{" " + downloads if downloads else ""}</p></div>'
    )


def html_for(spec: dict, box: str = "") -> str:
    """`figure_html` followed by the spec as inert JSON. At build time `minebook/site_charts.py` rebuilds the
    figure with its static images and downloads, and moves the spec to a file that the page loads when the
    chart comes near the screen."""
    return (f'{figure_html(spec, box=box)}\n'
            f'<script type="application/json" class="minebook-spec" data-chart="{chart_id(spec)}">{script_json(spec)}</script>')


def notebook_image(spec: dict, svg: str | None = None) -> str:
    """The chart as an image a notebook shows anywhere: JupyterLab, Colab, VS Code, offline, and opened from a
    download (which Jupyter does not trust: it shows no inline SVG or script, but it shows an image from a
    data URL). `svg`: the chart as the build already drew it at WIDTH, if at hand."""
    if svg is None:
        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(for_width(spec, WIDTH, title=False),
                                  format_locale=spec.get("usermeta", {}).get("formatLocale"))
    return (f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}" alt="" '
            f'style="max-width:100%;height:auto;background:white">')


# True in the downloadable notebooks (their setup cell says so): a chart shows itself as an image. The book's
# build leaves the box empty and fills it with its own static images.
NOTEBOOK_IMAGES = False


def renderer(spec: dict, **_metadata) -> dict:
    return {
        "application/vnd.vegalite.v6+json": spec,
        "text/html": html_for(spec, box=notebook_image(spec) if NOTEBOOK_IMAGES else ""),
        "text/plain": f"<Chart: {spec.get('description', '')}>",
    }


def setup() -> None:
    alt.theme.register("minebook", enable=True)(theme)
    alt.renderers.register("minebook", renderer)
    alt.renderers.enable("minebook")
