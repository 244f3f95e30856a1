"""Hash rate from block arrivals, with exact intervals.

Blocks arrive as a Poisson process whose rate is hash rate / (difficulty x 2^32) per second. Over a
period of T seconds at difficulty D, a network hashing at H expects H x T / (D x 2^32) blocks. So a count
n gives the estimate H = n x D x 2^32 / T, and an exact interval for n gives one for H.

"Exposure" below is the sum of T / (D x 2^32) over the pieces of a window: the number of blocks one
hash per second would be expected to find. It lets windows that straddle a retarget be compared.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

TWO_32 = 2.0 ** 32


def exposure(seconds, difficulty) -> float:
    """Expected blocks per unit of hash rate (per H/s) over pieces of `seconds` at `difficulty`."""
    return float(np.sum(np.asarray(seconds, dtype=float) / (np.asarray(difficulty, dtype=float) * TWO_32)))


def garwood(n: int, conf: float = 0.95) -> tuple[float, float]:
    """Exact two-sided interval for the mean of a Poisson count n (Garwood 1936)."""
    alpha = 1 - conf
    lo = 0.0 if n == 0 else stats.chi2.ppf(alpha / 2, 2 * n) / 2
    hi = stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    return float(lo), float(hi)


def hashrate(n: int, expo: float, conf: float = 0.95) -> tuple[float, float, float]:
    """(estimate, low, high) of the hash rate in H/s from n blocks over exposure `expo`."""
    lo, hi = garwood(n, conf)
    return n / expo, lo / expo, hi / expo


def ratio_lower_bound(n, expo, n_base, expo_base, conf: float = 0.95):
    """One-sided lower confidence bound on (rate in a window) / (rate in a baseline).

    Exact and conditional: given n + n_base blocks, n is binomial with p = r e / (r e + e_base).
    A Clopper-Pearson lower bound on p becomes a lower bound on r. It counts the baseline's own noise.
    Works on numbers or on numpy arrays of counts (for simulations).
    """
    n, n_base = np.asarray(n), np.asarray(n_base)
    p_low = np.where(n == 0, 0.0, stats.beta.ppf(1 - conf, np.maximum(n, 1), n_base + 1))
    return (p_low / (1 - p_low) * np.asarray(expo_base) / np.asarray(expo))[()]


def ratio_interval(n, expo, n_base, expo_base, conf: float = 0.95):
    """(estimate, low, high): two-sided exact interval for the rate ratio, as above; arrays allowed."""
    n, n_base = np.asarray(n), np.asarray(n_base)
    if np.any(n_base == 0):
        raise ValueError("the baseline window has no blocks")
    alpha = 1 - conf
    p_lo = np.where(n == 0, 0.0, stats.beta.ppf(alpha / 2, np.maximum(n, 1), n_base + 1))
    p_hi = stats.beta.ppf(1 - alpha / 2, n + 1, n_base)
    scale = np.asarray(expo_base) / np.asarray(expo)
    estimate = n / np.asarray(expo) / (n_base / np.asarray(expo_base))
    return estimate[()], (p_lo / (1 - p_lo) * scale)[()], (p_hi / (1 - p_hi) * scale)[()]


def epoch_difficulty(blocks, daily_difficulty) -> dict:
    """Difficulty of each 2016-block epoch present in `blocks` (columns height, time).

    Within an epoch difficulty is constant, so the daily mean repeats on every full day of it; on the
    retarget day it blends two values. The most common daily value over an epoch's days is therefore its own.
    """
    epochs = blocks["height"] // 2016
    days = blocks["time"].dt.floor("D").groupby(epochs).unique()
    return {int(e): float(daily_difficulty.reindex(pd.DatetimeIndex(d)).round(0).mode().iloc[0]) for e, d in days.items()}


def count_and_exposure(blocks, difficulty_by_epoch: dict, start, end) -> tuple[int, float]:
    """Blocks with a timestamp in [start, end), and the window's exposure at the difficulties in force.

    The window is cut at each retarget block (height divisible by 2016) inside it, so that a window
    straddling a difficulty change is weighted correctly.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    times = blocks["time"]
    n = int(((times >= start) & (times < end)).sum())
    retargets = times[(blocks["height"] % 2016 == 0) & (times > start) & (times < end)]
    cuts = [start, *retargets, end]
    seconds = [(b - a).total_seconds() for a, b in zip(cuts[:-1], cuts[1:])]
    epochs = [int(blocks.loc[times >= c, "height"].iloc[0] // 2016) for c in cuts[:-1]]
    return n, exposure(seconds, [difficulty_by_epoch[e] for e in epochs])


def ratio_against_trend(counts, exposures, days, during, conf: float = 0.95):
    """(estimate, low, high, growth per day) of the rate ratio in the pieces flagged `during`, against a
    log-linear trend of the rate fitted through the other pieces (days: each piece's middle, in days).

    A Poisson regression with the exposures as offset: log E[n] = log e + a + b t + c during. Fitted by
    iteratively reweighted least squares; the interval for exp(c) is Wald's on the log scale, which the
    thousands of blocks in each window make accurate.
    """
    n, e = np.asarray(counts, dtype=float), np.asarray(exposures, dtype=float)
    t, d = np.asarray(days, dtype=float), np.asarray(during, dtype=float)
    x = np.column_stack([np.ones_like(t), t, d])
    beta = np.array([np.log(n.sum() / e.sum()), 0.0, 0.0])
    for _ in range(100):
        mu = e * np.exp(x @ beta)
        step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (n - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    mu = e * np.exp(x @ beta)
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ (mu[:, None] * x))))
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    c = beta[2]
    return float(np.exp(c)), float(np.exp(c - z * se[2])), float(np.exp(c + z * se[2])), float(np.expm1(beta[1]))


