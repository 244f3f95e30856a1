"""Write the small raw-file slices in tests/fixtures/ from ../shared/sources.

Run once by hand when a source's layout changes; the tests only read the committed slices.
Each slice keeps the publisher's exact layout (header, separators, quirks) on a few rows.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from minebook import paths  # noqa: E402
from minebook.mirror import copies  # noqa: E402
from minebook.sources import SOURCES  # noqa: E402

OUT = HERE / "fixtures"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def rows_between(text: list[str], start: str, end: str, header: int = 1, col: int = 0) -> list[str]:
    body = [l for l in text[header:] if start <= l.split(",")[col].strip('"') < end]
    return text[:header] + body


def slice_for(name: str, files: list[Path]) -> str:
    t = lines(files[0])
    if name == "btc_daily":
        return "".join(rows_between(t, "2021-06-01", "2021-07-01"))
    if name == "btc_difficulty_daily":
        return "".join(rows_between(t, "2021-06-01", "2021-07-01", col=1))
    if name == "bc_difficulty_points":  # the site's JSON export: the first points (one a zero, a gap) and 2021-22
        import json
        doc = json.loads(files[0].read_text(encoding="utf-8"))
        keep = lambda pts: pts[:4] + [p for p in pts if 1609459200000 <= p["x"] < 1643673600000]  # 2021-01 .. 2022-01
        return json.dumps({k: keep(v) if isinstance(v, list) else v for k, v in doc.items()}, separators=(",", ":"))
    if name.startswith("bc_"):
        return "".join(t[:1] + t[60:100])  # includes winter rows stamped 23:00
    if name == "cbeci_country_shares":
        return "".join(rows_between(t, "2021-06-01", "2021-10-01"))
    if name == "cbeci_consumption":
        return "".join(rows_between(t, "2021-06-01", "2021-06-21"))
    if name.startswith("fred_"):
        return "".join(rows_between(t, "2021-12-20", "2022-01-20"))
    if name == "block_timestamps":
        return "".join(lines(files[0])[600:640] + lines(files[1])[2000:2040])
    if name.startswith("asic_"):
        return "".join(t[:16])
    if name.startswith("electricity_") and name != "electricity_consumption_countries":
        keep = [l for l in t[1:] if l.startswith(("Kazakhstan,", "China,", "United States,")) and ",20" in l[:30]]
        return "".join(t[:1] + keep[-12:] + t[1:3])
    if name == "electricity_consumption_countries":
        wanted = ("China,", "United States,", "Kazakhstan,", "Russia,", "Canada,", "Malaysia,", "Iran,", "Germany,", "Ireland,", "France,")
        return "".join(t[:1] + [l for l in t[1:] if l.startswith(wanted)])
    if name == "us_industrial_electricity_price":
        # Keep the four preamble lines and the wide layout, but only the first 3 columns and 24 months.
        import csv, io
        out = io.StringIO()
        w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for i, row in enumerate(csv.reader(io.StringIO("".join(t)))):
            w.writerow(row if i < 4 else row[:3] + row[3 + 240:3 + 264])
        return out.getvalue()
    raise KeyError(name)


def main(names=()) -> None:
    OUT.mkdir(exist_ok=True)
    for s in SOURCES:
        if s.curated or (names and s.name not in names):
            continue
        # A pattern names several copies of one file: the newest (see minebook/mirror.py) gives the layout.
        files = [copies(paths.SHARED_SOURCES, m)[0] if "*" in m else paths.SHARED_SOURCES / m for m in s.mirror]
        (OUT / f"{s.name}.csv").write_text(slice_for(s.name, files), encoding="utf-8")
        print("wrote", s.name)


if __name__ == "__main__":
    main(sys.argv[1:])
