"""EARS C1/C2/C3 on hand-computable series (the R comparison is in test_golden)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from yingji.detection.algorithms import run


def test_c1_is_mean_plus_z_sd_of_the_seven_days_before():
    x = np.array([[3, 5, 4, 6, 5, 4, 7, 30.0]])
    result = run("ears_c1", x)
    baseline = x[0, :7]
    upper = baseline.mean() + norm.ppf(0.999) * baseline.std(ddof=1)
    assert result.upper[0, 7] == pytest.approx(upper, rel=1e-12)
    assert result.expected[0, 7] == pytest.approx(baseline.mean())
    assert result.alarm[0, 7] and np.isnan(result.upper[0, :7]).all()


def test_c2_skips_a_two_day_guard_band():
    x = np.array([[3, 5, 4, 6, 5, 4, 7, 30, 30, 12.0]])
    result = run("ears_c2", x)
    baseline = x[0, :7]
    assert result.upper[0, 9] == pytest.approx(baseline.mean() + norm.ppf(0.999) * baseline.std(ddof=1))
    assert np.isnan(result.upper[0, 8])


def test_c3_uses_the_two_previous_c2_excesses():
    rng = np.random.default_rng(5)
    x = rng.poisson(5, (1, 40)).astype(float)
    x[0, 30:33] = [15, 18, 20]
    result = run("ears_c3", x)
    z = norm.ppf(1 - 0.025)

    def c2(u):
        b = x[0, u - 9:u - 2]
        return (x[0, u] - b.mean()) / b.std(ddof=1), b.std(ddof=1)

    for t in (20, 32, 33):
        lag2, lag1, (_, sd) = c2(t - 2)[0], c2(t - 1)[0], c2(t)
        upper = max(0.0, x[0, t] + sd * (z - max(0, lag2 - 1) - max(0, lag1 - 1)))
        assert result.upper[0, t] == pytest.approx(upper, rel=1e-12)
        assert result.alarm[0, t] == (x[0, t] > upper)
    assert result.alarm[0, 32]


def test_min_sigma_floors_a_flat_baseline():
    x = np.array([[2, 2, 2, 2, 2, 2, 2, 3.0]])
    flat = run("ears_c1", x)
    assert flat.upper[0, 7] == 2 and flat.alarm[0, 7]  # sd 0: any rise alarms (as R)
    floored = run("ears_c1", x, min_sigma=1)
    assert floored.upper[0, 7] == pytest.approx(2 + norm.ppf(0.999)) and not floored.alarm[0, 7]


def test_a_gap_in_the_baseline_leaves_the_point_unjudged():
    x = np.array([[3, 5, np.nan, 6, 5, 4, 7, 30, 5, 5, 5, 5, 5, 5, 5, 5.0]])
    result = run("ears_c1", x)
    assert np.isnan(result.upper[0, 7:10]).all() and not result.alarm[0, 7:10].any()
    assert not np.isnan(result.upper[0, 10])
    assert result.problems == []


def test_c3_on_a_flat_baseline_names_the_series():
    counts = np.vstack([np.zeros(40), np.random.default_rng(1).poisson(5, 40)])
    result = run("ears_c3", counts)
    assert [(p.series, p.code) for p in result.problems] == [(0, "zero_variance")]
    assert not result.judged[0].any() and result.judged[1].any()
    assert run("ears_c3", counts, min_sigma=0.5).problems == []
