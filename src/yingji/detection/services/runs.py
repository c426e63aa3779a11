"""Detection runs (预警运行): every active configuration judged for one date, signals raised, problems recorded.

``run_detection(day)`` judges ``day`` (counts up to and including it). It is idempotent: a signal is unique per
series (region × disease or fever figure), method and date, so running the same date again finds the signals it
raised before and only refreshes their figures (late cards change them); it never makes a second signal, and never
deletes one someone may already be verifying. A series that cannot be judged (gaps, too little history, negative
counts, a misconfigured method) is recorded in the run's ``problems`` with the series named and the reason in
Chinese and English; the other series are still processed.

``backfill(start, end)`` runs every date of a range with the counts read once for the whole range; signals of
backfilled dates are not notified, and count as issued at the scheduled time of that date's daily run.

A signal is raised where a method alarms on the run date and the observed count is at least the configuration's
``min_cases``. It is assigned to the CDC of the signal's region (failing that, of the nearest region above with
a CDC), due for preliminary verification ``response_hours`` (default ``YINGJI_SIGNAL_VERIFY_HOURS``, 24 h) after it
was issued, and the CDC's users are notified in the app and by SMS (core.notify). A statistical alarm of a series
whose signal (not excluded) last alarmed within ``YINGJI_SIGNAL_QUIET_DAYS`` (7) joins that signal — its
``alarm_days`` and ``last_alarm_date`` — rather than raising one more signal a day for the same outbreak.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yingji.core import regioncodes
from yingji.core.models import Organisation, Region, User
from yingji.core.notify import notify

from ..algorithms import ParameterError, run
from ..choices import Frequency, RunKind, RunStatus, SignalStatus, Source
from ..models import DetectionConfig, DetectionRun, Signal, SignalAction
from .counts import SHANGHAI, CountMatrix, apply_holidays, card_counts, fever_counts, holiday_days, weekly

logger = logging.getLogger("yingji.detection")

DEFAULT_VERIFY_HOURS = 24
FIXED_THRESHOLD = "fixed_threshold"
# Points a method judges in a daily run (the run reads the last): CUSUM accumulates its sum over the judged range,
# so one point would make it a one-day test; four weeks let a slow rise add up.
RUN_LAST = {"cusum": 28}
SCHEDULED_HOUR = 6  # the daily run's local time (Asia/Shanghai); see yingji/celery.py


def verify_hours(config: DetectionConfig | None = None) -> int:
    if config is not None and config.response_hours:
        return int(config.response_hours)
    return int(getattr(settings, "YINGJI_SIGNAL_VERIFY_HOURS", DEFAULT_VERIFY_HOURS))


def local_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


def scheduled_time(day: date) -> datetime:
    """When the scheduled daily run judges ``day``: the next morning at 06:00 Asia/Shanghai."""
    return datetime.combine(day + timedelta(days=1), time(SCHEDULED_HOUR), tzinfo=SHANGHAI)


# --- counts, read once per range ---------------------------------------------------------------------------


class CountCache:
    """The count matrices a set of runs needs, each read with one aggregated query for the whole range."""

    def __init__(self, start: date, end: date, configs: list[DetectionConfig]):
        self.start, self.end = start, end
        self._matrices: dict[tuple, CountMatrix] = {}
        self._disease_ids = set()
        self._children = disease_children()
        for config in configs:
            if config.source == Source.CARDS and config.disease_id:
                self._disease_ids |= self.members(config.disease_id)
        self.holidays = holiday_days(start, end)
        self._rows: dict[tuple, dict] = {}
        self.work: list[tuple] | None = None  # (configuration, region codes) — the same for every date

    def rows(self, config: DetectionConfig) -> dict:
        """Region code → the config's series over the whole range (a disease with its subtypes summed)."""
        keys = frozenset(self.members(config.disease_id) if config.source == Source.CARDS else {config.measure})
        key = (config.source, config.count_basis, config.region_level, keys)
        if key not in self._rows:
            self._rows[key] = self.matrix(config).rows_for(keys)
        return self._rows[key]

    def members(self, disease_id: int) -> set[int]:
        """A disease and all its subtypes."""
        found, frontier = {disease_id}, [disease_id]
        while frontier:
            frontier = [c for p in frontier for c in self._children.get(p, ()) if c not in found]
            found.update(frontier)
        return found

    def matrix(self, config: DetectionConfig) -> CountMatrix:
        if config.source == Source.FEVER_CLINIC:
            key = ("fever", config.region_level)
            if key not in self._matrices:
                self._matrices[key] = fever_counts(self.start, self.end, level=config.region_level)
        else:
            key = ("cards", config.count_basis, config.region_level)
            if key not in self._matrices:
                self._matrices[key] = card_counts(self.start, self.end, basis=config.count_basis,
                                                  level=config.region_level, disease_ids=self._disease_ids)
        return self._matrices[key]


