"""CUSUM beyond R's definition: gaps, the training window, reset after an alarm, the zero reference."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.detection.algorithms import run


@pytest.fixture
def series():
    rng = np.random.default_rng(21)
    x = rng.poisson(4, (2, 200)).astype(float)
    x[:, 150:156] += 8
    return x


def test_standard_cusum_by_hand(series):
    result = run("cusum", series, start=100)
    m = series[:, :100].mean(axis=1)
    s = np.zeros(2)
    for t in range(100, 200):
        upper = np.maximum(np.ceil(np.sqrt(m) * (2.26 + 1.04 - s) + m), 0)  # R: a negative bound is 0
        s = np.maximum(0, s + (series[:, t] - m) / np.sqrt(m) - 1.04)
        np.testing.assert_allclose(result.upper[:, t - 100], upper)
        np.testing.assert_array_equal(result.alarm[:, t - 100], s >= 2.26)
        # For integer counts the alarm is exactly observed >= upper.
        np.testing.assert_array_equal(result.alarm[:, t - 100], series[:, t] >= upper)
    assert result.alarm[:, 50:60].any(axis=1).all() and result.offset == 100


def test_last_k_uses_everything_before_as_training_unless_told(series):
    tail = run("cusum", series, last=50)
    assert tail.expected[0, 0] == pytest.approx(series[0, :150].mean())
    short = run("cusum", series, last=50, training=28)
    assert short.expected[0, 0] == pytest.approx(series[0, 122:150].mean())


def test_reset_after_an_alarm(series):
    plain = run("cusum", series, start=100)
    reset = run("cusum", series, start=100, reset=True)
    assert reset.alarm.sum() <= plain.alarm.sum()
    first = np.argmax(plain.alarm[0])
    np.testing.assert_array_equal(plain.alarm[0, :first + 1], reset.alarm[0, :first + 1])


def test_a_gap_is_skipped_and_the_sum_carried_over(series):
    x = series[:1].copy()
    x[0, 120] = np.nan
    result = run("cusum", x, start=100)
    assert np.isnan(result.upper[0, 20]) and not result.alarm[0, 20]
    y = np.delete(x, 120, axis=1)
    without = run("cusum", y, start=100, m=float(np.nanmean(x[0, :100])))
    np.testing.assert_allclose(result.upper[0, 21:], without.upper[0, 20:])


def test_no_cases_in_training_is_a_named_problem():
    x = np.zeros((2, 60))
    x[1, :30] = 3
    x[:, 45] = 5
    result = run("cusum", x)
    codes = {(p.series, p.code) for p in result.problems}
    assert codes == {(0, "zero_reference")}
    assert not result.judged[0].any() and result.judged[1].all()
