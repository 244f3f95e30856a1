"""Draw every chart of a page as the book shows it, at the desktop and the phone width, to PNG files you
can look at: `python tools/chart_previews.py book/ch3-kazakhstan.md /tmp/previews` (runs the page)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from minebook import charts  # noqa: E402
from notebooks import chart_specs, execute  # noqa: E402


def main(page: str, out: str) -> None:
    import vl_convert as vlc

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for i, spec in enumerate(chart_specs(execute(Path(page).name)), start=1):
        for label, width in (("desktop", charts.WIDTH), ("phone", charts.NARROW_WIDTH)):
            drawn = charts.for_width(spec, width, title=False)
            png = vlc.vegalite_to_png(drawn, scale=1, format_locale=charts.FORMAT_LOCALE)
            target = folder / f"{Path(page).stem}-{i}-{label}.png"
            target.write_bytes(png)
            print(target, "|", spec.get("title", {}).get("text", ""))


if __name__ == "__main__":
    main(*sys.argv[1:3])
