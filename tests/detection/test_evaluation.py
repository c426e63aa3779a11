"""Evaluation harness: simulated series and their truth, the metrics' definitions on hand-made alarms, every
installed method on a strong outbreak and on all-zero series, and bad input (Chinese and English)."""

import numpy as np
import pytest

from yingji.detection.algorithms import METHODS, run
from yingji.detection.evaluation import (
    EvaluationError,
    SimulationError,
    Truth,
    default_configs,
    evaluate,
    score,
    simulate,
    summarise,
    summarise_groups,
    weekly_counts,
)
from yingji.detection.evaluation.harness import WEEKLY_METHODS, expand

YEARS5 = 5 * 365 + 1


# --- simulation --------------------------------------------------------------------------------------------------


def test_a_national_scale_set_can_leave_out_the_baseline():
    sim = simulate(10, 300, seed=1, cases=(5, 9), keep_baseline=False)
    assert sim.baseline is None and sim.counts.dtype == np.int16 and ((sim.truth.cases >= 3).all())


def test_simulation_is_a_function_of_the_seed_and_compact():
    a = simulate(40, 800, seed=7)
    b = simulate(40, 800, seed=7)
    c = simulate(40, 800, seed=8)
    assert a.counts.dtype == np.int16 and a.baseline.dtype == np.float32 and a.shape == (40, 800)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.truth.start, b.truth.start)
    assert not np.array_equal(a.counts, c.counts)
    assert (a.counts >= 0).all()


def test_truth_records_exactly_the_injected_cases():
    """On an empty baseline every count is an outbreak case: the truth's cases and days are the counts."""
    sim = simulate(30, 400, seed=1, level=0, outbreaks=2, cases=(5, 40))
    assert len(sim.truth) == 60
    assert set(sim.truth.kind) == {"point", "prolonged"}
    total = 0
    for s, start, end, cases in zip(sim.truth.series, sim.truth.start, sim.truth.end, sim.truth.cases,
                                    strict=True):
        window = sim.counts[s, start:end + 1]
        assert window.sum() == cases and window[0] > 0 and window[-1] > 0
        total += cases
    assert sim.counts.sum() == total
    # Two outbreaks per series, never overlapping.
    for s in range(30):
        mine = np.flatnonzero(sim.truth.series == s)
        first, second = sorted(mine, key=lambda i: sim.truth.start[i])
        assert sim.truth.end[first] < sim.truth.start[second]


def test_baseline_has_seasonality_weekday_effect_and_overdispersion():
    sim = simulate(200, 4 * 365, seed=2, level=(5, 5), trend=0, amplitude=(0.6, 0.6), harmonics=1,
                   dispersion=2.0, outbreaks=0)
    mu = sim.baseline.astype(float)
    # Annual harmonic: the yearly peak is about e^(2·0.6) ≈ 3.3 times the trough.
    yearly = mu[:, :365]
    assert 2.5 < (yearly.max(axis=1) / yearly.min(axis=1)).mean() < 4.5
    # Weekday effect: Sunday's mean below Monday's (day 0 is a Monday in the model).
    assert sim.counts[:, 6::7].mean() < sim.counts[:, 0::7].mean()
    # Negative binomial: variance = mu + mu²/2 ≫ mu.
    residual = sim.counts - mu
    assert (residual ** 2).mean() > 2 * mu.mean()


def test_outbreaks_scale_with_the_baseline_noise_unless_sizes_are_given():
    small = simulate(100, 600, seed=3, level=(0.5, 0.5), outbreaks=1, k=(4, 4), kinds=("point",))
    large = simulate(100, 600, seed=3, level=(50, 50), outbreaks=1, k=(4, 4), kinds=("point",))
    assert np.median(large.truth.cases) > 4 * np.median(small.truth.cases)
    fixed = simulate(50, 600, seed=3, outbreaks=1, cases=12, kinds=("prolonged",), prolonged_days=20)
    assert abs(fixed.truth.cases.mean() - 12) < 2 and ((fixed.truth.end - fixed.truth.start) < 20).all()


# --- metrics on hand-made alarms ---------------------------------------------------------------------------------


