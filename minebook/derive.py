"""Raw public files -> tidy frames: only the rows and columns the book uses, units in names.

Each function takes the downloaded bytes and returns a DataFrame whose columns match the
source's schema in `sources.py`. They never sort, deduplicate or fill: what the publisher
sent is what `validate.py` judges, so a broken file fails instead of being quietly mended.
"""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd


class RawFormatError(ValueError):
    """The raw file is not in the layout its publisher uses."""


def read_csv(raw: bytes, **kwargs) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")  # Blockchain.com and F2Pool exports start with a BOM
        return pd.read_csv(io.StringIO(text), **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RawFormatError(f"not a readable CSV ({str(exc).splitlines()[0]})") from None


def require_columns(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RawFormatError(f"missing column(s) {', '.join(map(repr, missing))}; got {list(frame.columns)[:8]}")


def to_number(series: pd.Series, name: str) -> pd.Series:
    """Numbers as text, with the publishers' own markers of a gap ('.' or blank) as NaN."""
    cleaned = series.replace({".": None, "": None})
    out = pd.to_numeric(cleaned, errors="coerce")
    bad = out.isna() & cleaned.notna()
    if bad.any():
        raise RawFormatError(f"column {name!r} has non-numeric value {series[bad].iloc[0]!r}")
    return out


def to_whole(series: pd.Series, name: str) -> pd.Series:
    """Whole numbers as text (a year, a month): a blank or a fraction is refused, never rounded."""
    out = to_number(series, name)
    bad = out.isna() | (out != out.round())
    if bad.any():
        raise RawFormatError(f"column {name!r} has {series[bad].iloc[0]!r} where a whole number belongs")
    return out.astype("int64")


def to_date(series: pd.Series, name: str, fmt: str | None = None) -> pd.Series:
    out = pd.to_datetime(series, errors="coerce", format=fmt)
    if out.isna().any():
        raise RawFormatError(f"column {name!r} has an unreadable date {series[out.isna()].iloc[0]!r}")
    return out


def from_unix(series: pd.Series, name: str, unit: str) -> pd.Series:
    """Unix times (numbers as text) as dates; a time no calendar date can hold is refused, not wrapped."""
    numbers = to_number(series, name)
    out = pd.to_datetime(numbers, unit=unit, errors="coerce")
    bad = out.isna() & numbers.notna()  # a gap stays a gap
    if bad.any():
        raise RawFormatError(f"column {name!r} has {series[bad].iloc[0]!r}, not a Unix time in {unit}")
    return out


# --- Coin Metrics -----------------------------------------------------------------------

def coinmetrics_daily(raw: bytes) -> pd.DataFrame:
    cm = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(cm, ["time", "PriceUSD", "HashRate", "BlkCnt", "IssTotNtv", "IssTotUSD", "FeeTotNtv"])
    num = {c: to_number(cm[c], c) for c in ["PriceUSD", "HashRate", "BlkCnt", "IssTotNtv", "IssTotUSD", "FeeTotNtv"]}
    out = pd.DataFrame({
        "date": to_date(cm["time"], "time", "%Y-%m-%d"),
        "price_usd": num["PriceUSD"],
        "hashrate_ehs": num["HashRate"] / 1e6,  # TH/s -> EH/s
        "blocks": num["BlkCnt"],
        "issuance_btc": num["IssTotNtv"],
        "issuance_usd": num["IssTotUSD"],
        "fees_btc": num["FeeTotNtv"],
        # Coin Metrics no longer publishes FeeTotUSD; this product is our computation.
        "fees_usd_computed": num["FeeTotNtv"] * num["PriceUSD"],
    })
    out = out[out["date"] >= "2010-01-01"]
    # The publisher's last row is an unfinished day (only reference rates filled): drop
    # trailing days without a block count, but never a gap in the middle.
    complete = out["blocks"].notna() & out["hashrate_ehs"].notna()
    if not complete.any():
        raise RawFormatError("no day since 2010 has both a block count and a hash rate")
    last = complete[::-1].idxmax()
    return out.loc[:last].reset_index(drop=True)


def coinmetrics_difficulty(raw: bytes) -> pd.DataFrame:
    cm = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(cm, ["time", "DiffMean"])
    diff = to_number(cm["DiffMean"], "DiffMean")
    out = pd.DataFrame({"date": to_date(cm["time"], "time", "%Y-%m-%d"), "difficulty": diff})
    # This copy filled every gap with 0.0; difficulty is never 0, so a zero is a gap.
    return out[out["difficulty"] > 0].reset_index(drop=True)


# --- Blockchain.com ---------------------------------------------------------------------

def _blockchain_dates(stamps: pd.Series) -> pd.Series:
    # Exported stamps are UTC midnight rendered in a local zone: "23:00" rows belong to the
    # next UTC day (PROVENANCE.md §8). Rounding to the nearest midnight handles both forms.
    parsed = to_date(stamps, "Timestamp", "%Y-%m-%d %H:%M:%S")
    return parsed.dt.round("D")


def blockchain_series(column: str, out_name: str, scale: float = 1.0):
    def derive(raw: bytes) -> pd.DataFrame:
        bc = read_csv(raw, dtype=str, keep_default_na=False)
        require_columns(bc, ["Timestamp", column])
        return pd.DataFrame({
            "date": _blockchain_dates(bc["Timestamp"]),
            out_name: to_number(bc[column], column) * scale,
        })
    return derive


def blockchain_points(metric: str, out_name: str, scale: float = 1.0):
    """The site's JSON export for timespan "all": one point every four days, x in Unix milliseconds
    (UTC midnight), y the day's value. The export writes 0 where it has no value: a gap, not a zero."""
    def derive(raw: bytes) -> pd.DataFrame:
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RawFormatError(f"not readable JSON ({exc.__class__.__name__})") from None
        points = doc.get(metric) if isinstance(doc, dict) else None
        if not isinstance(points, list) or not all(isinstance(p, dict) and {"x", "y"} <= set(p) for p in points):
            raise RawFormatError(f"no list of {{x, y}} points under {metric!r}")
        frame = pd.DataFrame(points, columns=["x", "y"]).astype(str)
        out = pd.DataFrame({
            "date": from_unix(frame["x"], "x", "ms").dt.round("D"),
            out_name: to_number(frame["y"], "y") * scale,
        })
        return out[out[out_name] != 0].reset_index(drop=True)
    return derive


# --- CBECI ------------------------------------------------------------------------------

CBECI_COUNTRY_NAMES = {
    "Mainland China": "China",
    "United States": "United States",
    "Kazakhstan": "Kazakhstan",
    "Russian Federation": "Russia",
    "Canada": "Canada",
    "Malaysia": "Malaysia",
    "Iran, Islamic Rep.": "Iran",
    "Germany *": "Germany",
    "Ireland *": "Ireland",
    "Other": "Other",
}


def cbeci_countries(raw: bytes) -> pd.DataFrame:
    cb = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(cb, ["date", "country", "monthly_hashrate_%", "monthly_absolute_hashrate_EH/S"])
    unknown = sorted(set(cb["country"]) - set(CBECI_COUNTRY_NAMES))
    if unknown:
        raise RawFormatError(f"unknown country label(s) {unknown}")
    share = cb["monthly_hashrate_%"].str.rstrip("%")
    out = pd.DataFrame({
        "month": to_date(cb["date"], "date", "%Y-%m-%d"),
        "country": cb["country"].map(CBECI_COUNTRY_NAMES),
        "share_pct": to_number(share, "monthly_hashrate_%"),
        "hashrate_ehs": to_number(cb["monthly_absolute_hashrate_EH/S"], "monthly_absolute_hashrate_EH/S"),
    })
    totals = out.groupby("month")["share_pct"].sum()
    off = totals[(totals - 100).abs() > 0.5]
    if len(off):
        raise RawFormatError(f"shares of {off.index[0]:%Y-%m} add up to {off.iloc[0]:.2f}%, not 100%")
    return out


def cbeci_consumption(raw: bytes) -> pd.DataFrame:
    cb = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(cb, ["date", "0.05"])
    return pd.DataFrame({
        "date": to_date(cb["date"].str.slice(0, 10), "date", "%Y-%m-%d"),
        "consumption_twh_per_year": to_number(cb["0.05"], "0.05"),
    })


def cbeci_miners(raw: bytes) -> pd.DataFrame:
    cb = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(cb, ["Miner_name", "UNIX_date_of_release", "Efficiency_J_Gh"])
    # The first rows are CCAF's CPU/GPU/FPGA placeholders, not machines anyone sells.
    placeholder = cb["Miner_name"].str.contains(r"CPU|GPU|FPGA|early ASIC", case=False, regex=True)
    cb = cb[~placeholder]
    released = from_unix(cb["UNIX_date_of_release"], "UNIX_date_of_release", "s")
    return pd.DataFrame({
        "model": cb["Miner_name"].str.strip(),
        "released": released.dt.normalize(),
        "efficiency_j_per_th": (to_number(cb["Efficiency_J_Gh"], "Efficiency_J_Gh") * 1000).round(6),
    }).reset_index(drop=True)


def f2pool_miners(raw: bytes) -> pd.DataFrame:
    f2 = read_csv(raw, dtype=str, keep_default_na=False)
    f2.columns = [c.strip() for c in f2.columns]
    require_columns(f2, ["Company", "Device", "Hashrate (T)", "Power Consumption (W)", "Year Released", "Month Released"])
    year = to_whole(f2["Year Released"], "Year Released")
    month = to_whole(f2["Month Released"], "Month Released")
    hashrate = to_number(f2["Hashrate (T)"], "Hashrate (T)")
    power = to_number(f2["Power Consumption (W)"], "Power Consumption (W)")
    released = pd.to_datetime(
        {"year": year, "month": month, "day": 1}, errors="coerce"
    )
    return pd.DataFrame({
        "vendor": f2["Company"].str.strip(),
        "model": f2["Device"].str.strip(),
        "released": released,
        "hashrate_ths": hashrate,
        "power_w": power,
        "efficiency_j_per_th": (power / hashrate).round(3),  # W / (TH/s) = J/TH
    })


# --- FRED -------------------------------------------------------------------------------

def fred_series(series_id: str, out_name: str):
    def derive(raw: bytes) -> pd.DataFrame:
        fr = read_csv(raw, dtype=str, keep_default_na=False)
        # FRED has used two headers over the years: DATE and observation_date.
        date_col = next((c for c in ("observation_date", "DATE") if c in fr.columns), None)
        if date_col is None:
            raise RawFormatError(f"missing date column ('observation_date' or 'DATE'); got {list(fr.columns)}")
        require_columns(fr, [series_id])
        out = pd.DataFrame({
            "date": to_date(fr[date_col], date_col, "%Y-%m-%d"),
            out_name: to_number(fr[series_id], series_id),
        })
        # FRED marks market holidays with '.' or a blank: no trading, so no row.
        return out.dropna(subset=[out_name]).reset_index(drop=True)
    return derive


# --- Block header timestamps --------------------------------------------------------------

BLOCK_WINDOWS = [("2021-04-06", "2021-04-27"), ("2021-12-27", "2022-01-15")]


def block_timestamps(raw: bytes) -> pd.DataFrame:
    bt = read_csv(raw, header=None, dtype=str, keep_default_na=False)
    if bt.shape[1] != 2:
        raise RawFormatError(f"expected 2 columns (height, unix time), got {bt.shape[1]}")
    height = to_number(bt[0], "height")
    time = from_unix(bt[1], "timestamp", "s")
    if height.isna().any() or time.isna().any():
        raise RawFormatError("a height or timestamp is blank")
    keep = np.zeros(len(bt), dtype=bool)
    for start, end in BLOCK_WINDOWS:
        keep |= ((time >= start) & (time < end)).to_numpy()
    return pd.DataFrame({"height": height[keep].astype("int64"), "time": time[keep]}).reset_index(drop=True)


# --- Electricity (OWID, EIA) --------------------------------------------------------------

ELECTRICITY_COUNTRIES = ["China", "Kazakhstan", "United States"]
OWID_SOURCES = ["Coal", "Gas", "Oil", "Nuclear", "Hydro", "Wind", "Solar", "Bioenergy", "Other renewables"]
OWID_SHARE_COLUMNS = {s: f"{s} (% electricity)" for s in OWID_SOURCES}
OWID_SHARE_COLUMNS["Other renewables"] = "Other renewables excluding bioenergy (% electricity)"
OWID_GENERATION_COLUMNS = {s: f"Electricity from {s.lower()} (TWh)" for s in OWID_SOURCES}
OWID_GENERATION_COLUMNS["Bioenergy"] = "Electricity from bioenergy (TWh) (zero filled)"
OWID_GENERATION_COLUMNS["Other renewables"] = "Other renewables excluding bioenergy (TWh) (zero filled)"


def _owid_long(raw: bytes, columns: dict[str, str], value_name: str) -> pd.DataFrame:
    ow = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(ow, ["Entity", "Year", *columns.values()])
    ow = ow[ow["Entity"].isin(ELECTRICITY_COUNTRIES)]
    ow = ow[to_number(ow["Year"], "Year") >= 2010]
    long = ow.melt(id_vars=["Entity", "Year"], value_vars=list(columns.values()), var_name="column", value_name=value_name)
    by_column = {c: s for s, c in columns.items()}
    long = pd.DataFrame({
        "country": long["Entity"],
        "year": to_number(long["Year"], "Year").astype("int64"),
        "source": long["column"].map(by_column),
        value_name: to_number(long[value_name], value_name),
    })
    long = long.dropna(subset=[value_name])
    order = {s: i for i, s in enumerate(OWID_SOURCES)}
    return (long.assign(_o=long["source"].map(order))
            .sort_values(["country", "year", "_o"]).drop(columns="_o").reset_index(drop=True))


def owid_share(raw: bytes) -> pd.DataFrame:
    return _owid_long(raw, OWID_SHARE_COLUMNS, "share_pct")


def owid_generation(raw: bytes) -> pd.DataFrame:
    return _owid_long(raw, OWID_GENERATION_COLUMNS, "generation_twh")


EIA_COUNTRIES = ["China", "United States", "Kazakhstan", "Russia", "Canada", "Malaysia", "Iran", "Germany", "Ireland"]


def eia_country_consumption(raw: bytes) -> pd.DataFrame:
    ei = read_csv(raw, dtype=str, keep_default_na=False)
    require_columns(ei, ["country", "electricity_consumption", "series_id"])
    ei = ei[ei["country"].isin(EIA_COUNTRIES)].drop_duplicates(subset=["country"])
    missing = sorted(set(EIA_COUNTRIES) - set(ei["country"]))
    if missing:
        raise RawFormatError(f"no row for {missing}")
    return pd.DataFrame({
        "country": ei["country"],
        "consumption_twh_per_year": to_number(ei["electricity_consumption"], "electricity_consumption"),
        "eia_series": ei["series_id"],
    }).sort_values("country").reset_index(drop=True)


def eia_us_industrial_price(raw: bytes) -> pd.DataFrame:
    # Four lines of title, URL, download time and credit precede a wide table.
    ei = read_csv(raw, skiprows=4, dtype=str, keep_default_na=False)
    require_columns(ei, ["description"])
    row = ei[ei["description"] == "United States : industrial"]
    if len(row) != 1:
        raise RawFormatError("no 'United States : industrial' row")
    months = [c for c in ei.columns if c[:3] in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}]
    values = row[months].iloc[0]
    out = pd.DataFrame({
        "month": to_date(pd.Series(months), "month", "%b %Y"),
        "price_usd_per_kwh": (to_number(values.reset_index(drop=True), "price") / 100).round(6),  # cents -> USD
    })
    return out.dropna().reset_index(drop=True)


# --- Curated facts ----------------------------------------------------------------------

def events(raw: bytes) -> pd.DataFrame:
    ev = read_csv(raw, dtype=str, keep_default_na=False)
    columns = ["date", "time_utc", "event", "label", "place", "category", "outlet", "source_title", "source_url"]
    require_columns(ev, columns)
    ev["date"] = to_date(ev["date"], "date", "%Y-%m-%d")
    bad = ev["time_utc"].ne("") & ~ev["time_utc"].str.fullmatch(r"[0-2]\d:[0-5]\d")
    if bad.any():
        raise RawFormatError(f"time_utc {ev['time_utc'][bad].iloc[0]!r} is not HH:MM")
    ev["time_utc"] = ev["time_utc"].replace("", None)
    return ev[columns]


def reported_figures(raw: bytes) -> pd.DataFrame:
    rep = read_csv(raw, dtype=str, keep_default_na=False)
    columns = ["figure", "what", "value", "unit", "as_of", "outlet", "source_title", "published", "source_url"]
    require_columns(rep, columns)
    rep["value"] = to_number(rep["value"], "value")
    if rep["value"].isna().any():
        raise RawFormatError(f"figure {rep['figure'][rep['value'].isna()].iloc[0]!r} has no value")
    dated = rep["published"].ne("")   # blank: the cited page shows no date, and none is invented
    rep["published"] = to_date(rep["published"].where(dated, "1970-01-01"), "published", "%Y-%m-%d").where(dated)
    if rep["figure"].duplicated().any():
        raise RawFormatError(f"figure {rep['figure'][rep['figure'].duplicated()].iloc[0]!r} appears twice")
    return rep[columns]

