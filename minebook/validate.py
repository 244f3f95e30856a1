"""Checks a derived frame against its schema before it may replace a snapshot."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .sources import Source


class ValidationError(ValueError):
    pass


# Every date the book's sources hold falls well inside these (FRED's oldest series starts in 1954); a date
# outside them is a misprint, and one before year 1 could not even be written back out.
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")


def _show(value) -> str:
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.isoformat().split("T")[0]  # strftime refuses years before 1
    return str(value)


def _where(frame: pd.DataFrame, source: Source, i) -> str:
    key = ", ".join(f"{k}={_show(frame.at[i, k])}" for k in source.primary_key)
    return f"at {key}"


def validate(frame: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Return the frame with schema types applied, or raise ValidationError naming the first problem."""
    names = [f.name for f in source.fields]
    if list(frame.columns) != names:
        raise ValidationError(f"columns {list(frame.columns)} do not match the schema {names}")
    if len(frame) < source.min_rows:
        raise ValidationError(f"only {len(frame)} rows, expected at least {source.min_rows}")
    frame = frame.reset_index(drop=True).copy()

    for f in source.fields:
        col = frame[f.name]
        if f.required and col.isna().any():
            raise ValidationError(f"{f.name} is empty {_where(frame, source, col[col.isna()].index[0])}")
        if f.type in ("date", "datetime"):
            if not pd.api.types.is_datetime64_any_dtype(col):
                raise ValidationError(f"{f.name} is not a date column")
            outside = (col < EARLIEST) | (col >= LATEST + pd.Timedelta(days=1))  # the whole last day is in
            if outside.any():
                i = outside[outside].index[0]
                raise ValidationError(f"{f.name} = {_show(col[i])} {_where(frame, source, i)} is outside "
                                      f"{_show(EARLIEST)} to {_show(LATEST)}, the span of every date in this book")
        elif f.type in ("number", "integer"):
            if not pd.api.types.is_numeric_dtype(col):
                raise ValidationError(f"{f.name} is not numeric")
            if not np.isfinite(col.dropna().to_numpy(dtype=float)).all():
                raise ValidationError(f"{f.name} has an infinite value")
            if f.type == "integer":
                present = col.dropna()
                if (present != present.round()).any():
                    raise ValidationError(f"{f.name} has a fractional value where a whole number belongs")
                frame[f.name] = col.astype("Int64")
            for bound, bad, word in ((f.minimum, lambda c, b: c < b, "below the plausible minimum"),
                                     (f.maximum, lambda c, b: c > b, "above the plausible maximum")):
                if bound is None:
                    continue
                outside = bad(col, bound).fillna(False)
                if outside.any():
                    i = outside[outside].index[0]
                    raise ValidationError(f"{f.name} = {col[i]:g} {_where(frame, source, i)} is {word} {bound:g}")
        elif f.type == "string":
            if f.required and (col.astype(str).str.strip() == "").any():
                raise ValidationError(f"{f.name} has a blank value")

    key = list(source.primary_key)
    dup = frame.duplicated(subset=key, keep=False)
    if dup.any():
        raise ValidationError(f"duplicate rows {_where(frame, source, dup[dup].index[0])}")

    # Duplicates are rejected above, so a negative step is the only way to be out of order.
    order_col = source.time_field or ("height" if key == ["height"] else None)
    if order_col is not None:
        values = frame[order_col]
        step = values.diff()
        zero = pd.Timedelta(0) if pd.api.types.is_datetime64_any_dtype(values) else 0
        backwards = step < zero
        if backwards.any():
            i = backwards[backwards].index[0]
            raise ValidationError(f"{order_col} out of order: {_show(values[i])} follows {_show(values[i - 1])}")
    return frame