def disease_children() -> dict[int, list[int]]:
    from yingji.surveillance.models import Disease

    children: dict[int, list[int]] = {}
    for pk, parent in Disease.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    return children


def active_configs() -> list[DetectionConfig]:
    return list(DetectionConfig.objects.filter(active=True).select_related("disease", "region").order_by("pk"))


def _series_owner(configs: list[DetectionConfig]) -> Callable[[str], DetectionConfig | None]:
    """For one series kind, which configuration judges a region: the one with the most specific region."""
    ranked = sorted(configs, key=lambda c: -len(regioncodes.subtree_prefix(c.region_id)) if c.region_id else 0)

    def owner(code: str) -> DetectionConfig | None:
        for config in ranked:
            if config.region_id is None or regioncodes.is_within(code, config.region_id):
                return config
        return None

    return owner


def _group_key(config: DetectionConfig) -> tuple:
    return (config.source, config.measure, config.disease_id, config.region_level, config.frequency)


# --- one date ----------------------------------------------------------------------------------------------


@dataclass
class _Context:
    day: date
    run: DetectionRun
    now: datetime
    raised_at: datetime
    send: bool
    regions: dict[str, Region] = field(default_factory=dict)
    cdcs: dict[str, Organisation] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    series: int = 0
    signals: int = 0
    new_signals: int = 0


def _label(ctx: _Context, code: str, config: DetectionConfig) -> str:
    region = ctx.regions.get(code)
    what = config.disease.name if config.disease_id else str(config.get_measure_display())
    return f"{region.name if region else code} · {what}"


def _problem(ctx: _Context, *, series: str, code: str, message: str, message_en: str, region: str = "",
             config: DetectionConfig | None = None, method: str = "") -> None:
    ctx.problems.append({
        "series": series, "region": region, "disease": config.disease.code if config and config.disease_id else "",
        "measure": config.measure if config else "", "config": config.pk if config else None, "method": method,
        "code": code, "message": message, "message_en": message_en,
    })


def _observed(method: str, params: dict, values: np.ndarray, result) -> np.ndarray:
    """The statistic compared with the threshold on the last time point: the moving percentile method judges the
    sum of the current window (7 days by default); other methods the count itself."""
    own = getattr(result, "observed", None)
    if own is not None:
        return np.asarray(own)[:, -1]
    if method == "cidars_mpm":
        window = int(params.get("window", params.get("window_days", 7)) or 7)
        return np.nansum(values[:, -window:], axis=1)
    return np.nan_to_num(values[:, -1])


