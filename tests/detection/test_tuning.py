"""The CIDARS percentile tuning tool (P40–P95 by 5, per disease × district or group), its criteria, and the
`yingji evaluate` command on synthetic data and on the demo city."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import transaction
from django.test.utils import override_settings
from typer.testing import CliRunner

from yingji.cli import app
from yingji.detection.evaluation import (
    CANDIDATES,
    EvaluationError,
    Truth,
    choose,
    simulate,
    tune_percentile,
)
from yingji.detection.evaluation.metrics import Summary

runner = CliRunner(env={"COLUMNS": "200"})
FIVE_YEARS = 5 * 365


def _noisy(dispersion, seed=3, n=60):
    """Same mean (3 a day), same outbreaks (15 cases from one exposure, five per series); only the noise differs."""
    return simulate(n, FIVE_YEARS, seed=seed, level=(3, 3), amplitude=0.3, trend=0, dispersion=dispersion,
                    outbreaks=5, cases=(15, 15), kinds=("point",))


def test_the_table_covers_p40_to_p95_and_the_choice_is_one_of_them():
    sim = _noisy(4.0, n=20)
    result = tune_percentile(sim.counts, sim.truth, groups=np.zeros(20, dtype=int), labels=["all"])
    assert result.candidates == CANDIDATES == tuple(range(40, 100, 5))
    assert len(result.table) == 1 and len(result.table[0]) == 12
    assert result.chosen[0] in CANDIDATES and result.labels == ["all"]
    # The MPM needs three previous years: the scored period starts after them.
    assert result.period[0] >= 3 * 364 and result.period[1] == FIVE_YEARS - 1
    far = [s.false_alarm_rate for s in result.table[0]]
    assert far == sorted(far, reverse=True)  # a higher percentile never alarms more


def test_a_noisier_baseline_gets_a_lower_percentile_for_the_same_outbreaks():
    """The MPM compares the current week with the same weeks of earlier years, so its false-alarm rate on quiet
    days is about 1 − P whatever the noise (measured: P50 ≈ 0.58, P95 ≈ 0.08 for every dispersion here); the
    noise only costs sensitivity at high percentiles. With outbreaks of a fixed size, both criteria therefore go
    *down* as the baseline gets noisier (not up): a noisy district keeps a lower percentile to keep its
    outbreaks, a quiet one can afford P95."""
    chosen = {}
    for dispersion in (None, 0.5):
        sim = _noisy(dispersion)
        groups = np.zeros(60, dtype=int)
        chosen[dispersion] = {c: tune_percentile(sim.counts, sim.truth, groups=groups, criterion=c).chosen[0]
                              for c in ("youden", "fewest_signals")}
    assert chosen[None]["youden"] == 95 and chosen[0.5]["youden"] < 95
    assert chosen[0.5]["fewest_signals"] < chosen[None]["fewest_signals"]
    for dispersion, by_criterion in chosen.items():
        assert by_criterion["fewest_signals"] <= by_criterion["youden"], dispersion


def test_each_series_gets_its_own_choice_and_a_series_without_outbreaks_none():
    quiet = _noisy(None, n=4)
    counts = quiet.counts.astype(float)
    truth = quiet.truth.select(quiet.truth.series != 3)
    result = tune_percentile(counts, truth)
    assert len(result.choices) == 4
    assert all(p in CANDIDATES for p in result.chosen[:3])
    assert result.chosen[3] is None
    assert result.choices[3].reason == "评价期内没有已知暴发，无法调优"
    assert result.choices[3].reason_en == "no known outbreak in the period: cannot tune"


def _summary(sensitivity, false_alarms, delay, quiet=1000):
    return Summary(outbreaks=10, detected=round(sensitivity * 10), sensitivity=sensitivity,
                   false_alarm_rate=false_alarms / quiet, specificity=1 - false_alarms / quiet, ppv=0.5,
                   median_delay=delay, false_per_year=0, quiet=quiet, false_alarms=false_alarms)


def test_the_criteria_as_stated():
    candidates = (40, 60, 80, 95)
    row = [_summary(1.0, 400, 0), _summary(1.0, 200, 1), _summary(0.9, 50, 1), _summary(0.5, 10, 2)]
    # Youden: 1 − .4, 1 − .2, .9 − .05, .5 − .01 → P80 (0.85).
    assert choose(row, candidates, "youden").percentile == 80
    # Fewest signals without losing sensitivity or timeliness: P60 would add a day of delay → P40.
    assert choose(row, candidates, "fewest_signals").percentile == 40
    row[1] = _summary(1.0, 200, 0)
    assert choose(row, candidates, "fewest_signals").percentile == 60
    # Ties go to the higher percentile.
    tied = [_summary(1.0, 100, 0)] * 4
    assert choose(tied, candidates, "youden").percentile == 95
    assert choose(tied, candidates, "fewest_signals").percentile == 95


def test_bad_tuning_input_is_refused_in_both_languages():
    sim = _noisy(None, n=2)
    cases = [
        ({"criterion": "magic"}, "未知的选择标准", "unknown criterion"),
        ({"candidates": (40, 100)}, "候选百分位数", "candidate percentiles"),
        ({"candidates": ()}, "候选百分位数", "candidate percentiles"),
        ({"method": "nope"}, "尚未安装", "not installed"),
        ({"groups": [0]}, "分组标签", "groups"),
        ({"window": 0}, "window", "window"),  # the method's own ParameterError, passed on
    ]
    for kwargs, zh, en in cases:
        with pytest.raises(EvaluationError) as caught:
            tune_percentile(sim.counts, sim.truth, **kwargs)
        assert zh in caught.value.message and en in caught.value.message_en
    with pytest.raises(EvaluationError) as caught:
        tune_percentile(sim.counts[:, :400], Truth.empty())
    assert "历史数据太短" in caught.value.message and "too short" in caught.value.message_en


# --- yingji evaluate ---------------------------------------------------------------------------------------------


def test_evaluate_prints_the_table_on_synthetic_data():
    result = runner.invoke(app, ["evaluate", "--series", "30", "--years", "4", "-m", "ears_c1", "-m", "cidars_mpm",
                                 "--tune"])
    assert result.exit_code == 0, result.output
    assert "合成数据 / synthetic data: 30" in result.output
    for text in ("灵敏度", "Sens.", "误报率", "FAR", "延迟", "Delay", "ears_c1", "cidars_mpm P90 y3",
                 "percentile chosen per series"):
        assert text in result.output, text


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["--criterion", "magic"], "未知的调优标准", "unknown criterion"),
    (["--method", "crystal_ball"], "未知的预警方法", "unknown detection method"),
    (["--demo", "--today", "yesterday"], "日期格式错误", "bad date"),
    (["--series", "20000", "--years", "5"], "合成数据过大", "synthetic set too large"),
])
def test_evaluate_bad_options_in_both_languages(args, zh, en):
    result = runner.invoke(app, ["evaluate", *args])
    assert result.exit_code == 1
    assert zh in result.output and en in result.output


def test_evaluate_demo_without_demo_data(db):
    result = runner.invoke(app, ["evaluate", "--demo"])
    assert result.exit_code == 1
    assert "没有示范市的报告卡" in result.output and "no demo city report cards" in result.output


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """One year of demo history (the suite's default), rolled back when the module ends."""
    from yingji.demo.build import build

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                build()
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_demo_series_carry_the_injected_outbreaks(demo_city, db):
    from yingji.demo.context import DEFAULT_SEED
    from yingji.demo.epidemics import demo_today
    from yingji.detection.evaluation.demo_data import demo_series

    data = demo_series()
    assert data.seed == DEFAULT_SEED and data.today == demo_today() and data.years == 1
    assert data.counts.shape[0] == len(data.labels)
    assert data.day(0) == data.first_day and data.day(data.counts.shape[1] - 1) == data.today - timedelta(days=1)
    assert len(data.truth) >= 2 and not data.unmatched
    assert any(o.current for o in data.outbreaks)  # the outbreak going on now
    for o, s, start, end in zip(data.outbreaks, data.truth.series, data.truth.start, data.truth.end, strict=True):
        county, _, disease, _ = data.labels[s]
        assert (county, disease) == (o.county_code, o.disease_code)
        assert data.day(start) == o.start and data.day(end) == o.end
        assert data.counts[s, start:end + 1].sum() >= o.extra_cases  # its cards, plus the background

    result = runner.invoke(app, ["evaluate", "--demo", "--own-period", "-m", "ears_c1", "-m", "ears_c2"])
    assert result.exit_code == 0, result.output
    assert "示范市 / demo city: seed 2026" in result.output and "ears_c2" in result.output
    assert f"{len(data.truth)} 次注入暴发 injected outbreaks" in result.output

