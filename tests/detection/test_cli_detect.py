"""`yingji detect`: one date, a backfill with a progress bar, a summary table, bad dates in both languages."""

from datetime import date

import pytest
from typer.testing import CliRunner

from yingji.cli import app
from yingji.detection.models import DetectionRun, Signal

from .factories import cards, fixed, only

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_detect_one_date_prints_the_signals(city):
    only(fixed("0200"))
    cards(city.a, "0200", date(2026, 3, 10), 2)
    result = run("detect", "--date", "2026-03-10")
    assert result.exit_code == 0, result.output
    assert "2026-03-10" in result.output and "甲区" in result.output and "霍乱" in result.output
    assert "fixed_threshold" in result.output and "甲区疾病预防控制中心" in result.output
    again = run("detect", "--date", "2026-03-10")
    assert again.exit_code == 0 and Signal.objects.count() == 1


def test_detect_backfill_prints_a_summary(city):
    only(fixed("0200"))
    cards(city.a, "0200", date(2026, 3, 10), 1)
    cards(city.b, "0200", date(2026, 3, 12), 1)
    result = run("detect", "--from", "2026-03-09", "--to", "2026-03-13")
    assert result.exit_code == 0, result.output
    assert DetectionRun.objects.filter(kind="backfill").count() == 5 and Signal.objects.count() == 2
    assert "5 days, 2 signals (2 new)" in result.output and "5/5" in result.output


def test_detect_reports_problems_per_series(city):
    only({**fixed("0200"), "methods": [{"method": "fixed_threshold", "params": {"threshold": 0}}]})
    cards(city.a, "0200", date(2026, 3, 10), 1)
    result = run("detect", "--date", "2026-03-10")
    assert result.exit_code == 0, result.output
    assert "甲区 · 霍乱" in result.output and "misconfigured" in result.output


@pytest.mark.parametrize("args, zh, en", [
    (["--date", "2026-13-01"], "格式错误", "not a date"),
    (["--date", "yesterday"], "格式错误", "YYYY-MM-DD"),
    (["--from", "2026-03-10"], "同时给出", "needs both"),
    (["--from", "2026-03-10", "--to", "2026-03-01"], "早于", "before the start"),
    (["--date", "2026-03-10", "--from", "2026-03-01", "--to", "2026-03-02"], "不能", "cannot be combined"),
    (["--date", "2026-03-10", "--as", "nobody"], "不存在", "No active user"),
    (["--date", "0001-01-01"], "2000-01-01", "from 2000-01-01 to today"),
    (["--from", "2026-03-01", "--to", "2030-01-01"], "至今天", "to today"),
])
def test_bad_input_is_refused_in_both_languages(db, args, zh, en):
    result = run("detect", *args)
    assert result.exit_code == 1
    assert zh in result.output and en in result.output
    assert not DetectionRun.objects.exists()