def test_metrics_follow_their_definitions():
    alarm = np.zeros((3, 40), dtype=bool)
    truth = Truth.from_records([(0, 10, 12, 9, "a"), (1, 20, 21, 5, "b"), (2, 30, 30, 3, "c")])
    alarm[0, 12] = True  # series 0: detected 2 days after its start
    alarm[1, 25] = True  # series 1: 4 days after its end: inside a lag of 7, outside a lag of 3
    alarm[2, [1, 2, 3]] = True  # series 2: missed; three false alarms
    scores = score(alarm, truth, lag=7)
    total = summarise(scores)
    assert (total.outbreaks, total.detected) == (3, 2)
    assert total.sensitivity == pytest.approx(2 / 3)
    assert total.median_delay == pytest.approx((2 + 5) / 2)
    # Quiet days: 40 per series minus the windows [10, 19], [20, 28], [30, 37].
    assert total.quiet == 3 * 40 - 10 - 9 - 8
    assert total.false_alarms == 3 and total.false_alarm_rate == pytest.approx(3 / 93)
    assert total.specificity == pytest.approx(1 - 3 / 93) and total.ppv == pytest.approx(2 / 5)
    assert total.false_per_year == pytest.approx(3 / 93 * 365.25)
    # Three signals (days 1–3 of series 2 are one run) in 3 × 40 judged series-days.
    assert total.signals_per_week == pytest.approx(3 / 120 * 7)

    strict = summarise(score(alarm, truth, lag=3))
    assert strict.detected == 1 and strict.false_alarms == 4  # day 25 is now outside every window
    per_series = summarise_groups(scores, [0, 1, -1])
    assert [s.detected for s in per_series] == [1, 1] and per_series[0].median_delay == 2


def test_metrics_count_only_the_period_and_the_judged_days():
    alarm = np.zeros((1, 100), dtype=bool)
    alarm[0, [5, 60]] = True
    truth = Truth.from_records([(0, 5, 6, 4), (0, 60, 61, 4)])
    judged = np.ones_like(alarm)
    judged[0, 70:80] = False
    scores = score(alarm, truth, lag=0, judged=judged, period=(50, 99))
    total = summarise(scores)
    assert total.outbreaks == 1 and total.detected == 1 and total.median_delay == 0
    assert total.quiet == 50 - 2 - 10  # the period, less the second outbreak, less the unjudged days
    empty = summarise(score(np.zeros((1, 100), dtype=bool), Truth.empty()))
    assert np.isnan(empty.sensitivity) and empty.false_alarm_rate == 0 and np.isnan(empty.ppv)


def test_weekly_counts_and_truth():
    daily = np.arange(2 * 15, dtype=float).reshape(2, 15)
    weekly = weekly_counts(daily, offset=1)
    assert weekly.shape == (2, 2) and weekly[0, 0] == sum(range(1, 8))
    truth = Truth.from_records([(0, 8, 9, 2)]).weekly(offset=1)
    assert (truth.start[0], truth.end[0]) == (1, 1)


def test_results_covering_only_the_last_days_are_padded():
    counts = np.random.default_rng(0).poisson(3, (4, 300)).astype(float)
    result = run("fixed_threshold", counts, threshold=5)
    alarm, judged = expand(result, 300)
    assert alarm.shape == (4, 300) and judged.all()


# --- every installed method --------------------------------------------------------------------------------------


