"""CIDARS moving percentile method: definitions checked against a plain loop, parameters, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.detection.algorithms import ParameterError, run
from yingji.detection.algorithms.cidars_mpm import percentile_rows


def naive(series, t, window=7, years=3, k=2, percentile=50, year_days=364, method="linear"):
    current = series[t - window + 1:t + 1].sum()
    baseline = []
    for y in range(1, years + 1):
        for j in range(-k, k + 1):
            end = t - y * year_days + j * window
            baseline.append(series[end - window + 1:end + 1].sum())
    return current, np.percentile(baseline, percentile, method=method), np.median(baseline)


@pytest.fixture(scope="module")
def daily():
    rng = np.random.default_rng(7)
    t = np.arange(1300)
    return rng.poisson(4 * np.exp(0.6 * np.sin(2 * np.pi * t / 365.25)), (6, 1300)).astype(float)


def test_fifteen_point_baseline_matches_a_plain_loop(daily):
    result = run("cidars_mpm", daily)
    first = 3 * 364 + 2 * 7 + 6  # the first day with three years of windows behind it
    assert np.isnan(result.upper[:, first - 1]).all() and not result.alarm[:, :first].any()
    for t in (first, first + 1, 1200, 1299):
        for row in range(len(daily)):
            current, upper, median = naive(daily[row], t)
            assert result.upper[row, t] == pytest.approx(upper)
            assert result.expected[row, t] == pytest.approx(median)
            assert result.alarm[row, t] == (current >= upper and current >= 1)


@pytest.mark.parametrize("params", [
    {"percentile": 80, "window": 5, "years": 2, "k": 1},
    {"percentile": 90, "year_days": 365, "operator": ">"},
    {"percentile": 75, "interpolation": "lower"},
    {"percentile": 60, "interpolation": "nearest", "k": 0},
])
def test_parameters(daily, params):
    result = run("cidars_mpm", daily, **params)
    window, years, k = params.get("window", 7), params.get("years", 3), params.get("k", 2)
    year_days = params.get("year_days", 364)
    for t in (1250, 1299):
        for row in range(len(daily)):
            current, upper, _ = naive(daily[row], t, window, years, k, params["percentile"], year_days,
                                      params.get("interpolation", "linear"))
            assert result.upper[row, t] == pytest.approx(upper)
            strict = params.get("operator") == ">"
            assert result.alarm[row, t] == ((current > upper) if strict else (current >= upper))


def test_last_k_days_equal_the_whole_run(daily):
    whole = run("cidars_mpm", daily, percentile=70)
    for last in (1, 3, 60):
        tail = run("cidars_mpm", daily, percentile=70, last=last)
        assert tail.offset == daily.shape[1] - last and tail.upper.shape == (len(daily), last)
        np.testing.assert_array_equal(tail.upper, whole.upper[:, -last:])
        np.testing.assert_array_equal(tail.expected, whole.expected[:, -last:])
        np.testing.assert_array_equal(tail.alarm, whole.alarm[:, -last:])


def test_operator_and_min_cases_on_a_tie():
    counts = np.zeros((1, 1200))
    counts[0, -1] = 1  # current 7-day count 1, baseline all zero → P50 = 0
    assert run("cidars_mpm", counts, last=1).alarm[0, 0]
    assert run("cidars_mpm", counts, last=1, operator=">").alarm[0, 0]
    assert not run("cidars_mpm", counts, last=1, min_cases=3).alarm[0, 0]
    zeros = np.zeros((1, 1200))
    # All zeros: the bound is 0 and 0 >= 0, but an empty week never signals (min_cases 1).
    result = run("cidars_mpm", zeros)
    assert not result.alarm.any() and np.nanmax(result.upper) == 0 and result.problems == []


def test_gaps_drop_baseline_windows_until_too_few_remain(daily):
    counts = daily[:1].copy()
    t = 1299
    counts[0, t - 364 - 3] = np.nan  # the same-period window one year ago
    result = run("cidars_mpm", counts, last=1)
    baseline = []
    for y in (1, 2, 3):
        for j in range(-2, 3):
            if (y, j) != (1, 0):
                end = t - y * 364 + j * 7
                baseline.append(daily[0, end - 6:end + 1].sum())
    assert result.upper[0, 0] == pytest.approx(np.percentile(baseline, 50))
    # With a gap in 6 of 15 windows (fewer than 10 left) the day is not judged; a gap today neither.
    for j in range(-2, 3):
        counts[0, t - 364 + j * 7] = np.nan
    counts[0, t - 2 * 364] = np.nan
    assert np.isnan(run("cidars_mpm", counts, last=1).upper[0, 0])
    assert not np.isnan(run("cidars_mpm", counts, last=1, min_baseline=9).upper[0, 0])
    today = daily[:1].copy()
    today[0, t - 2] = np.nan
    gap = run("cidars_mpm", today, last=1)
    assert np.isnan(gap.upper[0, 0]) and not gap.alarm[0, 0]


def test_short_history_is_a_problem_not_an_error(daily):
    counts = np.vstack([daily[:, :1200], np.full((1, 1200), np.nan)])
    short = run("cidars_mpm", counts[:, :400])
    assert {p.code for p in short.problems} == {"short_history", "all_missing"}
    assert {p.series for p in short.problems if p.code == "short_history"} == set(range(len(daily)))
    assert all(p.message and p.message_en for p in short.problems)
    assert not short.alarm.any()


@pytest.mark.parametrize("params", [
    {"percentile": 101}, {"percentile": -5}, {"percentile": float("nan")}, {"window": 0}, {"window": 2.5},
    {"years": 0}, {"k": -1}, {"operator": "=>"}, {"interpolation": "cubic"}, {"year_days": 30},
    {"window": 60, "k": 6}, {"min_baseline": 16}, {"last": 0}, {"last": 5000},
])
def test_misconfiguration_raises_parameter_error(daily, params):
    with pytest.raises(ParameterError) as caught:
        run("cidars_mpm", daily, **params)
    assert caught.value.message and caught.value.message_en


def test_percentile_rows_agrees_with_numpy():
    rng = np.random.default_rng(3)
    values = rng.poisson(5, (50, 15)).astype(float)
    for method in ("linear", "lower", "higher", "nearest", "midpoint"):
        for p in (0, 10, 37.5, 50, 80, 90, 100):
            np.testing.assert_allclose(percentile_rows(values, p, method),
                                       np.percentile(values, p, axis=1, method=method))
    values[0, :5] = np.nan
    np.testing.assert_allclose(percentile_rows(values, 80)[0], np.nanpercentile(values[0], 80))
    assert np.isnan(percentile_rows(np.full((1, 15), np.nan), 50)[0])


def test_observed_is_the_current_window_count(daily):
    result = run("cidars_mpm", daily, last=3)
    for i, t in enumerate(range(daily.shape[1] - 3, daily.shape[1])):
        np.testing.assert_array_equal(result.observed[:, i], daily[:, t - 6:t + 1].sum(axis=1))
