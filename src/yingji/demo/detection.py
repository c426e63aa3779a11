"""Demo step ``detection``: early warning over the demo city's history, so the signal pages start full.

What it does (deterministic for a seed and the surveillance step's ``today``):

- **Settings.** The general settings (fixed threshold for the single-case diseases, the CIDARS moving percentile
  method) apply as shipped. The moving percentile method needs three earlier years of the same season, which a
  three-year demo history cannot give, so the step adds settings that apply only within 示范市 (region overrides,
  profile ``示范市演示``) for the diseases of the injected outbreaks: EARS C1 and C3 on county counts by report
  date, at least 3 cases a day (1 for measles and dengue, 2 for scarlet fever: :data:`MIN_CASES`). They go
  through ``services.configs`` like an administrator's.
- **Detection runs.** ``services.runs.run_detection`` day by day (counts read once), over the days that matter,
  not the whole history: each injected outbreak's onset window and the week after it
  (:data:`AFTER_OUTBREAK_DAYS`), and the last :data:`RECENT_DAYS` days before ``today``. A full three-year
  backfill takes minutes on SQLite; this takes seconds and finds the same outbreak signals (option
  ``{"detection": {"recent_days": n}}``; ``"full": True`` runs every day of the history).
- **Lifecycle.** After each day's run, the responsible county CDC's reviewer responds to its new signals through
  ``services.signals`` (``transition``; ``link_event`` at the end), within the day, with times drawn from the seed —
  so, as on the platform, a later alarm of an excluded series raises a new signal and one of a series under
  investigation joins the open signal. An outbreak's first signal goes suspected → investigating → confirmed, then
  is linked to the outbreak's event report when the surveillance step wrote one (else to a draft report made from
  the signal, one outbreak being left confirmed); other signals are mostly excluded with a reason, a few suspected
  or under investigation; the newest are left to be verified (some of them overdue).

**Audit.** Like the surveillance history, this synthetic history is not audited row by row (the audit trail would
say that county CDC reviewers verified a year of signals on the day the demo was built): the step runs with
django-auditlog disabled and logs one line instead. ``reset`` removes the demo city's signals, their runs and the
示范市 settings, also unaudited.
"""

from __future__ import annotations

import logging
import time as clock
from collections import Counter
from datetime import date, datetime, timedelta

from auditlog.context import disable_auditlog
from django.db.models import Q

from yingji.core.models import User
from yingji.core.roles import Role

from .context import DemoContext
from .regions import CITY_CODE, DEMO_PREFIX

STEP = "detection"
PROFILE = "示范市演示"
log = logging.getLogger("yingji.demo")

# The diseases of the injected outbreaks (epidemics.OUTBREAK_KINDS) and how the demo city watches them.
OUTBREAK_DISEASES = ("4000", "3900", "1000", "2400", "1400", "3500", "Y020")
DEMO_METHODS = [{"method": "ears_c1", "params": {}}, {"method": "ears_c3", "params": {}}]
DEMO_MIN_CASES = 3
# Rare diseases signal from the first cases (measles, dengue: a few sporadic imported cases a year otherwise);
# scarlet fever from two a day. Measured on the demo history: with 3 everywhere the measles and dengue outbreaks
# of 2024 (about one case a day) raise no signal.
MIN_CASES = {"1000": 1, "2400": 1, "1400": 2}
DEMO_HISTORY_DAYS = 60
RECENT_DAYS = 60
AFTER_OUTBREAK_DAYS = 7
NEWEST_UNVERIFIED_DAYS = 3  # signals of the last days are left to be verified

NOTES = {
    "excluded": ("核实为散发病例，病例间无流行病学关联，排除。", "季节性升高，与往年同期水平相当，排除。",
                 "病例分布于多个街道，无聚集，排除。", "重复报告导致计数偏高，已订正，排除。"),
    "suspected": ("病例集中在同一学校，不能排除暴发，需现场调查。", "同一街道短期内病例增多，需进一步调查。"),
    "investigating": ("已派出流调队开展现场调查和采样。",),
    "confirmed": ("现场调查和实验室检测确认为暴发疫情。",),
}


def options(ctx: DemoContext) -> dict:
    return dict(ctx.options.get(STEP, {}))


def demo_signals():
    from yingji.detection.models import Signal

    return Signal.objects.filter(region__code__startswith=DEMO_PREFIX)


def _history(ctx: DemoContext):
    from . import surveillance

    return ctx.plan.get(surveillance.STEP) or surveillance.plan(ctx)


def dates_to_run(ctx: DemoContext, history) -> list[date]:
    """The days the backfill judges: each outbreak's window and the week after it, and the recent days."""
    opts = options(ctx)
    last = history.end
    if opts.get("full"):
        return [history.start + timedelta(days=i) for i in range((last - history.start).days + 1)]
    days = set()
    recent = int(opts.get("recent_days", RECENT_DAYS))
    for i in range(recent):
        days.add(last - timedelta(days=i))
    for o in history.outbreaks:
        day = o.start
        while day <= min(o.end + timedelta(days=AFTER_OUTBREAK_DAYS), last):
            days.add(day)
            day += timedelta(days=1)
    return sorted(d for d in days if history.start <= d <= last)


