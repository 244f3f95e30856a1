"""One chart theme and an offline renderer.

Every chart in the book goes through `finish()`: a title that states the finding, a subtitle
that says what is plotted and in which units, a source line (kept in the spec, printed under the
chart) and a text description for screen readers.

The renderer emits the Vega-Lite MIME bundle (JupyterLab draws it) next to `text/html` that
calls `vegaEmbed` from the bundle the book ships in `_static/`, so pages need no network.
"""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import altair as alt
import pandas as pd

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
WIDTH = 640
HEIGHT = 300

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
INK = "#222222"
MUTED = "#666666"
ACCENT = "#0072B2"
EVENT = "#D55E00"


def country_scale(countries=None) -> alt.Scale:
    names = list(countries) if countries is not None else list(COUNTRY_COLORS)
    return alt.Scale(domain=names, range=[COUNTRY_COLORS[c] for c in names])


def theme() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig({
        "config": {
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": HEIGHT},
            "background": "white",
            "title": {"anchor": "start", "fontSize": 16, "fontWeight": 600, "color": INK,
                      "subtitleFontSize": 12, "subtitleColor": MUTED, "offset": 12},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleColor": INK, "labelColor": MUTED,
                     "gridColor": "#e6e6e6", "domainColor": "#999999", "tickColor": "#999999", "titleFontWeight": 500},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "top", "direction": "horizontal"},
            "line": {"strokeWidth": 1.8},
            # The chart's accessible content is its text description (on the role="img" container);
            # Vega's per-mark ARIA roles would otherwise announce unnamed graphics.
            "mark": {"aria": False},
            "axis": {"aria": False},
            "legend": {"aria": False},
            "range": {"category": list(COUNTRY_COLORS.values())},
        }
    })


def finish(chart, *, finding: str, subtitle: str, source: str, description: str):
    """Title, source and screen-reader text, the same way on every chart.

    The source is kept in the spec's `usermeta` and printed under the chart by the page (`html_for`),
    not drawn as a second view: a `vconcat` would stop the chart from taking its container's width."""
    return chart.properties(
        title=alt.TitleParams(finding, subtitle=[subtitle]),
        description=description,
        usermeta={"source": f"Source: {source}"},
    )


def source_of(spec: dict) -> str:
    return spec.get("usermeta", {}).get("source", "")


def chart_id(spec: dict) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return f"vega-{digest}"


# Text from a data source may contain "</script>" or line separators: inside a <script> element the JSON
# is written with those characters escaped, so no string in any spec can end the script or start markup.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).translate(_SCRIPT_SAFE)


def html_for(spec: dict) -> str:
    div = chart_id(spec)
    description = html.escape(spec.get("description", "Chart"), quote=True)
    source = html.escape(source_of(spec))
    # The bundle loads with `defer`, so wait for the document before calling it.
    return (
        f'<div class="minebook-chart"><div id="{div}" class="minebook-vega" role="img" aria-label="{description}"></div>'
        f'<p class="minebook-source">{source}</p></div>\n'
        f"<script>(function(){{var spec={script_json(spec)};"
        f"function draw(){{vegaEmbed('#{div}',spec,{{actions:false,renderer:'svg'}})"
        f".catch(function(e){{console.error('chart {div}',e);}});}}"
        f"if(document.readyState==='loading'){{document.addEventListener('DOMContentLoaded',draw);}}else{{draw();}}}})();</script>"
    )


def renderer(spec: dict, **_metadata) -> dict:
    return {
        "application/vnd.vegalite.v6+json": spec,
        "text/html": html_for(spec),
        "text/plain": f"<Chart: {spec.get('description', '')}>",
    }


def setup() -> None:
    alt.theme.register("minebook", enable=True)(theme)
    alt.renderers.register("minebook", renderer)
    alt.renderers.enable("minebook")


def write_bundle(target: Path) -> None:
    """The Vega, Vega-Lite and vega-embed bundle from vl-convert, wrapped in a function scope:
    its top-level `const` names (such as `_`) would otherwise clash with Sphinx's scripts."""
    import vl_convert

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("(function(){\n" + vl_convert.javascript_bundle() + "\n})();\n", encoding="utf-8")

