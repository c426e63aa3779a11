"""EWMA: the documented definition computed by hand, last k days, parameters."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.detection.algorithms import run


@pytest.fixture
def daily():
    rng = np.random.default_rng(8)
    x = rng.poisson(6, (3, 150)).astype(float)
    x[2, 120:126] += [6, 10, 14, 14, 10, 6]
    return x


def by_hand(x, t, lam=0.3, L=3.0, baseline=28, guard=2, span=20, distribution="poisson", min_sigma=0.5):
    w = lam * (1 - lam) ** np.arange(span)
    w /= w.sum()
    z = np.sum(w * x[t - np.arange(span)])
    base = x[t - guard - baseline:t - guard]
    mu = base.mean()
    sigma = max(np.sqrt(mu) if distribution == "poisson" else base.std(ddof=1), min_sigma)
    limit = mu + L * sigma * np.sqrt(np.sum(w ** 2))
    return z, limit, (limit - (z - w[0] * x[t])) / w[0], mu


@pytest.mark.parametrize("params", [{}, {"lam": 0.5, "L": 2.5, "distribution": "normal"},
                                    {"baseline": 14, "guard": 0, "span": 10}])
def test_definition(daily, params):
    result = run("ewma", daily, **params)
    rest = {k: v for k, v in params.items() if k != "span"}
    span = params.get("span", 20 if params.get("lam", 0.3) == 0.3 else 10)
    for t in (60, 121, 149):
        for row in range(3):
            z, limit, upper, mu = by_hand(daily[row], t, span=span, **rest)
            assert result.upper[row, t] == pytest.approx(upper, rel=1e-12)
            assert result.expected[row, t] == pytest.approx(mu)
            assert result.alarm[row, t] == (z > limit and daily[row, t] >= 1)
    assert result.alarm[2, 120:126].any()


def test_default_span_truncates_at_one_in_a_thousand():
    x = np.zeros((1, 60))
    result = run("ewma", x)
    first = int(np.flatnonzero(~np.isnan(result.upper[0]))[0])
    assert first == 30  # max(span - 1 = 19, guard + baseline = 30)


def test_last_k_days_equal_the_whole_run(daily):
    whole = run("ewma", daily)
    tail = run("ewma", daily, last=7)
    np.testing.assert_allclose(tail.upper, whole.upper[:, -7:], rtol=1e-12)
    np.testing.assert_array_equal(tail.alarm, whole.alarm[:, -7:])


def test_a_gap_in_the_span_leaves_the_point_unjudged(daily):
    x = daily.copy()
    x[0, 100] = np.nan
    result = run("ewma", x)
    assert np.isnan(result.upper[0, 100:120]).all() and not np.isnan(result.upper[0, 135])