def configure(ctx: DemoContext) -> list:
    """The 示范市 overrides (created once; an existing one is left as it is)."""
    from yingji.detection.models import DetectionConfig
    from yingji.detection.services.configs import save_config

    made = []
    for code in OUTBREAK_DISEASES:
        existing = DetectionConfig.objects.filter(disease__code=code, region_id=CITY_CODE, profile=PROFILE).first()
        if existing is not None:
            made.append(existing)
            continue
        made.append(save_config(ctx.actor, {
            "disease": code, "source": "cards", "measure": "cases", "region_level": "county", "region": CITY_CODE,
            "profile": PROFILE, "methods": DEMO_METHODS, "min_cases": MIN_CASES.get(code, DEMO_MIN_CASES),
            "frequency": "daily",
            "count_basis": "report", "holiday_mode": "none", "history_days": DEMO_HISTORY_DAYS, "active": True,
            "notes": "示范市演示配置：移动百分位数法需要前三年同期数据，示范数据不足，改用 EARS C1/C3。",
        }))
    return made


def build(ctx: DemoContext) -> None:
    history = _history(ctx)
    if demo_signals().exists():  # the surveillance step resets this step whenever it rewrites the history
        return
    with disable_auditlog():
        _build(ctx, history)


def _build(ctx: DemoContext, history) -> None:
    """Day by day, as the platform works: the run for a day raises its signals, then the county CDCs respond to
    them (so a later alarm of an excluded series raises a new signal, and one of a series under investigation
    joins its open signal, as ``services.runs`` does). The counts are read once for all days."""
    from yingji.detection.choices import RunKind
    from yingji.detection.models import Signal
    from yingji.detection.services.runs import CountCache, active_configs, run_detection

    started = clock.perf_counter()
    configure(ctx)
    days = dates_to_run(ctx, history)
    advance = ctx.track(STEP, "预警回溯运算 / detection backfill", len(days))
    configs = active_configs()
    longest = max((int(c.history_days) for c in configs), default=1)
    cache = CountCache(days[0] - timedelta(days=longest + 7), days[-1], configs)
    player = Lifecycle(ctx, history)
    for day in days:
        run = run_detection(day, kind=RunKind.BACKFILL, user=ctx.actor, now=history.now, cache=cache,
                            configs=configs, send_notifications=False)
        raised = (Signal.objects.filter(run=run, region__code__startswith=DEMO_PREFIX)
                  .select_related("disease", "region").order_by("region_id", "disease__code", "method", "pk"))
        for signal in raised:
            player.respond(signal)
        advance()
    player.finish()
    states = dict(Counter(demo_signals().values_list("status", flat=True)))
    log.info("demo detection (seed %s): %s runs, %s signals, states %s (%.1f s)", ctx.seed, len(days),
             demo_signals().count(), states, clock.perf_counter() - started)


def reset(ctx: DemoContext) -> None:
    with disable_auditlog():
        _reset(ctx)


def _reset(ctx: DemoContext) -> None:
    from yingji.detection.models import DetectionConfig, DetectionRun, SignalAction

    signals = demo_signals()
    run_ids = set(signals.exclude(run=None).values_list("run_id", flat=True))
    SignalAction.objects.filter(signal__in=signals).delete()
    signals.delete()
    # the runs the demo made: those of its signals, and its backfills that raised nothing
    DetectionRun.objects.filter(Q(pk__in=run_ids) & ~Q(signals__isnull=False)).delete()
    if ctx.actor is not None:
        DetectionRun.objects.filter(triggered_by=ctx.actor, kind="backfill", signals__isnull=True).delete()
    DetectionConfig.objects.filter(region__code__startswith=DEMO_PREFIX).delete()


# --- the lifecycle -------------------------------------------------------------------------------------------


def _reviewer(org_id, cache: dict) -> User | None:
    if org_id not in cache:
        cache[org_id] = (User.objects.filter(organisation_id=org_id, role=Role.CDC, is_active=True)
                         .order_by("username").first())
    return cache[org_id]


def _outbreak_of(signal, history):
    for o in history.outbreaks:
        if (signal.disease_id and signal.disease.code == o.disease_code and signal.region_id == o.county_code
                and o.start <= signal.signal_date <= o.end + timedelta(days=AFTER_OUTBREAK_DAYS)):
            return o
    return None


def _event_for(outbreak, cache: dict):
    from yingji.surveillance.models import EventReport

    if outbreak.key not in cache:
        from .epidemics import midnight

        cache[outbreak.key] = (EventReport.objects.filter(
            initial__isnull=True, disease__code=outbreak.disease_code, region__code__startswith=outbreak.county_code,
            discovered_at__gte=midnight(outbreak.start), discovered_at__lt=midnight(outbreak.end + timedelta(days=15)))
            .order_by("pk").first())
    return cache[outbreak.key]


