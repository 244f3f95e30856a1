"""The block-rate estimator recovers known hash rates from simulated blocks, with honest intervals."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from minebook.blockrate import TWO_32, exposure, garwood, hashrate, ratio_interval, ratio_lower_bound

D = 2.4e13           # a difficulty of early 2022
H = 180e18           # 180 EH/s
DAY = 86_400


def simulate_blocks(rng, rate_per_s, seconds):
    """Arrival times of a Poisson process, drawn as exponential gaps (not as a Poisson count)."""
    gaps = rng.exponential(1 / rate_per_s, size=int(rate_per_s * seconds * 2) + 50)
    times = np.cumsum(gaps)
    return times[times < seconds]


def test_garwood_matches_its_definition():
    lo, hi = garwood(144)
    # At the bounds the tail probabilities are exactly 2.5%.
    assert stats.poisson.sf(143, lo) == pytest.approx(0.025, rel=1e-6)
    assert stats.poisson.cdf(144, hi) == pytest.approx(0.025, rel=1e-6)
    assert garwood(0)[0] == 0 and garwood(0)[1] == pytest.approx(-np.log(0.025))


def test_estimator_recovers_a_known_hash_rate_from_simulated_blocks():
    rng = np.random.default_rng(1)
    expo = exposure([14 * DAY], [D])
    covered, estimates = 0, []
    for _ in range(400):
        n = len(simulate_blocks(rng, H / (D * TWO_32), 14 * DAY))
        est, lo, hi = hashrate(n, expo)
        estimates.append(est)
        covered += lo <= H <= hi
    assert np.mean(estimates) == pytest.approx(H, rel=0.01)
    assert 0.93 <= covered / 400 <= 0.99  # exact intervals cover at least their nominal 95%


def test_exposure_accounts_for_a_retarget():
    # Half the window at D, half at 1.1 D: the same hash rate finds fewer blocks after the step.
    expo = exposure([DAY, DAY], [D, 1.1 * D])
    assert expo == pytest.approx(DAY / (D * TWO_32) * (1 + 1 / 1.1))


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
