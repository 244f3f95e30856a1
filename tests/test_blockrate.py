"""The block-rate estimator recovers known hash rates from simulated blocks, with honest intervals; each function's
values are checked against an independent computation (scipy's exact binomial intervals, exposures worked out by
hand, a Poisson trend fitted by profiling the likelihood)."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from minebook.blockrate import (TWO_32, against_baselines, count_and_exposure, epoch_difficulty, exposure, garwood,
                                hashrate, pieces, ratio_against_trend, ratio_interval, ratio_lower_bound,
                                trend_lower_bound)

D = 2.4e13           # a difficulty of early 2022
D_NEXT = 2.6e13      # the next epoch's, different enough that a piece weighted at the wrong one shows
H = 180e18           # 180 EH/s
DAY = 86_400
RETARGET = 2016 * 360        # a height that starts a difficulty epoch
OLD, NEW = RETARGET // 2016 - 1, RETARGET // 2016
T0 = pd.Timestamp("2022-01-01")
MIN = pd.Timedelta(minutes=1)


def simulate_blocks(rng, rate_per_s, seconds):
    """Arrival times of a Poisson process, drawn as exponential gaps (not as a Poisson count)."""
    gaps = rng.exponential(1 / rate_per_s, size=int(rate_per_s * seconds * 2) + 50)
    times = np.cumsum(gaps)
    return times[times < seconds]


def blocks(first_height, times):
    """A block list as the data has it: consecutive heights and their timestamps."""
    return pd.DataFrame({"height": np.arange(first_height, first_height + len(times)), "time": pd.DatetimeIndex(times)})


def per_hash(seconds, difficulty):
    """Expected blocks per H/s over `seconds` at `difficulty`, written out."""
    return seconds / (difficulty * 2 ** 32)


def near(expected, rel=1e-12):
    """pytest.approx without its absolute tolerance of 1e-12, which would let any two exposures (about 1e-19) pass."""
    return pytest.approx(expected, rel=rel, abs=0)


def clopper_pearson(n, n_base, conf):
    """The exact two-sided interval for n's share of n + n_base, from scipy's binomial test."""
    ci = stats.binomtest(n, n + n_base).proportion_ci(confidence_level=conf, method="exact")
    return ci.low, ci.high


def one_sided_low(n, n_base, conf):
    return stats.binomtest(n, n + n_base, alternative="greater").proportion_ci(confidence_level=conf).low


def as_ratio(p, expo, expo_base):
    """A share p of the blocks becomes a rate ratio: p / (1 - p) blocks per block of the baseline, per exposure."""
    return p / (1 - p) * expo_base / expo


def trend_fit(n, e, t, d, conf=0.95):
    """(ratio, low, high, growth per day) of the Poisson model log E[n] = log e + a + b t + c d, fitted another way:
    for a given b the likelihood's maximum in a and c is in closed form, so only b is searched for, as the root of
    its score; the Wald interval from the Fisher information written out term by term."""
    n, e, t, d = (np.asarray(v, dtype=float) for v in (n, e, t, d))
    out, ins = d == 0, d == 1

    def a_and_c(b):
        a = np.log(n[out].sum() / (e[out] * np.exp(b * t[out])).sum())
        return a, np.log(n[ins].sum() / (e[ins] * np.exp(b * t[ins])).sum()) - a

    def score(b):
        a, c = a_and_c(b)
        return float(np.sum((n - e * np.exp(a + b * t + c * d)) * t))

    b = optimize.brentq(score, -1, 1, xtol=1e-15, rtol=1e-15)
    a, c = a_and_c(b)
    mu = e * np.exp(a + b * t + c * d)
    columns = (np.ones_like(t), t, d)
    info = np.array([[np.sum(mu * u * v) for v in columns] for u in columns])
    se = np.sqrt(np.linalg.inv(info)[2, 2])
    z = stats.norm.ppf(0.5 + conf / 2)
    return np.exp(c), np.exp(c - z * se), np.exp(c + z * se), np.expm1(b)


def trend_data(span, seed=5):
    """41 six-hour pieces spread over +-span days, a gentle trend, 40% fewer blocks in the pieces flagged during."""
    t = np.linspace(-span, span, 41)
    d = ((t >= 0) & (t < span / 5)).astype(float)
    e = np.full_like(t, per_hash(6 * 3600, D))
    n = np.random.default_rng(seed).poisson(36 * np.exp(0.3 / span * t) * np.where(d == 1, 0.6, 1))
    return n, e, t, d


# A hand-made stretch of blocks across a retarget: the block stamped at T0 is the last of its epoch.
EDGE = blocks(RETARGET - 3, [T0 - 10 * MIN, T0 - 5 * MIN, T0, T0 + 30 * MIN, T0 + 45 * MIN, T0 + 120 * MIN,
                             T0 + 130 * MIN])
EDGE_DIFFICULTY = {OLD: D, NEW: D_NEXT}


def test_garwood_matches_its_definition():
    lo, hi = garwood(144)
    # At the bounds the tail probabilities are exactly 2.5%.
    assert stats.poisson.sf(143, lo) == near(0.025, rel=1e-6)
    assert stats.poisson.cdf(144, hi) == near(0.025, rel=1e-6)
    assert garwood(0)[0] == 0 and garwood(0)[1] == near(-np.log(0.025))


def test_hashrate_divides_the_count_and_its_interval_by_the_exposure():
    expo = per_hash(DAY, D)
    est, lo, hi = hashrate(150, expo, conf=0.9)
    assert est == near(150 / expo, rel=1e-12)
    assert lo == near(stats.chi2.ppf(0.05, 300) / 2 / expo, rel=1e-12)
    assert hi == near(stats.chi2.ppf(0.95, 302) / 2 / expo, rel=1e-12)


def test_estimator_recovers_a_known_hash_rate_from_simulated_blocks():
    rng = np.random.default_rng(1)
    expo = exposure([14 * DAY], [D])
    covered, estimates = 0, []
    for _ in range(400):
        n = len(simulate_blocks(rng, H / (D * TWO_32), 14 * DAY))
        est, lo, hi = hashrate(n, expo)
        estimates.append(est)
        covered += lo <= H <= hi
    assert np.mean(estimates) == near(H, rel=0.01)
    assert 0.93 <= covered / 400 <= 0.99  # exact intervals cover at least their nominal 95%


def test_exposure_accounts_for_a_retarget():
    # Half the window at D, half at 1.1 D: the same hash rate finds fewer blocks after the step.
    expo = exposure([DAY, DAY], [D, 1.1 * D])
    assert expo == near(DAY / (D * TWO_32) * (1 + 1 / 1.1))


def test_exposure_takes_exact_numbers_as_well_as_floats():
    # A difficulty worked out exactly from a block's target may come as a Decimal; it counts as its float.
    assert exposure([Decimal(DAY)], [Decimal("24000000000000")]) == near(per_hash(DAY, D), rel=1e-15)


def test_ratio_bound_detects_a_real_loss_and_not_a_false_one():
    rng = np.random.default_rng(2)
    base_s, event_s = 8 * DAY, 5 * DAY
    rate = H / (D * TWO_32)
    e_base, e_event = exposure([base_s], [D]), exposure([event_s], [D])
    false_alarms = detections = 0
    for _ in range(300):
        n_base = len(simulate_blocks(rng, rate, base_s))
        unchanged = len(simulate_blocks(rng, rate, event_s))
        halved = len(simulate_blocks(rng, 0.7 * rate, event_s))
        false_alarms += ratio_lower_bound(unchanged, e_event, n_base, e_base) > 1   # "a gain"? never claimed
        detections += ratio_interval(halved, e_event, n_base, e_base)[2] < 1        # upper bound below 1
    assert false_alarms <= 300 * 0.08
    assert detections == 300  # a 30% loss over five days is unmistakable


def test_ratio_interval_brackets_the_truth():
    rng = np.random.default_rng(3)
    rate, hits = H / (D * TWO_32), 0
    for _ in range(300):
        nb, ne = len(simulate_blocks(rng, rate, 8 * DAY)), len(simulate_blocks(rng, 0.87 * rate, 5 * DAY))
        est, lo, hi = ratio_interval(ne, exposure([5 * DAY], [D]), nb, exposure([8 * DAY], [D]))
        hits += lo <= 0.87 <= hi
    assert hits / 300 >= 0.93


# --- The rate ratio's exact intervals, value by value ---------------------------------------------------------

E_EVENT, E_BASE = per_hash(5 * DAY, D), per_hash(8 * DAY, D_NEXT)


@pytest.mark.parametrize("n,n_base", [(0, 7), (1, 1), (1, 40), (610, 1150)])
@pytest.mark.parametrize("conf", [0.95, 0.9])
def test_ratio_interval_is_clopper_pearson_on_the_share_of_blocks(n, n_base, conf):
    est, lo, hi = ratio_interval(n, E_EVENT, n_base, E_BASE, conf)
    p_lo, p_hi = clopper_pearson(n, n_base, conf)
    assert est == near((n / E_EVENT) / (n_base / E_BASE), rel=1e-12)
    assert lo == near(as_ratio(p_lo, E_EVENT, E_BASE), rel=1e-9)
    assert hi == near(as_ratio(p_hi, E_EVENT, E_BASE), rel=1e-9)
    if n == 0:
        assert lo == 0 and est == 0


def test_ratio_interval_defaults_to_95_percent():
    p_lo, p_hi = clopper_pearson(30, 45, 0.95)
    assert ratio_interval(30, E_EVENT, 45, E_BASE)[1:] == near(
        (as_ratio(p_lo, E_EVENT, E_BASE), as_ratio(p_hi, E_EVENT, E_BASE)), rel=1e-9)


def test_ratio_interval_refuses_an_empty_baseline():
    with pytest.raises(ValueError, match=r"^the baseline window has no blocks$"):
        ratio_interval(12, E_EVENT, 0, E_BASE)
    # One empty baseline among many (a simulation) is refused too.
    with pytest.raises(ValueError, match=r"^the baseline window has no blocks$"):
        ratio_interval(np.array([12, 3]), E_EVENT, np.array([9, 0]), E_BASE)


def test_ratio_interval_on_arrays_gives_arrays():
    n, n_base = np.array([0, 1, 610]), np.array([7, 1, 1150])
    est, lo, hi = ratio_interval(n, E_EVENT, n_base, E_BASE, 0.9)
    assert isinstance(lo, np.ndarray) and lo.shape == (3,)
    for i in range(3):
        p_lo, p_hi = clopper_pearson(int(n[i]), int(n_base[i]), 0.9)
        assert est[i] == near((n[i] / E_EVENT) / (n_base[i] / E_BASE), rel=1e-12)
        assert lo[i] == near(as_ratio(p_lo, E_EVENT, E_BASE), rel=1e-9)
        assert hi[i] == near(as_ratio(p_hi, E_EVENT, E_BASE), rel=1e-9)


@pytest.mark.parametrize("n,n_base", [(0, 7), (1, 1), (1, 40), (610, 1150), (5, 0)])
@pytest.mark.parametrize("conf", [0.95, 0.99])
def test_ratio_lower_bound_is_the_one_sided_clopper_pearson_bound(n, n_base, conf):
    bound = ratio_lower_bound(n, E_EVENT, n_base, E_BASE, conf)
    assert bound == near(as_ratio(one_sided_low(n, n_base, conf), E_EVENT, E_BASE), rel=1e-9)
    if n == 0:
        assert bound == 0


def test_ratio_lower_bound_defaults_to_95_percent_and_takes_arrays():
    assert ratio_lower_bound(30, E_EVENT, 45, E_BASE) == near(
        as_ratio(one_sided_low(30, 45, 0.95), E_EVENT, E_BASE), rel=1e-9)
    bounds = ratio_lower_bound(np.array([0, 1, 30]), E_EVENT, np.array([4, 4, 45]), E_BASE)
    assert isinstance(bounds, np.ndarray) and bounds.shape == (3,)
    assert list(bounds) == near([0.0, as_ratio(one_sided_low(1, 4, 0.95), E_EVENT, E_BASE),
                                          as_ratio(one_sided_low(30, 45, 0.95), E_EVENT, E_BASE)], rel=1e-9)


# --- Counting blocks in a window and weighting it by the difficulty in force -------------------------------

def test_a_window_counts_its_start_and_not_its_end():
    n, expo = count_and_exposure(EDGE, EDGE_DIFFICULTY, T0, T0 + 120 * MIN)
    assert n == 3   # the blocks at T0, +30 and +45 minutes; the one at +120 minutes opens the next window
    # The retarget block (+30 minutes) cuts the window: before it the old difficulty, after it the new one.
    assert expo == near(per_hash(30 * 60, D) + per_hash(90 * 60, D_NEXT), rel=1e-12)


def test_a_window_with_no_blocks_still_has_its_exposure():
    n, expo = count_and_exposure(EDGE, EDGE_DIFFICULTY, T0 + 50 * MIN, T0 + 110 * MIN)
    assert n == 0
    assert expo == near(per_hash(60 * 60, D_NEXT), rel=1e-12)


def test_a_window_within_one_epoch_is_weighted_by_that_epochs_difficulty():
    n, expo = count_and_exposure(EDGE, EDGE_DIFFICULTY, "2022-01-01 00:31", "2022-01-01 02:05")
    assert n == 2
    assert expo == near(per_hash(94 * 60, D_NEXT), rel=1e-12)


def test_a_window_that_ends_on_the_retarget_needs_no_later_difficulty():
    n, expo = count_and_exposure(EDGE, {OLD: D}, T0 - 10 * MIN, T0 + 30 * MIN)
    assert n == 3
    assert expo == near(per_hash(40 * 60, D), rel=1e-12)


def test_a_window_opening_on_a_retarget_block_is_all_at_the_new_difficulty():
    n, expo = count_and_exposure(EDGE, EDGE_DIFFICULTY, T0 + 30 * MIN, T0 + 125 * MIN)
    assert n == 3
    assert expo == near(per_hash(95 * 60, D_NEXT), rel=1e-12)


@pytest.mark.filterwarnings("error")   # a deprecated pandas alias would break with the next pandas
def test_epoch_difficulty_is_the_value_most_days_of_the_epoch_show():
    # Epoch OLD runs from 1 to 4 January, NEW from 4 to 8 January; the blocks of 4 January straddle the retarget.
    stamps = pd.date_range("2022-01-01 06:00", "2022-01-08 18:00", freq="6h")
    chain = blocks(RETARGET - 13, stamps)
    assert chain.loc[chain["height"] == RETARGET, "time"].iloc[0] == pd.Timestamp("2022-01-04 12:00")
    daily = pd.Series({
        "2022-01-01": D + 0.2, "2022-01-02": D - 0.3, "2022-01-03": D + 0.1,   # a daily mean's float noise
        "2022-01-04": 0.7 * D + 0.3 * D_NEXT - 0.4,                            # the retarget day blends the two
        "2022-01-05": D_NEXT + 0.12, "2022-01-06": D_NEXT - 0.23, "2022-01-07": D_NEXT + 0.34,
        "2022-01-08": 1.04 * D_NEXT,                                           # the next retarget's blend
        "2022-01-09": 9e13,                                                    # a day no block of the list is on
    })
    daily.index = pd.DatetimeIndex(daily.index)
    result = epoch_difficulty(chain, daily)
    # Noise below half a unit is rounded away, so the three plain days agree and outvote the blends.
    assert result == {OLD: float(round(D)), NEW: float(round(D_NEXT))}
    assert all(type(k) is int and type(v) is float for k, v in result.items())


def test_pieces_are_six_hours_long_except_the_last():
    stamps = pd.date_range(T0 - pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=16), freq="10min")
    chain = blocks(RETARGET - 48, stamps)      # the retarget block is stamped at T0 + 7 hours
    assert chain.loc[chain["height"] == RETARGET, "time"].iloc[0] == T0 + pd.Timedelta(hours=7)
    hour = pd.Timedelta(hours=1)
    cut = pieces(chain, EDGE_DIFFICULTY, [(T0, T0 + 14 * hour), (T0 + 14 * hour, T0 + 15 * hour + 30 * MIN)])
    assert list(cut.columns) == ["start", "end", "blocks", "exposure"]
    assert list(cut["start"]) == [T0, T0 + 6 * hour, T0 + 12 * hour, T0 + 14 * hour]
    assert list(cut["end"]) == [T0 + 6 * hour, T0 + 12 * hour, T0 + 14 * hour, T0 + 15 * hour + 30 * MIN]
    assert list(cut["blocks"]) == [36, 36, 12, 9]     # one block every ten minutes
    assert list(cut["exposure"]) == near([per_hash(6 * 3600, D),
                                                   per_hash(3600, D) + per_hash(5 * 3600, D_NEXT),
                                                   per_hash(2 * 3600, D_NEXT), per_hash(90 * 60, D_NEXT)], rel=1e-12)


def test_a_window_of_whole_steps_has_no_empty_last_piece():
    stamps = pd.date_range(T0 - pd.Timedelta(hours=1), T0 + pd.Timedelta(hours=16), freq="10min")
    chain = blocks(RETARGET - 48, stamps)
    hour = pd.Timedelta(hours=1)
    cut = pieces(chain, EDGE_DIFFICULTY, [(T0, T0 + 12 * hour)])
    assert list(cut["start"]) == [T0, T0 + 6 * hour] and list(cut["blocks"]) == [36, 36]
    cut = pieces(chain, EDGE_DIFFICULTY, [(T0, T0 + 10 * hour)], step=pd.Timedelta(hours=4))
    assert list(cut["end"]) == [T0 + 4 * hour, T0 + 8 * hour, T0 + 10 * hour] and list(cut["blocks"]) == [24, 24, 12]
    assert list(cut["exposure"]) == near([per_hash(4 * 3600, D), per_hash(3 * 3600, D) + per_hash(3600, D_NEXT),
                                                   per_hash(2 * 3600, D_NEXT)], rel=1e-12)


# --- The rate ratio against a fitted trend ------------------------------------------------------------------

@pytest.mark.parametrize("span", [5, 200])   # pieces over +-5 days, and over +-200 (the fit must still converge)
@pytest.mark.parametrize("conf", [0.95, 0.9])
def test_ratio_against_trend_is_the_poisson_models_maximum(span, conf):
    n, e, t, d = trend_data(span)
    assert ratio_against_trend(n, e, t, d, conf) == near(trend_fit(n, e, t, d, conf), rel=1e-9)


def test_ratio_against_trend_defaults_to_95_percent_and_takes_lists():
    n, e, t, d = trend_data(5, seed=8)
    got = ratio_against_trend(list(n), list(e), list(t), [bool(v) for v in d])
    assert got == near(trend_fit(n, e, t, d, 0.95), rel=1e-9)
    assert all(type(v) is float for v in got)


def test_ratio_against_trend_takes_exact_numbers_as_well_as_floats():
    # As exposure() does: anything that is a real number counts as its float.
    n, e, t, d = trend_data(5, seed=8)
    exact = [[Decimal(repr(float(v))) for v in column] for column in (n, e, t, d)]
    assert ratio_against_trend(*exact) == near(trend_fit(n, e, t, d), rel=1e-9)


@pytest.mark.parametrize("conf", [0.95, 0.99])
def test_trend_lower_bound_is_one_sided(conf):
    n, e, t, d = trend_data(5, seed=9)
    two_sided_low = trend_fit(n, e, t, d, 2 * conf - 1)[1]   # one-sided at conf: two-sided at 2 conf - 1
    assert trend_lower_bound(n, e, t, d, conf) == near(two_sided_low, rel=1e-9)
    assert trend_lower_bound(n, e, t, d) == near(trend_fit(n, e, t, d, 0.9)[1], rel=1e-9)


# --- The three baselines together ---------------------------------------------------------------------------

BEFORE = (T0 + pd.Timedelta(hours=3), T0 + pd.Timedelta(days=4))                     # 93 hours
DURING = (T0 + pd.Timedelta(days=4), T0 + pd.Timedelta(days=5, hours=4))             # 28 hours
AFTER = (T0 + pd.Timedelta(days=5, hours=4), T0 + pd.Timedelta(days=8))              # 68 hours


@pytest.fixture(scope="module")
def shutdown():
    """A week of simulated blocks at 180 EH/s, 40% fewer during the event, a retarget in the middle of it."""
    rng = np.random.default_rng(11)
    rate = H / (D * TWO_32)
    times, now = [], T0 - pd.Timedelta(hours=1)
    while now < T0 + pd.Timedelta(days=8, hours=2):
        times.append(now)
        slow = DURING[0] <= now < DURING[1]
        now = now + pd.Timedelta(seconds=float(rng.exponential(1 / (rate * (0.6 if slow else 1)))))
    index = next(i for i, t in enumerate(times) if t > DURING[0] + pd.Timedelta(hours=15))
    return blocks(RETARGET - index, times)


def reference_window(chain, start, end):
    """Blocks in [start, end) and the exposure, with the difficulty stepping up at the retarget block's stamp."""
    r = chain.loc[chain["height"] == RETARGET, "time"].iloc[0]
    n = int(sum(start <= t < end for t in chain["time"]))
    old = max(min(end, r) - start, pd.Timedelta(0)).total_seconds()
    new = max(end - max(start, r), pd.Timedelta(0)).total_seconds()
    return n, per_hash(old, D) + per_hash(new, D_NEXT)