class Lifecycle:
    """The county CDC reviewers' responses to the signals as they are raised (module docstring), drawn from the
    seed. An outbreak's first signal goes suspected → investigating → confirmed at once; how it ends (linked to
    the outbreak's event report, to a draft report made from it, or left confirmed) is settled in :meth:`finish`,
    when every outbreak found is known."""

    def __init__(self, ctx: DemoContext, history):
        self.ctx, self.history = ctx, history
        self.rng = ctx.rng(STEP)
        self.reviewers: dict = {}
        self.events: dict = {}
        self.followed: dict = {}  # outbreak key → its first signal (confirmed, or under way if current)
        self.newest = history.end - timedelta(days=NEWEST_UNVERIFIED_DAYS - 1)
        self.still_open = {"investigating": False, "suspected": False}

    def at(self, signal, hours: float) -> datetime:
        return min((signal.raised_at or self.history.now) + timedelta(hours=hours), self.history.now)

    def step(self, signal, user, to, hours, note=""):
        from yingji.detection.services.signals import transition

        return transition(user, signal, to, note=note, now=self.at(signal, hours))

    def respond(self, signal) -> None:
        from yingji.detection.choices import SignalStatus as S

        user = _reviewer(signal.assigned_org_id, self.reviewers)
        if user is None or signal.status != S.NEW:
            return
        rng = self.rng
        outbreak = _outbreak_of(signal, self.history)
        first = rng.choice((0.3, 0.6, 1.0, 1.5, 2.5, 4.0, 8.0, 20.0))  # hours to the first response
        if outbreak is not None and outbreak.key not in self.followed:
            self.followed[outbreak.key] = signal
            signal = self.step(signal, user, S.SUSPECTED, min(first, 2.0), rng.choice(NOTES["suspected"]))
            if signal.signal_date >= self.newest:
                return
            signal = self.step(signal, user, S.INVESTIGATING, min(first, 2.0) + 3, NOTES["investigating"][0])
            if not outbreak.current:
                self.step(signal, user, S.CONFIRMED, min(first, 2.0) + 48, NOTES["confirmed"][0])
            return
        if signal.signal_date >= self.newest:
            return  # the newest wait for verification (some of them overdue)
        if outbreak is not None:  # a further signal of an outbreak already followed up
            self.step(signal, user, S.EXCLUDED, first, "同一暴发疫情的后续信号，已在首个信号中处置。")
            return
        recent = signal.signal_date >= self.newest - timedelta(days=10)
        if recent and not self.still_open["investigating"]:
            self.still_open["investigating"] = True
            signal = self.step(signal, user, S.SUSPECTED, first, rng.choice(NOTES["suspected"]))
            self.step(signal, user, S.INVESTIGATING, first + 4, NOTES["investigating"][0])
            return
        if recent and not self.still_open["suspected"]:
            self.still_open["suspected"] = True
            self.step(signal, user, S.SUSPECTED, first, rng.choice(NOTES["suspected"]))
            return
        draw = rng.random()
        if draw < 0.9:
            self.step(signal, user, S.EXCLUDED, first, rng.choice(NOTES["excluded"]))
        elif draw < 0.97:
            signal = self.step(signal, user, S.SUSPECTED, first, rng.choice(NOTES["suspected"]))
            self.step(signal, user, S.EXCLUDED, first + 20, "现场调查未发现流行病学关联，排除。")
        else:
            signal = self.step(signal, user, S.SUSPECTED, first, rng.choice(NOTES["suspected"]))
            self.step(signal, user, S.INVESTIGATING, first + 4, NOTES["investigating"][0])

    def finish(self) -> None:
        """How the confirmed outbreaks end: ``link`` to the outbreak's event report when the surveillance step
        wrote one; else the first such is left ``confirmed`` and the others linked to a ``draft`` report made
        from the signal — so both confirmed and linked signals exist whenever two outbreaks were found."""
        from yingji.detection.choices import SignalStatus as S
        from yingji.detection.services.signals import link_event

        found = [o for o in self.history.outbreaks if o.key in self.followed and not o.current
                 and self.followed[o.key].signal_date < self.newest]
        without = [o.key for o in found if _event_for(o, self.events) is None]
        plan = {o.key: ("draft" if o.key in without else "link") for o in found}
        if without:
            plan[without[0]] = "confirmed"
        if len(found) >= 2 and "confirmed" not in plan.values():
            plan[found[-1].key] = "confirmed"
        if len(found) >= 2 and set(plan.values()) == {"confirmed"}:
            plan[found[0].key] = "draft"
        for o in found:
            signal = type(self.followed[o.key]).objects.get(pk=self.followed[o.key].pk)
            if plan[o.key] == "confirmed" or signal.status != S.CONFIRMED:
                continue
            user = _reviewer(signal.assigned_org_id, self.reviewers)
            hours = ((signal.verified_at - signal.raised_at).total_seconds() / 3600 if signal.verified_at else 0) + 50
            if plan[o.key] == "link":
                link_event(user, signal, event_report_id=_event_for(o, self.events).pk, now=self.at(signal, hours))
            else:
                link_event(user, signal, create_draft=True, now=self.at(signal, hours))
