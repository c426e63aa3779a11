"""`yingji evaluate --verified`: real card counts with the signals verified as outbreaks as the truth (a module of
its own: the demo city built for test_tuning.py shares the region codes of the ``city`` fixture)."""

from typer.testing import CliRunner

from yingji.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_verified_signals_are_the_truth_of_a_real_history(city):
    """Cards counted per county × disease; a confirmed or linked signal stands for the 7 days ending on its date
    (overlapping windows merge into one outbreak); excluded signals are not outbreaks."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from yingji.detection.evaluation.demo_data import verified_history
    from yingji.detection.models import Signal
    from yingji.surveillance.models import Disease

    from .factories import cards

    for day in (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 10), date(2026, 5, 1)):
        cards(city.a, "3900", day, 3)
    cards(city.b, "3900", date(2026, 3, 9), 1)
    due = datetime(2026, 3, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    diarrhoea = Disease.objects.get(code="3900")
    county_a = city.a.town.parent
    for day, status in ((date(2026, 3, 9), "confirmed"), (date(2026, 3, 11), "linked"),
                        (date(2026, 5, 1), "excluded")):
        Signal.objects.create(region=county_a, disease=diarrhoea, method="cidars_mpm", signal_date=day, observed=6,
                              status=status, verify_due_at=due)
    data = verified_history(date(2026, 1, 1), date(2026, 6, 30))
    assert data.signals == 2 and len(data.truth) == 1
    row = data.truth.series[0]
    assert data.labels[row][0] == county_a.code and data.labels[row][2] == "3900"
    assert (data.day(data.truth.start[0]), data.day(data.truth.end[0])) == (date(2026, 3, 3), date(2026, 3, 11))
    assert data.truth.cases[0] == 6  # onsets on 8 and 9 March (cards of the 9th and 10th)
    assert data.counts.shape == (2, 181)

    result = runner.invoke(app, ["evaluate", "--verified", "--start", "2026-01-01", "--end", "2026-06-30",
                                 "-m", "ears_c1"])
    assert result.exit_code == 0, result.output
    assert "2 个核实为暴发的信号 signals verified as outbreaks → 1 次暴发 outbreaks" in result.output
    for args, zh, en in ((["--verified", "--demo"], "只能选一个", "either --demo or --verified"),
                         (["--verified", "--basis", "sunrise"], "未知的计数依据", "unknown count basis"),
                         (["--verified", "--start", "2026-07-01", "--end", "2026-06-30"], "开始日期晚于结束日期",
                          "start date is after the end date")):
        result = runner.invoke(app, ["evaluate", *args])
        assert result.exit_code == 1 and zh in result.output and en in result.output, args