def _judge(ctx: _Context, cache: CountCache, config: DetectionConfig, codes: list[str]) -> None:
    matrix = cache.matrix(config)
    rows = cache.rows(config)
    codes = [c for c in codes if c in rows]
    if not codes:
        return
    last = matrix.index_of(ctx.day)
    first = max(0, last - int(config.history_days) + 1)
    start = matrix.start + timedelta(days=first)
    values = np.vstack([rows[c][first: last + 1] for c in codes])
    values = apply_holidays(values, start, config.holiday_mode, cache.holidays)
    if config.frequency == Frequency.WEEKLY:
        if ctx.day.weekday() != 6:  # weekly series are judged when the ISO week is complete (on its Sunday)
            return
        values, _ = weekly(values, start)
        if values.shape[1] == 0:
            for code in codes:
                _problem(ctx, series=_label(ctx, code, config), region=code, config=config, code="short_history",
                         message="历史数据不足一周", message_en="less than one week of history")
            return
    ctx.series += len(codes)
    for entry in config.methods:
        name, params = entry.get("method", ""), dict(entry.get("params") or {})
        try:
            result = run(name, values, **_only_last(name, params))
        except (ParameterError, TypeError, ValueError) as exc:
            zh = getattr(exc, "message", None) or f"参数错误：{exc}"
            en = getattr(exc, "message_en", None) or f"bad parameters: {exc}"
            for code in codes:
                _problem(ctx, series=_label(ctx, code, config), region=code, config=config, method=name,
                         code="bad_parameter", message=f"预警方法“{name}”配置有误：{zh}",
                         message_en=f"detection method '{name}' is misconfigured: {en}")
            continue
        for problem in result.problems:
            code = codes[problem.series]
            _problem(ctx, series=_label(ctx, code, config), region=code, config=config, method=name,
                     code=problem.code, message=problem.message, message_en=problem.message_en)
        observed = _observed(name, params, values, result)
        alarmed = np.flatnonzero(np.asarray(result.alarm)[:, -1] & (observed >= config.min_cases))
        for i in alarmed:
            expected, upper = float(result.expected[i, -1]), float(result.upper[i, -1])
            _raise(ctx, config, codes[i], name, params, float(observed[i]),
                   None if np.isnan(expected) else expected, None if np.isnan(upper) else upper)


def _only_last(name: str, params: dict) -> dict:
    """Ask the method for the run date only (``last=1``) when it can compute just the trailing points."""
    import inspect

    from ..algorithms import METHODS

    method = METHODS.get(name)
    if method is None or "last" in params:
        return params
    try:
        accepts = "last" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        accepts = False
    return {**params, "last": RUN_LAST.get(name, 1)} if accepts else params


def _cdc_for(ctx: _Context, code: str) -> Organisation | None:
    current = code
    while current:
        if current in ctx.cdcs:
            return ctx.cdcs[current]
        parents = regioncodes.parent_candidates(current)
        current = parents[0] if parents else ""
    return None


def signal_link(signal: Signal) -> str:
    for name in ("detection:signal_detail", "detection:signal"):
        try:
            return reverse(name, args=[signal.pk])
        except NoReverseMatch:
            continue
    return f"/api/v1/signals/{signal.pk}"


def _raise(ctx: _Context, config: DetectionConfig, code: str, method: str, params: dict, observed: float,
           expected: float | None, upper: float | None) -> None:
    region = ctx.regions.get(code)
    if region is None:
        _problem(ctx, series=_label(ctx, code, config), region=code, config=config, method=method,
                 code="unknown_region", message=f"行政区划“{code}”不存在，未生成信号",
                 message_en=f"the region '{code}' does not exist; no signal raised")
        return
    key = {"region": region, "source": config.source, "measure": config.measure, "method": method,
           "signal_date": ctx.day}
    lookup = {**key, "disease_id": config.disease_id} if config.disease_id else {**key, "disease__isnull": True}
    ctx.signals += 1
    existing = Signal.objects.filter(**lookup).first()
    if existing is not None:
        if (existing.observed, existing.expected, existing.upper) != (observed, expected, upper):
            existing.observed, existing.expected, existing.upper = observed, expected, upper
            existing.save(update_fields=["observed", "expected", "upper", "updated_at"])
        return
    if _joins_open_signal(ctx, lookup, method):
        return
    signal = Signal(**key, disease_id=config.disease_id, config=config, params=params, observed=observed,
                    expected=expected, upper=upper, status=SignalStatus.NEW, assigned_org=_cdc_for(ctx, code),
                    raised_at=ctx.raised_at, verify_due_at=ctx.raised_at + timedelta(hours=verify_hours(config)),
                    run=ctx.run, last_alarm_date=ctx.day)
    try:
        with transaction.atomic():
            signal.save()
    except IntegrityError:  # a concurrent run of the same date raised it a moment ago
        return
    SignalAction.objects.create(signal=signal, actor=None, from_status="", to_status=SignalStatus.NEW,
                                at=ctx.raised_at, note=f"预警运行 #{ctx.run.pk} 生成 / raised by detection run #{ctx.run.pk}")
    ctx.new_signals += 1
    if ctx.send and signal.assigned_org_id:
        _notify(signal)


