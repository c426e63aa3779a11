"""Demo step ``surveillance``: three years of notifiable-disease reporting in 示范市, ending yesterday.

What it writes (all of it a pure function of the seed and ``today``; the planning is in :mod:`.epidemics`):

- **Case report cards** (about 15 000 a year): seasonal influenza, HFMD, other infectious diarrhoea, the endemic
  background (hepatitis B, TB, syphilis, varicella, …) and a few rare imported or zoonotic cases, with plausible
  people (valid 居民身份证 numbers whose address code is the patient's county, sex and birth date agreeing with
  the number, an occupation fitting the age, schools and kindergartens of their own county), reporting units and
  doctors, onset → diagnosis → report times (a few late, many crossing midnight), reviews by the county CDC, a
  few returned, corrected (订正, original superseded) and deleted (with reasons), and a few duplicate pairs left
  for the duplicate check to find. Card numbers, statuses and who/when follow ``services.cards``.
- **Injected outbreaks**, recorded in code: :func:`injected_outbreaks` (from ``epidemics``) gives their diseases,
  places and dates for a seed and a ``today``; the build keeps what it applied in ``ctx.plan["surveillance"]``.
- **Zero/daily reporting**: a weekly schedule for every reporting unit, a daily one for influenza and HFMD during
  one past response period, and the reports themselves (about 95 % complete; three units overdue now).
- **Fever-clinic daily reports** of the level-2/3 hospitals, and **event reports** (initial, progress, final) for
  two of the outbreaks, one initial report late.
- **Staff accounts** the records name: a reporter (疫情报告员) per reporting unit and a reviewer per county CDC,
  without usable passwords (``report.<unit key>``, ``cdc.review.<county>``); the demo logins ``reporter``
  (市一院) and ``cdc_district`` (明湖区) play their own parts.

**Audit.** The history is synthetic and written in bulk, so it is *not audited row by row*: the audit trail would
otherwise say that the demo administrator created ~70 000 records on one day, which is neither true nor useful.
The step logs one line instead (logger ``yingji.demo``: seed, period, counts). Only the staff accounts are
audited, as ordinary user creations.

**Idempotent.** A re-run with the same seed and the same ``today`` finds the same card set and writes nothing.
Otherwise (a new day, another seed) it replaces every surveillance record of the demo city, after resetting the
demo steps registered after it, which may refer to the cards.

**Options** (``build(options={"surveillance": {...}})``): ``today`` (a date; default: today in Beijing time),
``years`` (default ``settings.YINGJI_DEMO_YEARS``, 3) or ``start`` (the first day).
"""

import logging
import time as clock
from contextlib import contextmanager

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q

from yingji.core.models import User
from yingji.core.roles import Role

from . import names
from .context import DemoContext
from .epidemics import History, age_of, demo_today, history, injected_outbreaks, places, stream
from .regions import DEMO_PREFIX, DISTRICTS
from .users import DemoUserClash

__all__ = ["STEP", "build", "injected_outbreaks", "plan", "reset"]

STEP = "surveillance"
log = logging.getLogger("yingji.demo")
BATCH = 500


def options(ctx: DemoContext) -> dict:
    return dict(ctx.options.get(STEP, {}))


_last: dict = {}  # the most recent plan: a re-run in the same process (same seed and options) reuses it


def plan(ctx: DemoContext, where=None) -> History:
    """The history for this build's seed and options (pure; reuses the regions and organisations just built).
    Treat it as read-only: the same object serves a re-run with the same arguments."""
    opts = options(ctx)
    key = (ctx.seed, opts.get("today") or demo_today(), opts.get("years", settings.YINGJI_DEMO_YEARS), opts.get("start"))
    if key not in _last:
        _last.clear()
        _last[key] = history(ctx.seed, where or _places(ctx), *key[1:])
    return _last[key]


def _places(ctx: DemoContext):
    return places(ctx.seed, ctx.plan.get("regions"), ctx.plan.get("organisations"))


def _models():
    from yingji.surveillance import models

    return models


def _demo(prefix_field: str) -> Q:
    return Q(**{f"{prefix_field}__startswith": DEMO_PREFIX})


def demo_cards():
    m = _models()
    return m.CaseReport.objects.filter(_demo("address_region__code") | _demo("reporting_org__region__code"))


def _querysets():
    m = _models()
    return {
        "events": m.EventReport.objects.filter(_demo("region__code") | _demo("reporting_org__region__code")),
        "aggregates": m.AggregateReport.objects.filter(_demo("organisation__region__code")),
        "fever": m.FeverClinicDailyReport.objects.filter(_demo("organisation__region__code")),
        "schedules": m.ReportingSchedule.objects.filter(_demo("organisation__region__code")),
    }


# --- the people who report and review ----------------------------------------------------------------------------


