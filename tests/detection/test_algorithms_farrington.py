"""Farrington flexible: reference blocks, last k weeks, limit54, trend, gaps (the R comparison is in test_golden)."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.detection.algorithms import ParameterError, run
from yingji.detection.algorithms.farrington_flexible import block_labels


def test_reference_windows_without_periods():
    labels = block_labels(t=300, b=5, w=3, freq=52, no_periods=1, past_weeks_not_included=3)
    used = np.flatnonzero(labels)
    expected = sorted(week for i in range(1, 6) for week in range(300 - 52 * i - 3, 300 - 52 * i + 4))
    assert used.tolist() == expected and len(used) == 35
    assert set(labels[used]) == {1}


def test_seasonal_blocks_between_windows():
    labels = block_labels(t=300, b=5, w=3, freq=52, no_periods=10, past_weeks_not_included=26)
    # 52 - 7 = 45 weeks between windows cut into 9 blocks of 5; the recent 27 weeks (26 + now) are left out.
    assert labels[300 - 52 + 4:300 - 52 + 9].tolist() == [1] * 5
    assert labels[300 - 7:300 - 2].tolist() == [0] * 5 and labels[300 - 26:301].sum() == 0
    between = labels[300 - 2 * 52 + 4:300 - 52 - 3]
    assert np.bincount(between)[1:].tolist() == [5] * 9
    assert labels[:300 - 5 * 52 - 3].sum() == 0


@pytest.fixture(scope="module")
def weekly():
    rng = np.random.default_rng(31)
    t = np.arange(400)
    x = rng.poisson(12 * np.exp(0.5 * np.sin(2 * np.pi * t / 52)), (3, 400)).astype(float)
    x[1, 380:384] += [20, 35, 40, 25]
    return x


def test_last_k_weeks_equal_the_whole_run(weekly):
    whole = run("farrington_flexible", weekly)
    assert np.isnan(whole.upper[:, :263]).all() and not np.isnan(whole.upper[:, 263:]).any()
    tail = run("farrington_flexible", weekly, last=4)
    np.testing.assert_allclose(tail.upper, whole.upper[:, -4:], rtol=1e-12)
    np.testing.assert_array_equal(tail.alarm, whole.alarm[:, -4:])


def test_an_outbreak_alarms_and_alarms_mean_above_the_bound(weekly):
    result = run("farrington_flexible", weekly, last=30)
    assert result.alarm[1, -20:-15].sum() >= 3
    observed = weekly[:, -30:]
    assert not (result.alarm & ~(observed > result.upper)).any()


def test_limit54_keeps_the_bound_but_never_alarms():
    rng = np.random.default_rng(2)
    x = rng.poisson(0.2, (1, 300)).astype(float)
    x[0, -1] = 4  # 4 cases this week: above the bound, but fewer than 5 in 4 weeks
    x[0, -4:-1] = 0
    result = run("farrington_flexible", x, last=1)
    assert result.upper[0, 0] < 4 and not result.alarm[0, 0]
    assert run("farrington_flexible", x, last=1, limit54=(4, 4)).alarm[0, 0]


def test_a_rising_trend_raises_the_bound():
    # (The trend is kept only if significant and its prediction does not exceed the largest reference count.)
    rng = np.random.default_rng(4)
    t = np.arange(320)
    x = rng.poisson(20 * np.exp(t / 600), (1, 320)).astype(float)
    with_trend = run("farrington_flexible", x, last=1)
    flat = run("farrington_flexible", x, last=1, trend=False)
    assert with_trend.expected[0, 0] > flat.expected[0, 0]


def test_gaps_are_left_out_of_the_model(weekly):
    x = weekly[:1].copy()
    x[0, 300 - 52] = np.nan  # inside a reference window of week 300
    result = run("farrington_flexible", x)
    assert not np.isnan(result.upper[0, 300])
    x[0, 300] = np.nan  # the week itself: a bound, no alarm
    gap = run("farrington_flexible", x)
    assert not gap.alarm[0, 300] and gap.problems == []


def test_population_offset(weekly):
    constant = run("farrington_flexible", weekly, last=3, population=1000.0)
    plain = run("farrington_flexible", weekly, last=3)
    np.testing.assert_allclose(constant.upper, plain.upper, rtol=1e-9)  # a constant offset changes nothing
    # Without a trend the model is a rate: a population grown since the reference years raises the expectation.
    growing = np.broadcast_to(1000.0 * (1 + 0.01 * np.arange(weekly.shape[1])), weekly.shape)
    grown = run("farrington_flexible", weekly, last=3, population=growing, trend=False)
    flat = run("farrington_flexible", weekly, last=3, trend=False)
    assert (grown.expected > flat.expected).all()
    for bad in (0.0, -5.0, np.nan, np.ones(7)):
        with pytest.raises(ParameterError):
            run("farrington_flexible", weekly, last=3, population=bad)


@pytest.mark.parametrize("params", [{"b": 3, "w": 3, "last": 1}, {"b": 2, "w": 2, "last": 10, "no_periods": 3},
                                    {"b": 3, "w": 1, "past_weeks_not_included": 5, "last": 4}])
def test_only_the_weeks_it_reads_matter(params):
    """weeks_read names every week detect reads: garbage anywhere else changes nothing (so a caller summing daily
    counts into weeks may sum only those)."""
    from yingji.detection.algorithms.farrington_flexible import weeks_read

    rng = np.random.default_rng(5)
    weeks = 3 * 52 + 20
    counts = rng.poisson(rng.uniform(1, 30, (40, 1)), (40, weeks)).astype(float)
    counts[:5, -3:] += 40  # a few outbreaks, so alarms are compared too
    read = weeks_read(weeks, **params)
    assert 0 < read.size < weeks and np.all(np.diff(read) > 0)
    spoiled = np.full_like(counts, 1e6)
    spoiled[:, read] = counts[:, read]
    one, other = run("farrington_flexible", counts, **params), run("farrington_flexible", spoiled, **params)
    np.testing.assert_array_equal(one.alarm, other.alarm)
    np.testing.assert_array_equal(one.upper, other.upper)
    assert one.alarm.any()