def quiet_days() -> int:
    return max(0, int(getattr(settings, "YINGJI_SIGNAL_QUIET_DAYS", 7)))


def _joins_open_signal(ctx: _Context, lookup: dict, method: str) -> bool:
    """A statistical alarm of a series that already has a signal not excluded, which last alarmed within the quiet
    period, joins that signal (its alarm days and last alarm date) instead of raising a new one: an outbreak
    alarms for days on end, and the CDC should verify it once, not once a day. Fixed-threshold alarms always
    raise their own signal (every day with a case of a 甲类 disease is news)."""
    days = quiet_days()
    if not days or method == FIXED_THRESHOLD:
        return False
    series = {k: v for k, v in lookup.items() if k not in ("method", "signal_date")}
    open_signal = (Signal.objects.filter(**series, signal_date__lte=ctx.day,
                                         last_alarm_date__gte=ctx.day - timedelta(days=days))
                   .exclude(status=SignalStatus.EXCLUDED).exclude(method=FIXED_THRESHOLD)
                   .order_by("-last_alarm_date", "-pk").first())
    if open_signal is None:
        return False
    if open_signal.last_alarm_date < ctx.day:  # a later day: count it (a rerun of a counted day changes nothing)
        open_signal.last_alarm_date = ctx.day
        open_signal.alarm_days += 1
        open_signal.save(update_fields=["last_alarm_date", "alarm_days", "updated_at"])
    return True


def _notify(signal: Signal) -> None:
    users = User.objects.filter(organisation_id=signal.assigned_org_id, is_active=True, role="cdc")
    what = signal.disease.name if signal.disease_id else str(signal.get_measure_display())
    due = timezone.localtime(signal.verify_due_at, SHANGHAI)
    threshold = f"，阈值 {signal.upper:g}" if signal.upper is not None else ""
    notify(users, f"预警信号：{signal.region.name} {what}",
           f"{signal.signal_date:%Y-%m-%d} {signal.method} 观察值 {signal.observed:g}{threshold}；"
           f"请于 {due:%Y-%m-%d %H:%M} 前完成初步核实。",
           link=signal_link(signal))


def _prepare(ctx: _Context, configs: list[DetectionConfig], cache: CountCache) -> list[tuple]:
    """(configuration, region codes it judges) for every configuration with data (worked out once per cache)."""
    if cache.work is not None:
        missing = {c for _, codes in cache.work for c in codes} - set(ctx.regions)
        ctx.regions.update(Region.objects.in_bulk(list(missing)))
        return cache.work
    groups: dict[tuple, list[DetectionConfig]] = {}
    for config in configs:
        groups.setdefault(_group_key(config), []).append(config)
    work, codes_seen = [], set()
    for group in groups.values():
        owner = _series_owner(group)
        by_config: dict[int, list[str]] = {}
        for config in group:
            for code in cache.rows(config):
                chosen = owner(code)
                if chosen is not None and chosen.pk == config.pk:
                    by_config.setdefault(config.pk, []).append(code)
        for config in group:
            codes = sorted(set(by_config.get(config.pk, [])))
            if codes:
                work.append((config, codes))
                codes_seen.update(codes)
    ctx.regions.update(Region.objects.in_bulk(list(codes_seen - set(ctx.regions))))
    cache.work = work
    return work


def _load_cdcs() -> dict[str, Organisation]:
    cdcs: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(kind=Organisation.Kind.CDC, is_active=True).order_by("-pk"):
        cdcs[org.region_id] = org  # the oldest CDC of a region wins
    return cdcs