def _account(ctx: DemoContext, username: str, org, role: str, full_name: str, phone: str) -> User:
    """A demo staff account without a usable password (only the demo logins sign in), created or brought back."""
    user = User.objects.select_related("organisation").filter(username=username).first()
    if user is not None and user.organisation_id and not user.organisation.region_id.startswith(DEMO_PREFIX):
        raise DemoUserClash(username)
    wanted = (org.pk, role, full_name, phone, True)
    if user is None or (user.organisation_id, user.role, user.full_name, user.phone, user.is_active) != wanted:
        user = user or User(username=username)
        user.organisation, user.role, user.full_name, user.phone, user.is_active = org, role, full_name, phone, True
        if not user.pk:
            user.set_unusable_password()
        user.full_clean(exclude=["password", "last_login"], validate_unique=False)
        user.save()
    return user


def staff(ctx: DemoContext, where) -> tuple[dict[str, User], dict[str, User]]:
    """(county → the county CDC user who reviews its units' cards, unit key → the unit's epidemic reporter 疫情
    报告员). The demo logins ``cdc_district`` (明湖区) and ``reporter`` (市一院) play their parts; the others get
    accounts without a usable password: ``cdc.review.<county>`` and ``report.<unit key>``."""
    rng = stream(ctx.seed, "staff")
    checkers, reporters = {}, {}
    for d in DISTRICTS:
        full_name, phone = names.person(rng), names.landline(rng, "6")
        if d.code == "990102" and "cdc_district" in ctx.users:
            checkers[d.code] = ctx.users["cdc_district"]
        else:
            checkers[d.code] = _account(ctx, f"cdc.review.{d.code}", ctx.organisations[f"{d.code}.cdc"], Role.CDC,
                                        full_name, phone)
    for unit in where.units:
        full_name, phone = names.person(rng), names.landline(rng, "6")
        login = ctx.users.get("reporter")
        if login is not None and login.organisation_id == ctx.organisations[unit.key].pk:
            reporters[unit.key] = login
        else:
            reporters[unit.key] = _account(ctx, f"report.{unit.key}", ctx.organisations[unit.key], Role.REPORTER,
                                           full_name, phone)
    return checkers, reporters


# --- build and reset --------------------------------------------------------------------------------------------


def _is_current(history_: History) -> bool:
    rows = demo_cards().values_list("card_number", "disease__code", "onset_date", "address_region_id")
    if sorted((n, d, o.isoformat(), r) for n, d, o, r in rows) != history_.identity():
        return False
    qs = _querysets()
    expected = {"events": len(history_.events), "aggregates": len(history_.aggregates),
                "fever": len(history_.fever), "schedules": len(history_.schedules)}
    return all(qs[name].count() == count for name, count in expected.items())


def wipe() -> None:
    """Delete every surveillance record of the demo city (cards, zero reports, fever-clinic reports, event
    reports, schedules), unaudited like the bulk load.

    Plain SQL deletes (``QuerySet._raw_delete``): the audited models have signal receivers, which would make
    Django fetch and delete ~100 000 rows one object at a time. Links between these tables go first; a table of
    another app that refers to a demo card must belong to a step registered after this one (its reset runs first).
    """
    m = _models()
    qs = _querysets()
    cards = demo_cards()
    db = cards.db
    with disable_auditlog():
        m.EventReport.case_reports.through.objects.filter(
            Q(eventreport__in=qs["events"]) | Q(casereport__in=cards))._raw_delete(db)
        qs["events"].exclude(initial=None)._raw_delete(db)
        qs["events"]._raw_delete(db)
        m.AggregateReportLine.objects.filter(report__in=qs["aggregates"])._raw_delete(db)
        m.ReportingSchedule.diseases.through.objects.filter(reportingschedule__in=qs["schedules"])._raw_delete(db)
        for name in ("aggregates", "fever", "schedules"):
            qs[name]._raw_delete(db)
        cards.exclude(original=None, merged_into=None).update(original=None, merged_into=None)
        cards._raw_delete(db)


def _reset_later_steps(ctx: DemoContext) -> None:
    from .build import STEPS

    names_ = [s.name for s in STEPS]
    if STEP in names_:
        for step in reversed(STEPS[names_.index(STEP) + 1:]):
            if step.reset is not None:
                step.reset(ctx)


def build(ctx: DemoContext) -> None:
    started = clock.perf_counter()
    where = _places(ctx)
    history_ = plan(ctx, where)
    ctx.plan[STEP] = history_
    people = staff(ctx, where)
    if _is_current(history_):
        return
    _reset_later_steps(ctx)
    with _roomy_cache():
        wipe()
        with disable_auditlog():
            written = write(ctx, history_, *people)
    log.info("demo surveillance history (seed %s, %s to %s) written in bulk, not audited per row: %s (%.1f s)",
             ctx.seed, history_.start, history_.end, written, clock.perf_counter() - started)


