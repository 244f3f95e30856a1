"""Bitcoin against the markets: returns on a common calendar, and the market-model event study.

Shared by Chapter 4 and the fact-check appendix, so both report the same numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def trading_day_returns(btc_price: pd.Series, market_levels: dict[str, pd.Series], rates=()) -> pd.DataFrame:
    """Daily returns on the calendar of the first market (US trading days).

    Bitcoin trades every day; keeping only US trading days makes Monday's bitcoin return span the
    weekend, like a stock's. Prices become log returns; the series named in `rates` (already in
    percent) become changes in percentage points.
    """
    calendar = next(iter(market_levels.values())).dropna().index
    levels = pd.concat({"Bitcoin": btc_price, **market_levels}, axis=1, sort=True).reindex(calendar)
    out = pd.DataFrame(index=levels.index)
    for name in levels.columns:
        out[name] = levels[name].diff() if name in rates else np.log(levels[name]).diff()
    return out.dropna(subset=["Bitcoin", next(iter(market_levels))])


def event_study(returns: pd.DataFrame, first_day, last_day, market: str = "Nasdaq",
                estimation: int = 250, gap: int = 10) -> dict:
    """Market model fitted on `estimation` trading days ending `gap` days before the event.

    Returns the event window's rows with expected and abnormal returns, beta, alpha, the residual standard
    deviation, the cumulative abnormal return (CAR, log), its standard error sigma * sqrt(L), the
    window's actual log return and the model's prediction for it (`explained`, alpha * L + beta * the market's
    summed log return) in its two parts: `market_part`, beta * the market's summed log return (what the market's
    own move predicts), and `drift`, alpha * L (bitcoin's average daily drift in the estimation window, over the
    L days); and a placebo distribution: the summed residuals of every window of the estimation year with the
    event window's weekdays and calendar spans (a Friday-Monday pair is compared only with Friday-Monday pairs),
    with `placebo_n` such windows and `placebo_share` the share as low as the CAR. It needs no normal curve, so
    fat tails and weekend-spanning returns cannot flatter it; a share of 2.5% or less is "beyond chance".

    Returns on the US trading calendar span one calendar day or more (a Monday's spans three), so the model's
    errors are also read with each day's noise variance in proportion to the days its return spans:
    `t_calendar` is the CAR's t statistic so scaled, `break_ratio` how much noisier errors are on days after a
    weekend or holiday, `tail_days` the estimation days beyond 3 sigma, `spans_break` whether the window has one.
    """
    data = returns[["Bitcoin", market]].dropna()
    span = data.index.to_series().diff().dt.days.fillna(1)
    first = data.index.get_indexer([pd.Timestamp(first_day)], method="bfill")[0]
    est = data.iloc[first - gap - estimation:first - gap]
    beta, alpha = np.polyfit(est[market], est["Bitcoin"], 1)
    resid = est["Bitcoin"] - (alpha + beta * est[market])
    window = data.loc[first_day:last_day]
    expected = alpha + beta * window[market]
    abnormal = window["Bitcoin"] - expected
    length, car = len(window), float(abnormal.sum())
    sigma = float(resid.std(ddof=2))
    pattern = [(day.day_of_week, span[day]) for day in window.index]
    placebo = np.array([resid.iloc[i:i + length].sum() for i in range(len(est) - length + 1)
                        if [(day.day_of_week, span[day]) for day in est.index[i:i + length]] == pattern])
    after_break = span.loc[est.index] > 1
    per_calendar_day = float((resid ** 2 / span.loc[est.index]).sum() / (len(est) - 2))
    return {
        "window": window.assign(expected=expected, abnormal=abnormal),
        "beta": float(beta), "sigma": sigma, "days": length, "car": car, "se": sigma * np.sqrt(length),
        "actual": float(window["Bitcoin"].sum()), "explained": float(expected.sum()),
        "alpha": float(alpha), "market_part": float(beta * window[market].sum()), "drift": float(alpha * length),
        "placebo_n": len(placebo), "placebo_share": float((placebo <= car).mean()) if len(placebo) else float("nan"),
        "t_calendar": car / np.sqrt(per_calendar_day * span.loc[window.index].sum()),
        "break_ratio": float(resid[after_break].var() / resid[~after_break].var()),
        "tail_days": int((resid.abs() > 3 * sigma).sum()),
        "spans_break": bool((span.loc[window.index] > 1).any()),
    }
