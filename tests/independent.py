"""Block-rate arithmetic done again for the tests, independently of minebook.blockrate: exposure integrated
second by second over the difficulty epochs in force, and scipy's exact binomial interval for a rate ratio.
An error in either implementation shows as a mismatch."""
from __future__ import annotations

import pandas as pd
from scipy import stats

from minebook import load

TWO_32 = 2.0 ** 32


def blocks_with_difficulty() -> pd.DataFrame:
    """The block excerpt, each block with its epoch's difficulty: the value that repeats over the epoch's days."""
    b = load("block_timestamps")
    daily = load("btc_difficulty_daily").set_index("date")["difficulty"]
    b["epoch"] = b["height"] // 2016
    diff = {}
    for epoch, times in b.groupby("epoch")["time"]:
        values = daily.reindex(pd.DatetimeIndex(times.dt.normalize().unique())).dropna().round(0)
        diff[epoch] = values.value_counts().idxmax()
    b["difficulty"] = b["epoch"].map(diff)
    return b


def window(blocks, start, end) -> tuple[int, float]:
    """Blocks found in [start, end), and the expected number per unit hash rate (the exposure)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    n = int(blocks["time"].between(start, end, inclusive="left").sum())
    change = blocks.loc[blocks["height"] % 2016 == 0, "time"]
    edges = [start, *change[(change > start) & (change < end)], end]
    expo = sum((b - a).total_seconds() / (blocks.loc[blocks["time"] >= a, "difficulty"].iloc[0] * TWO_32)
               for a, b in zip(edges[:-1], edges[1:]))
    return n, expo


def ratio_ci(n, e, nb, eb, conf=0.95):
    """Rate ratio and its exact conditional interval, from the binomial test's own confidence interval."""
    ci = stats.binomtest(n, n + nb).proportion_ci(confidence_level=conf, method="exact")
    to_ratio = lambda p: p / (1 - p) * eb / e  # noqa: E731
    return (n / e) / (nb / eb), to_ratio(ci.low), to_ratio(ci.high)


def trend_ci(blocks, before, during, after, conf=0.95, hours=6):
    """The rate ratio in `during` against a log-linear trend through `before` and `after`, by maximising the
    Poisson likelihood directly (a general-purpose optimiser, not the package's reweighted least squares);
    the interval from the inverse Hessian of the log-likelihood, computed in closed form at the optimum."""
    import numpy as np
    from scipy import optimize

    rows = []
    for (a, b), inside in ((before, 0.0), (during, 1.0), (after, 0.0)):
        a, b = pd.Timestamp(a), pd.Timestamp(b)
        while a < b:
            end = min(a + pd.Timedelta(hours=hours), b)
            n, e = window(blocks, a, end)
            rows.append((n, e, (a + (end - a) / 2 - pd.Timestamp(during[0])).total_seconds() / 86400, inside))
            a = end
    n, e, t, d = (np.array(c, dtype=float) for c in zip(*rows))
    x = np.column_stack([np.ones_like(t), t, d])
    offset = np.log(e)

    def minus_loglik(beta):
        eta = offset + x @ beta
        return float(np.sum(np.exp(eta) - n * eta))

    start = np.array([np.log(n.sum() / e.sum()), 0.0, 0.0])
    beta = optimize.minimize(minus_loglik, start, method="Nelder-Mead",
                             options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000}).x
    mu = np.exp(offset + x @ beta)
    se = np.sqrt(np.linalg.inv(x.T @ (x * mu[:, None]))[2, 2])
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    return np.exp(beta[2]), np.exp(beta[2] - z * se), np.exp(beta[2] + z * se), np.exp(beta[1]) - 1