def reset(ctx: DemoContext) -> None:
    with _roomy_cache():
        wipe()


@contextmanager
def _roomy_cache():
    """On SQLite, a page cache of up to 256 MB while ~100 000 rows and their 17 card indexes are written (the
    default 2 MB spills pages to disk mid-transaction); the connection's own setting comes back afterwards."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


# --- writing ----------------------------------------------------------------------------------------------------


def _check(objs) -> None:
    """full_clean a sample: a failure is a bug in the generator, not bad input."""
    for obj in objs:
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise RuntimeError(f"demo {type(obj).__name__} {obj}: {exc}") from exc


def _sample(items, n=25):
    return items[:: max(1, len(items) // n)]


class Table:
    """Rows for one model, given as {attname: value}, inserted with one ``executemany`` per batch.

    ``bulk_create`` would build a model instance per row and prepare every value through its field; for ~100 000
    rows that is most of the build's time. Here each column is converted once by type (dates and times as the
    backend stores them, JSON through its field) and missing columns take the field's default. Generated columns
    are left to the database. A sample of each table is also checked with ``full_clean`` before it is written.
    """

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]

    def _converters(self, connection):
        ops = connection.ops
        result = []
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField" and connection.vendor == "sqlite" and settings.USE_TZ:
                # what the SQLite backend stores (naive UTC text), without its per-value checks
                zone = connection.timezone
                result.append(lambda v, z=zone: None if v is None else str(v.astimezone(z).replace(tzinfo=None)))
            elif kind == "DateTimeField":
                result.append(lambda v: None if v is None else ops.adapt_datetimefield_value(v))
            elif kind == "DateField":
                result.append(lambda v: None if v is None else ops.adapt_datefield_value(v))
            elif kind == "JSONField":
                result.append(lambda v, f=f: f.get_db_prep_save(v, connection))
            else:
                result.append(None)
        return result

    def objects(self, rows):
        return [self.model(**row) for row in rows]

    def insert(self, rows: list[dict], advance=None) -> None:
        from django.db import connections, router

        connection = connections[router.db_for_write(self.model)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        sql = (f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) "
               f"VALUES ({', '.join(['%s'] * len(self.fields))})")
        names = [f.attname for f in self.fields]
        defaults = {f.attname: f.get_default() for f in self.fields}
        converters = [(i, c) for i, c in enumerate(self._converters(connection)) if c is not None]
        with connection.cursor() as cursor:
            for i in range(0, len(rows), 2000):
                batch = []
                for row in rows[i:i + 2000]:
                    values = [row[name] if name in row else defaults[name] for name in names]
                    for j, convert in converters:
                        values[j] = convert(values[j])
                    batch.append(values)
                cursor.executemany(sql, batch)
                if advance:
                    advance(len(batch))


def write(ctx: DemoContext, history_: History, checkers: dict, reporters: dict) -> dict:
    m = _models()
    orgs = {key: org.pk for key, org in ctx.organisations.items()}
    diseases = {d.code: d.pk for d in m.Disease.objects.all()}
    rules = {r.code: r.pk for r in m.ClusterRule.objects.all()}
    reporter_of = {key: user.pk for key, user in reporters.items()}
    checker_of = {county: user.pk for county, user in checkers.items()}
    advance = ctx.track(STEP, "传染病报告卡等 Case reports and more", len(history_.cards) + len(history_.aggregates)
                        + len(history_.fever))

    def card_row(c, original_id=None) -> dict:
        who = c.person
        age, unit = age_of(who.birth, c.onset)
        checker = checker_of[c.reviewer_county]
        return {
            "card_number": c.card_number, "card_type": c.card_type, "original_id": original_id, "status": c.status,
            "patient_name": who.name, "guardian_name": who.guardian, "id_type": "resident_id",
            "id_number": who.id_number, "sex": who.sex, "birth_date": who.birth, "age_value": age, "age_unit": unit,
            "occupation": who.occupation, "work_unit": who.work_unit, "phone": who.phone, "case_origin": c.origin,
            "address_region_id": who.town, "address_detail": who.address, "disease_id": diseases[c.disease],
            "other_disease_name": "", "classification": c.classification, "acuteness": c.acuteness,
            "onset_date": c.onset, "diagnosed_at": c.diagnosed_at, "death_date": c.death_date,
            "reporting_org_id": orgs[c.unit.key], "reporting_doctor": c.doctor, "reported_at": c.reported_at,
            "notes": c.notes, "reviewed_at": c.reviewed_at, "reviewed_by_id": checker if c.reviewed_at else None,
            "status_reason": c.status_reason, "status_changed_at": c.changed_at,
            "status_changed_by_id": {"cdc": checker, "unit": reporter_of[c.unit.key]}.get(c.changed_by),
            "merged_into_id": None, "created_by_id": reporter_of[c.unit.key], "submission_fingerprint": "",
            # As if written when reported and last touched when its status last changed.
            "created_at": c.reported_at, "updated_at": c.changed_at or c.reported_at,
        }

    cards = Table(m.CaseReport)
    initial = [card_row(c) for c in history_.cards if c.card_type == "initial"]
    _check(cards.objects(_sample(initial)))
    cards.insert(initial, advance)
    pk_of = dict(demo_cards().values_list("card_number", "pk"))
    corrections = [card_row(c, pk_of[c.original.card_number]) for c in history_.cards if c.card_type == "correction"]
    _check(cards.objects(corrections[:5]))
    cards.insert(corrections, advance)
    pk_of.update(demo_cards().filter(card_type="correction").values_list("card_number", "pk"))

    schedules = [m.ReportingSchedule(organisation_id=orgs[s.unit.key], frequency=s.frequency,
                                     valid_from=s.valid_from, valid_to=s.valid_to, reason=s.reason)
                 for s in history_.schedules]
    _check(schedules[:: max(1, len(schedules) // 4)])
    m.ReportingSchedule.objects.bulk_create(schedules, batch_size=BATCH)
    through = m.ReportingSchedule.diseases.through
    through.objects.bulk_create([through(reportingschedule_id=obj.pk, disease_id=diseases[code])
                                 for obj, s in zip(schedules, history_.schedules, strict=True)
                                 for code in s.diseases], batch_size=BATCH)

    reports = Table(m.AggregateReport)
    rows = [{"organisation_id": orgs[a.unit.key], "frequency": a.frequency, "period_start": a.period_start,
             "period_end": a.period_end, "is_zero": not a.lines, "counts": dict(sorted(a.lines.items())),
             "first_submitted_at": a.submitted_at, "due_at": a.due_at, "revision": 1,
             "submitted_at": a.submitted_at, "submitted_by_id": reporter_of[a.unit.key], "note": a.note,
             "updated_at": a.submitted_at} for a in history_.aggregates]
    _check(reports.objects(_sample(rows, 10)))
    reports.insert(rows, advance)
    report_pk = {(o, f, p): pk for pk, o, f, p in _querysets()["aggregates"].values_list(
        "pk", "organisation_id", "frequency", "period_start")}
    Table(m.AggregateReportLine).insert([
        {"report_id": report_pk[(orgs[a.unit.key], a.frequency, a.period_start)], "disease_id": diseases[code],
         "count": count} for a in history_.aggregates for code, count in sorted(a.lines.items())])

    fever = Table(m.FeverClinicDailyReport)
    rows = [{"organisation_id": orgs[f.unit.key], "date": f.day, "visits": f.visits, "tested": f.tested,
             "positive": f.positive, "observed": f.observed, "transferred": f.transferred, "note": "",
             "submitted_at": f.submitted_at, "submitted_by_id": reporter_of[f.unit.key],
             "updated_at": f.submitted_at} for f in history_.fever]
    _check(fever.objects(_sample(rows, 10)))
    fever.insert(rows, advance)

    event_pk: dict[str, int] = {}
    links = []
    for e in sorted(history_.events, key=lambda e: e.initial != ""):  # initial reports first
        county = e.outbreak.county_code
        obj = m.EventReport(
            report_number=e.number, report_type=e.report_type, initial_id=event_pk.get(e.initial),
            sequence=1 if e.report_type == "progress" else 0, status="submitted", source="manual",
            title=e.title, category="infectious_outbreak", grade=e.grade,
            disease_id=diseases[e.outbreak.disease_code], region_id=e.outbreak.town_code,
            place=e.outbreak.work_unit, reporting_org_id=orgs[f"{county}.cdc"], discovered_at=e.discovered_at,
            reported_at=e.reported_at, cases=len(e.cases), deaths=0, description=e.description,
            measures=e.measures, cluster_rule_id=rules.get(e.outbreak.rule), created_by_id=checker_of[county],
            submitted_by_id=checker_of[county],
        )
        _check([obj])
        obj.save()
        event_pk[e.number] = obj.pk
        links.extend((obj.pk, pk_of[c.card_number]) for c in e.cases)
    through = m.EventReport.case_reports.through
    through.objects.bulk_create([through(eventreport_id=e, casereport_id=c) for e, c in links], batch_size=BATCH)
    _querysets()["events"].update(created_at=F("reported_at"), updated_at=F("reported_at"))
    return {"cards": len(initial) + len(corrections), "zero_reports": len(history_.aggregates),
            "fever": len(history_.fever), "events": len(event_pk)}