def _strong_outbreak_set(n_series=12, n_days=YEARS5, day=None, seed=5):
    """Quiet Poisson(3) daily series with 60 extra cases a day for three days, in the last year."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(3.0, (n_series, n_days)).astype(float)
    day = day if day is not None else n_days - 200
    counts[:, day:day + 3] += 60
    truth = Truth.from_records([(s, day, day + 2, 180) for s in range(n_series)])
    return counts, truth, day


# Known delays on a strong outbreak. EARS C3 as R defines it compares the current count with a bound that
# contains the current count itself (x(t) + s·(z − excess of t−2 and t−1)): only the two previous days' C2
# excesses decide, so it alarms on the outbreak's second day.
KNOWN_DELAY = {"ears_c3": 1}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_strong_outbreak_is_detected_by_every_method_with_its_known_delay(name):
    counts, truth, _ = _strong_outbreak_set(day=YEARS5 - 199)  # days 1627–1629: one 7-day block for weekly data
    configs = default_configs(3, [name])
    rows = evaluate(counts, truth, configs, lag=0)
    for row in rows:
        assert row.summary is not None, (row.label, row.error_en)
        assert row.summary.outbreaks == 12 and row.summary.sensitivity == 1.0, row.label
        assert row.summary.median_delay == KNOWN_DELAY.get(name, 0), row.label
        assert row.problems == 0


@pytest.mark.parametrize("name", sorted(METHODS))
def test_all_zero_series_give_no_false_alarm(name):
    zeros = np.zeros((5, YEARS5))
    for _method, params in default_configs(3, [name]):
        data = weekly_counts(zeros) if name in WEEKLY_METHODS else zeros
        result = run(name, data, **params)
        alarm, judged = expand(result, data.shape[1])
        assert not alarm.any(), (name, params)
        total = summarise(score(alarm, Truth.empty(), judged=judged))
        assert total.false_alarms == 0


def test_default_configs_and_a_synthetic_table():
    configs = default_configs(2)
    assert ("cidars_mpm", {"percentile": 90, "years": 2}) in configs
    assert [m for m, _ in configs].count("cidars_mpm") == 3
    sim = simulate(60, 3 * 365, seed=4, outbreaks=3)
    rows = evaluate(sim.counts, sim.truth, [("fixed_threshold", {"threshold": t}) for t in (1, 3, 8)])
    sens = [r.summary.sensitivity for r in rows]
    far = [r.summary.false_alarm_rate for r in rows]
    assert sens == sorted(sens, reverse=True) and far == sorted(far, reverse=True)
    assert rows[0].label == "fixed_threshold ≥1" and rows[0].period == (0, 3 * 365 - 1)


# --- bad input ---------------------------------------------------------------------------------------------------


def test_bad_input_is_refused_in_both_languages():
    cases = [
        (lambda: score(np.zeros(10, dtype=bool), Truth.empty()), "二维布尔", "2-D boolean"),
        (lambda: score(np.zeros((2, 10)), Truth.empty()), "二维布尔", "2-D boolean"),
        (lambda: score(np.zeros((2, 10), dtype=bool), Truth.from_records([(5, 1, 2, 3)])), "不存在的序列",
         "does not exist"),
        (lambda: score(np.zeros((2, 10), dtype=bool), Truth.from_records([(0, 8, 12, 3)])), "超出", "outside"),
        (lambda: score(np.zeros((2, 10), dtype=bool), Truth.from_records([(0, 5, 2, 3)])), "结束早于开始",
         "ends before"),
        (lambda: score(np.zeros((2, 10), dtype=bool), Truth.empty(), period=(5, 20)), "评价期", "period"),
        (lambda: score(np.zeros((2, 10), dtype=bool), Truth.empty(), lag=-1), "宽限期", "lag"),
        (lambda: evaluate(np.zeros(10), Truth.empty()), "二维数组", "2-D array"),
    ]
    for call, zh, en in cases:
        with pytest.raises(EvaluationError) as caught:
            call()
        assert zh in caught.value.message and en in caught.value.message_en
    for kwargs, zh, en in [
        ({"dispersion": 0}, "离散参数", "dispersion"), ({"level": -1}, "基线水平", "level"),
        ({"frequency": "monthly"}, "频率", "frequency"), ({"kinds": ("volcano",)}, "暴发类型", "outbreak kinds"),
        ({"dtype": np.float32}, "整数类型", "integer type"), ({"earliest": 500}, "最早暴发", "earliest"),
        ({"keep_baseline": False}, "暴发病例数", "outbreak sizes must be given"),
    ]:
        with pytest.raises(SimulationError) as caught:
            simulate(3, 100, **kwargs)
        assert zh in caught.value.message and en in caught.value.message_en


def test_a_misconfigured_or_missing_method_is_a_row_with_the_reason_and_the_others_still_run():
    sim = simulate(10, 400, seed=0)
    rows = evaluate(sim.counts, sim.truth, [("fixed_threshold", {"threshold": -1}), ("no_such_method", {}),
                                            ("fixed_threshold", {"threshold": 2})])
    assert rows[0].summary is None and "固定阈值" in rows[0].error and "positive" in rows[0].error_en
    assert rows[1].summary is None and rows[1].error == "该方法尚未安装" and rows[1].error_en == "method not installed"
    assert rows[2].summary is not None and rows[2].summary.outbreaks == 10


def test_the_harness_is_pure_numpy():
    """Only demo_data reads the database; the rest imports no Django module beyond what ``import yingji`` itself
    loads (its Celery app reads django.conf), checked in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import yingji\n"
            "before = set(sys.modules)\n"
            "import yingji.detection.evaluation.harness, yingji.detection.evaluation.tuning\n"
            "import yingji.detection.evaluation.simulation, yingji.detection.evaluation.metrics\n"
            "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] == 'django'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
