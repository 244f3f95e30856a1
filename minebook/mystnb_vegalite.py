"""A myst-nb MIME render plugin for the Vega-Lite bundle our charts carry.

myst-nb renders every MIME type of an output while parsing and warns on ones it does not know,
which `-W` turns into a failed build. The chart's `text/html` alternative (see charts.py) is what
the HTML page shows, so the Vega-Lite JSON is recognised here and rendered as nothing.
"""
from __future__ import annotations

VEGALITE_TYPES = ("application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json")


class VegaLiteAsHtml:
    # Never choose the JSON over its HTML rendering, for any builder.
    mime_priority_overrides = [("*", mime, None) for mime in VEGALITE_TYPES]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type in VEGALITE_TYPES:
            return []
        return None