def trend_lower_bound(counts, exposures, days, during, conf: float = 0.95) -> float:
    """One-sided lower confidence bound on the ratio of `ratio_against_trend`."""
    two_sided = 1 - 2 * (1 - conf)
    return ratio_against_trend(counts, exposures, days, during, conf=two_sided)[1]


def pieces(blocks, difficulty_by_epoch: dict, windows, step=pd.Timedelta(hours=6)) -> pd.DataFrame:
    """Each window cut into `step`-long pieces (the last one shorter): start, end, blocks, exposure."""
    rows = []
    for start, end in windows:
        cuts = list(pd.date_range(start, end, freq=step))
        cuts = cuts if cuts[-1] == pd.Timestamp(end) else [*cuts, pd.Timestamp(end)]
        for a, b in zip(cuts[:-1], cuts[1:]):
            rows.append((a, b, *count_and_exposure(blocks, difficulty_by_epoch, a, b)))
    return pd.DataFrame(rows, columns=["start", "end", "blocks", "exposure"])


def against_baselines(blocks, difficulty_by_epoch: dict, before, during, after, conf: float = 0.95) -> pd.DataFrame:
    """The rate ratio in `during`, with its two-sided interval and a one-sided bound on a sustained loss,
    against three baselines: the window `before`, the window `after`, and a log-linear trend fitted across
    both (six-hour pieces). All as percentages; one row per baseline."""
    n_k, e_k = count_and_exposure(blocks, difficulty_by_epoch, *during)
    rows = []
    for name, window in (("before", before), ("after", after)):
        n_b, e_b = count_and_exposure(blocks, difficulty_by_epoch, *window)
        ratio, low, high = ratio_interval(n_k, e_k, n_b, e_b, conf)
        rows.append((name, ratio, low, high, ratio_lower_bound(n_k, e_k, n_b, e_b, conf), np.nan))
    cut = pieces(blocks, difficulty_by_epoch, [before, during, after])
    middle = ((cut["start"] + (cut["end"] - cut["start"]) / 2 - pd.Timestamp(during[0])) / pd.Timedelta(days=1)).to_numpy()
    inside = ((cut["start"] >= pd.Timestamp(during[0])) & (cut["end"] <= pd.Timestamp(during[1]))).to_numpy()
    fit = (cut["blocks"].to_numpy(), cut["exposure"].to_numpy(), middle, inside)
    ratio, low, high, growth = ratio_against_trend(*fit, conf=conf)
    rows.append(("trend", ratio, low, high, trend_lower_bound(*fit, conf=conf), growth))
    frame = pd.DataFrame(rows, columns=["baseline", "ratio", "low", "high", "lower_bound", "growth_per_day"])
    return pd.DataFrame({"baseline": frame["baseline"], "change_pct": 100 * (frame["ratio"] - 1),
                         "low_pct": 100 * (frame["low"] - 1), "high_pct": 100 * (frame["high"] - 1),
                         "loss_bound_pct": 100 * (1 - frame["lower_bound"]),
                         "growth_per_day_pct": 100 * frame["growth_per_day"]})
