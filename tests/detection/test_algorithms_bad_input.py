"""Bad input for every method: each unusable series is named with a bilingual reason, the others are still
processed; a misconfigured method raises ParameterError (bilingual)."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.detection.algorithms import METHODS, ParameterError, run

DAILY = {"cidars_mpm": {}, "ears_c1": {}, "ears_c2": {}, "ears_c3": {}, "cusum": {}, "ewma": {},
         "fixed_threshold": {}}
WEEKLY = {"farrington_flexible": {}}
ALL = {**DAILY, **WEEKLY}


def test_every_method_is_registered():
    assert set(ALL) == set(METHODS)


def mixed(length: int) -> np.ndarray:
    rng = np.random.default_rng(11)
    t = np.arange(length)
    good = rng.poisson(6 * np.exp(0.4 * np.sin(2 * np.pi * t / 52)), length).astype(float)
    rows = [good.copy() for _ in range(7)]
    rows[1][min(5, length - 1)] = -1  # negative
    rows[2][min(7, length - 1)] = 2.5  # non-integer
    rows[3][:] = np.nan  # all missing
    rows[4][:] = 0  # all zeros: usable
    rows[5][-30:-25] = np.nan  # gaps: usable
    return np.vstack(rows)


@pytest.mark.parametrize("method", ALL)
def test_unusable_series_are_named_and_the_others_processed(method):
    length = 1200 if method in DAILY else 300
    counts = mixed(length)
    result = run(method, counts, **ALL[method])
    codes = {(p.series, p.code) for p in result.problems}
    assert {(1, "negative"), (2, "non_integer"), (3, "all_missing")} <= codes
    for problem in result.problems:
        assert problem.message and problem.message_en and problem.message != problem.message_en
    for row in (1, 2, 3):
        assert not result.judged[row].any() and not result.alarm[row].any()
    for row in (0, 5, 6):  # good series and the one with gaps are judged, identically to a clean run
        assert result.judged[row].any()
    # Same values, same bounds, whatever the other series (to rounding: the GLM batch size changes BLAS sums).
    np.testing.assert_allclose(result.upper[0], result.upper[6], rtol=1e-12)
    alone = run(method, counts[:1], **ALL[method])
    np.testing.assert_allclose(alone.upper[0], result.upper[0], rtol=1e-12)
    np.testing.assert_array_equal(alone.alarm[0], result.alarm[0])
    assert result.upper.shape == result.expected.shape == result.alarm.shape == (len(counts), length - result.offset)


@pytest.mark.parametrize("method", [m for m in ALL if m != "fixed_threshold"])
def test_too_little_history_is_short_history_not_an_error(method):
    counts = mixed(1 if method == "cusum" else 6)  # CUSUM judges from the second point on
    result = run(method, counts, **ALL[method])
    short = {p.series for p in result.problems if p.code == "short_history"}
    assert short == {0, 4, 5, 6}
    assert not result.alarm.any() and not result.judged.any()


@pytest.mark.parametrize("method", ALL)
def test_all_zero_series_never_alarm(method):
    length = 1200 if method in DAILY else 300
    result = run(method, np.zeros((2, length)), **ALL[method])
    assert not result.alarm.any()


@pytest.mark.parametrize("method", ALL)
def test_one_dimensional_input_is_one_series(method):
    length = 1200 if method in DAILY else 300
    counts = mixed(length)[0]
    assert run(method, counts).upper.shape[0] == 1


@pytest.mark.parametrize("method", ALL)
def test_counts_of_three_dimensions_are_refused(method):
    with pytest.raises(ParameterError):
        run(method, np.zeros((2, 3, 4)))


@pytest.mark.parametrize(("method", "params"), [
    ("ears_c1", {"baseline": 2}), ("ears_c2", {"alpha": 0}), ("ears_c3", {"alpha": 1.5}),
    ("ears_c1", {"min_sigma": -1}), ("ears_c1", {"last": -3}),
    ("cusum", {"trans": "log"}), ("cusum", {"k": float("inf")}), ("cusum", {"m": "median"}),
    ("cusum", {"m": -2}), ("cusum", {"start": 0}), ("cusum", {"start": 10, "last": 5}),
    ("cusum", {"training": 0}),
    ("ewma", {"lam": 0}), ("ewma", {"lam": 1.5}), ("ewma", {"L": -1}), ("ewma", {"distribution": "nb"}),
    ("ewma", {"baseline": 1}), ("ewma", {"span": 0}),
    ("farrington_flexible", {"b": 0}), ("farrington_flexible", {"alpha": 1}),
    ("farrington_flexible", {"powertrans": "1/3"}), ("farrington_flexible", {"threshold_method": "exact"}),
    ("farrington_flexible", {"limit54": (-1, 4)}), ("farrington_flexible", {"limit54": (5, 0)}),
    ("farrington_flexible", {"limit54": "5/4"}), ("farrington_flexible", {"no_periods": 0}),
    ("farrington_flexible", {"w": 30}),
    ("fixed_threshold", {"threshold": 0}),
])
def test_misconfiguration_raises_a_bilingual_parameter_error(method, params):
    length = 1200 if method in DAILY else 300
    with pytest.raises(ParameterError) as caught:
        run(method, mixed(length), **params)
    assert caught.value.message and caught.value.message_en


@pytest.mark.parametrize("method", ALL)
def test_infinite_counts_are_not_counts(method):
    length = 1200 if method in DAILY else 300
    counts = mixed(length)[[0, 0]]
    counts[1, -1] = np.inf
    result = run(method, counts)
    assert [(p.series, p.code) for p in result.problems] == [(1, "non_integer")]
    assert not result.judged[1].any() and result.judged[0].any()


def test_unknown_method():
    with pytest.raises(ParameterError):
        run("holt_winters", np.zeros((1, 10)))
