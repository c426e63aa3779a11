"""``yingji evaluate``: the evaluation harness's table (sensitivity, false-alarm rate, days to detection) per
method and parameter set, on synthetic series or on the demo city's cards (``--demo``), and with ``--tune`` the
CIDARS percentile chosen per disease × district (per series on synthetic data: the distribution of the choices).

Importing this module registers the command on ``yingji.cli.app`` (``yingji/cli.py`` imports it near its end).
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from datetime import date

import typer
from rich.markup import escape
from rich.table import Table

from yingji.cli import _console, app, fail

# The names the options accept (the harness and tuning modules, which load numpy and the methods, are imported
# when the command runs, not when the CLI starts).
METHOD_NAMES = ("fixed_threshold", "cidars_mpm", "ears_c1", "ears_c2", "ears_c3", "cusum", "ewma",
                "farrington_flexible")
CRITERIA = ("youden", "fewest_signals")
MAX_POINTS = 20_000_000  # series × days the table is computed for in memory (float64 copies per method)


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"日期格式错误：{value}（应为 YYYY-MM-DD）", f"bad date: {value} (expected YYYY-MM-DD)")


def _print_table(console, title: str, rows) -> None:
    from .harness import HEADERS, table_rows

    table = Table(title=title, title_justify="left")
    for i, header in enumerate(HEADERS):
        table.add_column(header, justify="left" if i < 2 or i == len(HEADERS) - 1 else "right", no_wrap=i == 0)
    failed = []
    for row, line in zip(rows, table_rows(rows), strict=True):
        if row.summary is None:
            failed.append(f"{row.label}: {row.error} / {row.error_en}")
            line[-1] = "✗"
        table.add_row(*(escape(cell) for cell in line))
    console.print(table)
    for line in failed:
        console.print(f"  ✗ {escape(line)}")


METHOD_OPTION = typer.Option(None, "--method", "-m", help="只评价这些方法（可重复）/ evaluate only these methods "
                                                          "(repeatable)")


def evaluate(
    method: list[str] = METHOD_OPTION,
    demo: bool = typer.Option(False, "--demo", help="用数据库中示范市的报告卡 / use the demo city's cards in the "
                                                    "database"),
    tune: bool = typer.Option(False, "--tune", help="为每个病种×区县选择移动百分位数 / choose the MPM percentile "
                                                    "per disease × district"),
    criterion: str = typer.Option("youden", help="调优标准 / tuning criterion: youden, fewest_signals"),
    seed: int = typer.Option(None, help="随机种子（示范市：构建时的种子）/ random seed (demo: the build's seed)"),
    today: str = typer.Option(None, help="示范市构建日 YYYY-MM-DD（默认由数据推断）/ the demo build's day "
                                         "(default: inferred from the data)"),
    series: int = typer.Option(300, min=1, max=100_000, help="合成序列数 / synthetic series"),
    years: int = typer.Option(5, min=2, max=20, help="合成数据年数 / years of synthetic daily data"),
    dispersion: float = typer.Option(4.0, help="负二项离散参数（≤0 即泊松）/ negative binomial size (≤0: Poisson)"),
    lag: int = typer.Option(7, min=0, max=60, help="暴发结束后仍算及时探测的天数 / days after an outbreak's end an "
                                                   "alarm still counts"),
    verified: bool = typer.Option(False, "--verified", help="用数据库中的真实报告卡，以核实为暴发的预警信号为真值 / real "
                                                            "cards in the database, signals verified as outbreaks "
                                                            "as the truth"),
    start: str = typer.Option(None, help="--verified 的起始日 YYYY-MM-DD（默认结束日前 4 年）/ first day (default: "
                                         "4 years before the end)"),
    end: str = typer.Option(None, help="--verified 的结束日（默认昨天）/ last day (default: yesterday)"),
    basis: str = typer.Option("onset", help="--verified 计数依据 / count basis: onset, report"),
    own_period: bool = typer.Option(False, "--own-period", help="各方法在其能判断的全部时间上评价（默认共同评价期）/"
                                                                " score each method wherever it judges (default: a "
                                                                "common period)"),
) -> None:
    """评价预警方法：灵敏度、误报率、探测时间 / Evaluate the detection methods: sensitivity, false-alarm rate,
    days to detection (synthetic series, the demo city, or real cards with verified signals)."""
    console = _console()
    if criterion not in CRITERIA:
        fail(f"未知的调优标准：{criterion}（可用 {', '.join(CRITERIA)}）",
             f"unknown criterion: {criterion} (use {', '.join(CRITERIA)})")
    unknown = [m for m in (method or []) if m not in METHOD_NAMES]
    if unknown:
        fail(f"未知的预警方法：{', '.join(unknown)}（可用 {', '.join(METHOD_NAMES)}）",
             f"unknown detection method: {', '.join(unknown)} (use {', '.join(METHOD_NAMES)})")
    from .simulation import SimulationError
    from .truth import EvaluationError

    # numpy overflow warnings from a method's rejected GLM candidates would break up the table.
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"yingji\.detection\.algorithms")
    if demo and verified:
        fail("--demo 与 --verified 只能选一个", "choose either --demo or --verified")
    if basis not in ("onset", "report"):
        fail(f"未知的计数依据：{basis}（可用 onset、report）", f"unknown count basis: {basis} (use onset, report)")
    try:
        if demo:
            _demo(console, method, tune, criterion, seed, _parse_date(today), lag, own_period)
        elif verified:
            _verified(console, method, tune, criterion, _parse_date(start), _parse_date(end), basis, lag, own_period)
        else:
            _synthetic(console, method, tune, criterion, 0 if seed is None else seed, series, years,
                       dispersion if dispersion > 0 else None, lag, own_period)
    except (EvaluationError, SimulationError) as exc:
        fail(exc.message, exc.message_en)


def _synthetic(console, methods, tune, criterion, seed, n_series, years, dispersion, lag, own_period) -> None:
    from .harness import default_configs
    from .harness import evaluate as run_evaluation
    from .simulation import simulate

    n_days = round(years * 365.25)
    if n_series * n_days > MAX_POINTS:
        fail(f"合成数据过大：{n_series} × {n_days} 个时间点（上限 {MAX_POINTS:,}；全国规模请用 python -m "
             "benchmarks.bench_detection）",
             f"synthetic set too large: {n_series} × {n_days} points (limit {MAX_POINTS:,}; for national scale use "
             "python -m benchmarks.bench_detection)")
    started = time.perf_counter()
    sim = simulate(n_series, n_days, seed=seed, outbreaks=years, dispersion=dispersion)
    console.print(f"合成数据 / synthetic data: {n_series} 序列 series × {n_days} 天 days, seed {seed}, "
                  f"{len(sim.truth)} 次暴发 outbreaks ({dict(Counter(sim.truth.kind.tolist()))}), "
                  f"{time.perf_counter() - started:.1f} s")
    rows = run_evaluation(sim.counts, sim.truth, default_configs(years - 1, methods), lag=lag,
                          common_period=not own_period)
    _print_period(console, rows, None)
    _print_table(console, "预警方法评价（合成数据）/ Detection methods on synthetic data", rows)
    if tune:
        result = _tune(sim.counts, sim.truth, criterion, lag, min(3, years - 1))
        chosen = Counter(result.chosen)
        console.print(f"百分位数选择（每个序列，标准 {criterion}）/ percentile chosen per series ({criterion}): "
                      + ", ".join(f"{'—' if p is None else f'P{p}'}: {n}"
                                  for p, n in sorted(chosen.items(), key=lambda x: (x[0] is None, x[0] or 0))))


def _tune(counts, truth, criterion, lag, years, groups=None, labels=None):
    from .tuning import tune_percentile

    return tune_percentile(counts, truth, groups=groups, labels=labels, criterion=criterion, lag=lag, years=years)


def _print_period(console, rows, first_day) -> None:
    from datetime import timedelta

    periods: dict[tuple, list[str]] = {}
    for row in rows:
        if row.period and row.summary is not None:
            days = row.period if row.unit == "day" else (row.period[0] * 7, row.period[1] * 7 + 6)
            periods.setdefault(days, []).append(row.label)
    for (first, last), labels in sorted(periods.items()):
        span = (f"第 day {first}–{last}" if first_day is None
                else f"{first_day + timedelta(days=first)} – {first_day + timedelta(days=last)}")
        who = "" if len(periods) == 1 else f" ({', '.join(labels)})"
        console.print(f"评价期 / scored period: {span}{who}")


def _demo(console, methods, tune, criterion, seed, today, lag, own_period) -> None:
    from .demo_data import demo_series

    data = demo_series(seed, today)
    console.print(f"示范市 / demo city: seed {data.seed}, {data.first_day} – {data.day(data.counts.shape[1] - 1)} "
                  f"({data.years} 年 years), {data.counts.shape[0]} 个区县×病种序列 county × disease series, "
                  f"{int(data.counts.sum()):,} 例 cases, {len(data.truth)} 次注入暴发 injected outbreaks")
    for o in data.unmatched:
        console.print(f"  未匹配的暴发 / unmatched outbreak: {o.key} ({o.county_code} {o.disease_code})")
    _report(console, data, methods, tune, criterion, lag, own_period, data.years,
            "预警方法评价（示范市）/ Detection methods on the demo city")


def _verified(console, methods, tune, criterion, start, end, basis, lag, own_period) -> None:
    from datetime import timedelta

    import numpy as np

    from yingji.demo.epidemics import demo_today

    from .demo_data import verified_history

    end = end or demo_today() - timedelta(days=1)
    start = start or end.replace(year=end.year - 4, day=min(end.day, 28))
    data = verified_history(start, end, basis=basis)
    years = max(1, round((end - start).days / 365.25))
    console.print(f"报告卡 / cards ({basis}): {start} – {end}, {data.counts.shape[0]} 个区县×病种序列 county × disease "
                  f"series, {int(np.nansum(data.counts)):,} 例 cases; {data.signals} 个核实为暴发的信号 signals "
                  f"verified as outbreaks → {len(data.truth)} 次暴发 outbreaks")
    if data.counts.shape[0] == 0:
        from .truth import EvaluationError

        raise EvaluationError("该期间没有报告卡", "there are no report cards in the period")
    _report(console, data, methods, tune, criterion, lag, own_period, years,
            "预警方法评价（核实的信号为真值）/ Detection methods against verified signals")


def _report(console, data, methods, tune, criterion, lag, own_period, years, title) -> None:
    from .harness import default_configs
    from .harness import evaluate as run_evaluation
    from .tuning import CANDIDATES

    rows = run_evaluation(data.counts, data.truth, default_configs(years - 1, methods), lag=lag,
                          common_period=not own_period)
    _print_period(console, rows, data.first_day)
    _print_table(console, title, rows)
    if not tune:
        return
    result = _tune(data.counts, data.truth, criterion, lag, min(3, years - 1))
    start, end = (data.day(d) for d in result.period)
    table = Table(title=f"移动百分位数调优（{criterion}，候选 P{CANDIDATES[0]}–P{CANDIDATES[-1]}，{start} – {end}）/ "
                        f"MPM percentile per disease × district", title_justify="left")
    for header in ("区县 District", "病种 Disease", "暴发 Outbr.", "选择 Chosen", "灵敏度 Sens.", "误报率 FAR",
                   "延迟 Delay", "说明 Note"):
        table.add_column(header)
    tuned = 0
    for row in range(data.counts.shape[0]):
        county, county_name, disease, disease_name = data.labels[row]
        choice = result.choices[row]
        if result.table[row][0].outbreaks == 0:
            continue
        tuned += 1
        if choice.percentile is None:
            table.add_row(f"{county} {county_name}", f"{disease} {disease_name}", "", "—", "", "", "",
                          f"{choice.reason} / {choice.reason_en}")
            continue
        s = result.table[row][result.candidates.index(choice.percentile)]
        delay = "—" if math.isnan(s.median_delay) else f"{s.median_delay:.0f}"
        table.add_row(f"{county} {county_name}", f"{disease} {disease_name}", str(s.outbreaks),
                      f"P{choice.percentile}", f"{s.sensitivity:.2f}", f"{s.false_alarm_rate:.4f}", delay, "")
    console.print(table)
    untuned = data.counts.shape[0] - tuned
    console.print(f"其余 {untuned} 个序列在评价期内没有已知暴发，无法调优，保留配置的百分位数 / the other {untuned} "
                  "series have no known outbreak in the period: not tuned, they keep their configured percentile")


app.command("evaluate")(evaluate)