@pytest.mark.parametrize("conf", [None, 0.9])
def test_against_baselines_matches_an_independent_computation(shutdown, conf):
    frame = (against_baselines(shutdown, EDGE_DIFFICULTY, BEFORE, DURING, AFTER) if conf is None
             else against_baselines(shutdown, EDGE_DIFFICULTY, BEFORE, DURING, AFTER, conf=conf))
    conf = conf or 0.95
    assert list(frame.columns) == ["baseline", "change_pct", "low_pct", "high_pct", "loss_bound_pct",
                                   "growth_per_day_pct"]
    assert list(frame["baseline"]) == ["before", "after", "trend"]
    n, e = reference_window(shutdown, *DURING)
    for row, window in zip(frame.itertuples(), (BEFORE, AFTER)):
        nb, eb = reference_window(shutdown, *window)
        p_lo, p_hi = clopper_pearson(n, nb, conf)
        assert row.change_pct == near(100 * ((n / e) / (nb / eb) - 1), rel=1e-9)
        assert row.low_pct == near(100 * (as_ratio(p_lo, e, eb) - 1), rel=1e-9)
        assert row.high_pct == near(100 * (as_ratio(p_hi, e, eb) - 1), rel=1e-9)
        assert row.loss_bound_pct == near(100 * (1 - as_ratio(one_sided_low(n, nb, conf), e, eb)), rel=1e-9)
        assert np.isnan(row.growth_per_day_pct)
    # The trend: six-hour pieces of the three windows, each placed at its middle, in days from the event's start.
    rows = []
    for (start, end), inside in ((BEFORE, 0), (DURING, 1), (AFTER, 0)):
        while start < end:
            stop = min(start + pd.Timedelta(hours=6), end)
            rows.append((*reference_window(shutdown, start, stop),
                         (start + (stop - start) / 2 - DURING[0]).total_seconds() / DAY, inside))
            start = stop
    assert len(rows) == 16 + 5 + 12
    ratio, low, high, growth = trend_fit(*zip(*rows), conf=conf)
    trend = frame.iloc[2]
    assert trend["change_pct"] == near(100 * (ratio - 1), rel=1e-9)
    assert trend["low_pct"] == near(100 * (low - 1), rel=1e-9)
    assert trend["high_pct"] == near(100 * (high - 1), rel=1e-9)
    assert trend["loss_bound_pct"] == near(100 * (1 - trend_fit(*zip(*rows), conf=2 * conf - 1)[1]), rel=1e-9)
    assert trend["growth_per_day_pct"] == near(100 * growth, rel=1e-9)
    # The simulated 40% loss shows against every baseline.
    assert (frame["high_pct"] < 0).all() and (frame["low_pct"] > -60).all()