def _check_method_names(ctx: _Context, configs: list[DetectionConfig]) -> list[DetectionConfig]:
    usable = []
    for config in configs:
        if not isinstance(config.methods, list) or not config.methods:
            _problem(ctx, series=str(config), config=config, code="bad_parameter",
                     message="配置未指定预警方法", message_en="the configuration names no detection method")
            continue
        usable.append(config)
    return usable


EARLIEST_DAY = date(2000, 1, 1)


def check_day(day: date, *, field: str = "date", now: datetime | None = None) -> date:
    """A date detection can judge: from 2000-01-01 to today (Asia/Shanghai); otherwise InvalidInput naming ``field``."""
    from yingji.core.errors import InvalidInput, field_message

    today = local_today(now)
    if not EARLIEST_DAY <= day <= today:
        raise InvalidInput({field: [field_message(f"日期须在 {EARLIEST_DAY} 至今天（{today}）之间",
                                                  f"the date must be from {EARLIEST_DAY} to today ({today})")]})
    return day


def run_detection(day: date, *, kind: str = RunKind.DAILY, user=None, now: datetime | None = None,
                  send_notifications: bool | None = None, cache: CountCache | None = None,
                  configs: list[DetectionConfig] | None = None) -> DetectionRun:
    """Judge ``day`` with every active configuration; see the module docstring. Returns the run record."""
    now = now or timezone.now()
    check_day(day, now=now)
    configs = active_configs() if configs is None else configs
    send = (kind == RunKind.DAILY) if send_notifications is None else send_notifications
    raised_at = now if kind == RunKind.DAILY else min(now, scheduled_time(day))
    run_record = DetectionRun.objects.create(run_date=day, kind=kind, status=RunStatus.RUNNING, started_at=now,
                                             triggered_by=user if user is not None and user.pk else None)
    ctx = _Context(day=day, run=run_record, now=now, raised_at=raised_at, send=send, cdcs=_load_cdcs())
    try:
        usable = _check_method_names(ctx, configs)
        if cache is None:
            longest = max((int(c.history_days) for c in usable), default=1)
            cache = CountCache(day - timedelta(days=longest + 7), day, usable)
        with transaction.atomic():
            for config, codes in _prepare(ctx, usable, cache):
                _judge(ctx, cache, config, codes)
    except Exception as exc:
        logger.exception("detection run for %s failed", day)
        run_record.status = RunStatus.FAILED
        run_record.error = f"{type(exc).__name__}: {exc}"
        run_record.finished_at = timezone.now()
        run_record.problems = ctx.problems
        run_record.save()
        raise
    run_record.series_count, run_record.signal_count = ctx.series, ctx.signals
    run_record.new_signal_count, run_record.problems = ctx.new_signals, ctx.problems
    run_record.status = RunStatus.PARTIAL if ctx.problems else RunStatus.SUCCEEDED
    run_record.finished_at = timezone.now()
    run_record.save()
    return run_record


def backfill(start: date, end: date, *, user=None, progress: Callable[[int, int, DetectionRun], None] | None = None,
             send_notifications: bool = False, now: datetime | None = None) -> list[DetectionRun]:
    """Run every date from ``start`` to ``end`` (inclusive), counts read once; ``progress(done, total, run)`` after
    each date."""
    check_day(start, field="from", now=now)
    check_day(end, field="to", now=now)
    if end < start:
        from yingji.core.errors import InvalidInput, field_message

        raise InvalidInput({"to": [field_message("结束日期早于开始日期", "the end date is before the start date")]})
    configs = active_configs()
    longest = max((int(c.history_days) for c in configs), default=1)
    cache = CountCache(start - timedelta(days=longest + 7), end, configs)
    total = (end - start).days + 1
    runs = []
    for i in range(total):
        day = start + timedelta(days=i)
        runs.append(run_detection(day, kind=RunKind.BACKFILL, user=user, now=now, cache=cache, configs=configs,
                                  send_notifications=send_notifications))
        if progress is not None:
            progress(i + 1, total, runs[-1])
    return runs
