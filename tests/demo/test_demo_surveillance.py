"""The demo city's surveillance history: deterministic, seasonal, valid card by card, with the injected outbreaks
where they are recorded, and zero/daily, fever-clinic and event reports that make the dashboards non-trivial.

Most tests share one build of a one-year history (module fixture, rolled back at the end); one test builds the
full three years and prints how long it took.
"""

import hashlib
import time
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.test import override_settings
from django.utils import timezone

from tests.demo.once import FAST_HASHERS, demo_for_module
from yingji.core.models import Organisation, User
from yingji.core.roles import Role
from yingji.demo import epidemics, surveillance
from yingji.demo.build import build
from yingji.demo.context import DEFAULT_SEED, DemoContext
from yingji.surveillance import clusters, idnumbers
from yingji.surveillance.forms import CaseReportForm
from yingji.surveillance.models import (
    AggregateReport,
    ClusterRule,
    EventReport,
    FeverClinicDailyReport,
    ReportingSchedule,
)
from yingji.surveillance.services import cards as card_services
from yingji.surveillance.services import events as event_services
from yingji.surveillance.services import schedules as schedule_services

TODAY = date(2026, 3, 1)  # the injected "today": the history ends on 2026-02-28
NOW = epidemics.midnight(TODAY)
SHORT = {"surveillance": {"today": TODAY, "years": 1}}
LIVE = ("submitted", "reviewed", "returned")


def fingerprint(rows) -> str:
    """A hash of (card number, disease, onset, region) tuples, in a stable order."""
    text = "\n".join("|".join(str(v) for v in row) for row in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()


def db_fingerprint() -> str:
    return fingerprint(surveillance.demo_cards().values_list("card_number", "disease__code", "onset_date",
                                                             "address_region_id"))


def plan_fingerprint(history) -> str:
    return fingerprint((c.card_number, c.disease, c.onset, c.person.town) for c in history.cards)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo city with a one-year history, for the read-only tests of this module (rolled back at the end)."""
    with demo_for_module(django_db_blocker, "one-year demo history", seed=DEFAULT_SEED, options=SHORT):
        yield surveillance.plan(DemoContext(seed=DEFAULT_SEED, options=SHORT))


@pytest.fixture
def history(built, db):
    return built


# --- pure planning (no database) ------------------------------------------------------------------------------


def test_the_history_is_a_pure_function_of_the_seed_and_the_day(history):
    again = epidemics.history(DEFAULT_SEED, epidemics.places(DEFAULT_SEED), TODAY, 1)
    other = epidemics.history(DEFAULT_SEED + 1, epidemics.places(DEFAULT_SEED + 1), TODAY, 1)
    assert again is not history and plan_fingerprint(again) == plan_fingerprint(history)
    assert plan_fingerprint(other) != plan_fingerprint(history)
    assert history.start == date(2025, 3, 1) and history.end == date(2026, 2, 28)
    assert all(history.start <= c.onset <= history.end and c.reported_at < NOW for c in history.cards)


def test_a_days_cards_do_not_depend_on_the_day_the_demo_is_built(history):
    later = epidemics.history(DEFAULT_SEED, epidemics.places(DEFAULT_SEED), TODAY + timedelta(days=10), 1)

    def people(h):
        return {(c.disease, c.onset, c.person.town, c.person.id_number, c.person.name) for c in h.cards
                if later.start <= c.onset <= TODAY - timedelta(days=30) and c.card_type == "initial"}

    assert people(history) == people(later) and len(people(history)) > 10_000
    dates = {o.key: (o.start, o.end, o.work_unit) for o in history.outbreaks if not o.current}
    assert all(dates[o.key] == (o.start, o.end, o.work_unit) for o in later.outbreaks if o.key in dates)


def test_injected_outbreaks_are_recorded_in_code_spread_over_three_years_and_districts():
    outbreaks = surveillance.injected_outbreaks(DEFAULT_SEED, TODAY)
    assert outbreaks == epidemics.injected_outbreaks(DEFAULT_SEED, TODAY, years=3)
    first, last = epidemics.window(TODAY, 3)
    kinds = {o.key.rsplit("-", 1)[0] if not o.current else o.key for o in outbreaks}
    assert kinds == {k.key for k in epidemics.OUTBREAK_KINDS} | {"diarrhoea-current"}
    assert len({o.county_code for o in outbreaks}) >= 4 and len({o.start.year for o in outbreaks}) >= 3
    minimum = {"E26": 10, "E20": 20, "E09": 10, "E12": 5, "E21": 10, "E22": 10, "": 0}
    for o in outbreaks:
        assert first <= o.start <= o.end <= last, o
        assert o.extra_cases >= minimum[o.rule]
        assert o.town_code.startswith(o.county_code) and o.setting in clusters.SETTINGS
        assert (o.setting == "work_unit") == bool(o.work_unit)
    current = [o for o in outbreaks if o.current]
    assert len(current) == 1 and current[0].end >= TODAY - timedelta(days=7)
    # Without a day, the real one (Beijing time) is used.
    assert surveillance.injected_outbreaks(DEFAULT_SEED)[-1].current


# --- the cards ------------------------------------------------------------------------------------------------


def test_the_database_holds_exactly_the_planned_cards(history):
    assert db_fingerprint() == plan_fingerprint(history)
    assert surveillance.demo_cards().count() == len(history.cards) > 10_000


def test_every_card_is_a_valid_national_card(history):
    counties = {code: name for code, name in Organisation.objects.filter(kind="cdc").values_list(
        "region_id", "region__name")}
    cards = list(surveillance.demo_cards().select_related("disease", "reporting_org"))
    for card in cards:
        resident = idnumbers.parse(card.id_number, today=TODAY)
        assert resident.number == card.id_number and resident.address_code == card.address_region_id[:6]
        assert resident.birth_date == card.birth_date and resident.sex == card.sex
        assert card.onset_date <= timezone.localdate(card.diagnosed_at) and card.diagnosed_at <= card.reported_at
        assert card.reported_at < NOW and card.onset_date >= history.start
        assert card.reporting_org.kind in ("hospital", "community_health_centre", "township_hospital", "clinic")
        age = epidemics.age_of(card.birth_date, card.onset_date)
        assert (card.age_value, card.age_unit) == age
        years = age[0] if age[1] == "year" else 0
        if years < 3:
            assert card.occupation == "scattered_child"
        elif years < 7:
            assert card.occupation in ("scattered_child", "kindergarten_child")
        elif years < 18:
            assert card.occupation == "student"
        if years < 14:
            assert card.guardian_name and card.guardian_name[0] == card.patient_name[0]
        if card.occupation in ("student", "kindergarten_child"):
            county = counties[card.address_region_id[:6]]
            assert card.work_unit.startswith((county, "示范")), card.work_unit
        if card.disease.requires_acuteness:
            assert card.acuteness
    assert len({c.id_number for c in cards}) == len({(c.id_number, c.patient_name) for c in cards})

    sample = cards[:: len(cards) // 150]
    for card in sample:
        card.full_clean()
        data = {name: getattr(card, name) for name in CaseReportForm.Meta.fields}
        data |= {"disease": card.disease.code, "address_region": card.address_region_id,
                 "reporting_org": card.reporting_org.code, "card_number": ""}
        form = CaseReportForm(data)
        assert form.is_valid(), (card.card_number, form.errors)


def test_reporting_and_review_follow_the_rules(history):
    cards = surveillance.demo_cards()
    reviewed = cards.filter(status="reviewed").select_related("reviewed_by__organisation", "reporting_org")
    for card in reviewed[:: max(1, reviewed.count() // 300)]:
        reviewer = card.reviewed_by
        assert reviewer.role == Role.CDC and reviewer.organisation.kind == "cdc"
        assert reviewer.organisation.region_id == card.reporting_org.region_id[:6]  # the unit's county CDC
        assert card.reported_at <= card.reviewed_at == card.status_changed_at < NOW
    assert User.objects.get(username="cdc_district").pk in set(reviewed.values_list("reviewed_by", flat=True))
    assert not cards.filter(status="submitted", reported_at__lt=NOW - timedelta(days=3)).count() > 100

    delays = list(cards.filter(card_type="initial").exclude(disease__report_deadline_hours=None)
                  .values_list("report_delay_seconds", flat=True))
    late = sum(d > 24 * 3600 for d in delays)
    assert 0 < late < 0.02 * len(delays)  # a handful of late reports
    assert sorted(delays)[len(delays) // 2] < 3 * 3600  # most within a few hours
    crossing = [1 for diagnosed, reported in cards.filter(report_delay_seconds__lte=24 * 3600).values_list(
        "diagnosed_at", "reported_at") if timezone.localdate(reported) != timezone.localdate(diagnosed)]
    assert len(crossing) > 100  # on time although reported after midnight
    classes = Counter(cards.values_list("classification", flat=True))
    assert classes["confirmed"] + classes["clinical"] > 0.9 * sum(classes.values()) and classes["suspected"] > 0


def test_returned_corrected_deleted_and_duplicate_cards(history):
    cards = surveillance.demo_cards()
    returned = cards.filter(status="returned")
    assert returned.exists() and all(c.status_reason and c.status_changed_by for c in returned)
    deleted = cards.filter(status="deleted")
    assert deleted.count() >= 10 and all(c.status_reason and c.status_changed_at for c in deleted)
    corrections = cards.filter(card_type="correction").select_related("original")
    assert corrections.count() >= 10
    for correction in corrections:
        original = correction.original
        assert original.status == "superseded" and original.id_number == correction.id_number
        assert original.reported_at < correction.reported_at == original.status_changed_at
        assert correction.notes.startswith(("订正", "死亡订正"))
    assert corrections.filter(disease__code="0401", original__disease__code="3900").exists() or \
        corrections.filter(classification="confirmed").exists()
    assert not cards.filter(status="superseded").exclude(corrections__isnull=False).exists()

    found = card_services.find_duplicates(User.objects.get(username="cdc_city"), queryset=cards)
    pairs = {tuple(sorted(c.card_number for c in group.cards)) for group in found}
    planned = {tuple(sorted((a.card_number, b.card_number))) for a, b in history.duplicates}
    assert planned and pairs == planned


def test_seasonality_in_the_database(history):
    def weekly(code, months):
        days = Counter()
        for onset in surveillance.demo_cards().filter(disease__code=code, card_type="initial").values_list(
                "onset_date", flat=True):
            if onset.month in months:
                days[onset.month] += 1
        weeks = sum({1: 31, 2: 28, 5: 31, 6: 30, 7: 31}[m] for m in months) / 7
        return sum(days.values()) / weeks

    assert weekly("3500", (1,)) > 5 * weekly("3500", (7,))
    assert weekly("4000", (5, 6)) > 3 * weekly("4000", (1, 2))


def test_the_injected_outbreaks_are_in_the_data_and_the_cluster_rules_find_them(history):
    assert history.outbreaks == surveillance.injected_outbreaks(DEFAULT_SEED, TODAY, years=1)
    assert len(history.outbreaks) >= 3
    live = surveillance.demo_cards().filter(status__in=LIVE)
    for o in history.outbreaks:
        cards = live.filter(disease__code=o.disease_code, onset_date__range=(o.start, o.end))
        if o.setting == "work_unit":
            cards = cards.filter(work_unit=o.work_unit, address_region__code__startswith=o.county_code)
        elif o.setting == "town":
            cards = cards.filter(address_region_id=o.town_code)
        else:
            cards = cards.filter(address_region__code__startswith=o.county_code)
        assert cards.count() >= o.extra_cases, o

    # The statutory reporting criteria (cluster_rules.csv) fire for the outbreaks that meet one, and only there.
    rules = [clusters.Rule(code=r.code, setting=r.setting, diseases={d.code for d in r.diseases.all()},
                           window_days=r.window_days or 30, min_cases=r.min_cases, min_deaths=r.min_deaths,
                           count_suspected=r.count_suspected)
             for r in ClusterRule.objects.prefetch_related("diseases")]
    facts = [clusters.CaseFact(id=pk, disease=code, onset=onset, classification=cls,
                               town=town, county=town[:6], work_unit=clusters.normalise_work_unit(unit))
             for pk, code, onset, cls, town, unit in live.values_list(
                 "pk", "disease__code", "onset_date", "classification", "address_region_id", "work_unit")]
    fired = {(m.rule.code, m.key) for m in clusters.evaluate(rules, facts)}
    expected = set()
    for o in history.outbreaks:
        if o.rule:
            group = {"work_unit": f"{o.county_code}|{clusters.normalise_work_unit(o.work_unit)}",
                     "county": o.county_code, "town": o.town_code}[o.setting]
            expected.add((o.rule, group))
    assert expected and fired == expected


def test_zero_reporting_is_about_95_percent_complete_with_units_overdue_now(history):
    cdc = User.objects.get(username="cdc_city")
    city = schedule_services.completeness_by_region(cdc, "990100", history.start, history.end, now=NOW)[0]
    assert city.units == 39 and city.expected > 2000
    assert 0.92 <= city.received / city.expected <= 0.98
    assert city.on_time < city.received and city.on_time / city.expected > 0.8
    overdue = schedule_services.overdue_reports(cdc, TODAY - timedelta(days=20), history.end, now=NOW)
    overdue_units = {org.code for org, _ in overdue}
    assert {u.code for u in history.overdue_units} <= overdue_units
    assert any(period.period_end >= TODAY - timedelta(days=9) for _, period in overdue)

    daily = ReportingSchedule.objects.filter(frequency="daily", organisation__region__code__startswith="99")
    assert daily.count() == 39
    schedule = daily.first()
    assert {d.code for d in schedule.diseases.all()} == {"3500", "4000"} and schedule.reason
    assert (schedule.valid_from, schedule.valid_to) == history.response
    reports = AggregateReport.objects.filter(organisation__region__code__startswith="99")
    assert reports.filter(frequency="daily").exists() and reports.filter(is_zero=True).exists()
    for report in reports.filter(is_zero=False).prefetch_related("lines__disease")[:50]:
        assert report.counts == {line.disease.code: line.count for line in report.lines.all()}
        assert report.first_submitted_at == report.submitted_at < NOW
        assert report.submitted_by.organisation_id == report.organisation_id


def test_fever_clinics_report_daily_with_winter_peaks(history):
    reports = FeverClinicDailyReport.objects.filter(organisation__region__code__startswith="99")
    clinics = set(reports.values_list("organisation__name", flat=True))
    assert len(clinics) == 12 and "示范市妇幼保健院" not in clinics
    by_month = Counter()
    for day, visits, tested, positive, observed in reports.values_list("date", "visits", "tested", "positive",
                                                                      "observed"):
        assert positive <= tested <= visits and observed <= visits
        by_month[day.month] += visits
    assert by_month[1] > 1.3 * by_month[7]
    assert 0.95 * 12 * 365 < reports.count() <= 12 * 365


def test_event_reports_for_two_outbreaks_one_initial_report_late(history):
    reports = EventReport.objects.filter(region__code__startswith="99")
    initial = list(reports.filter(report_type="initial").order_by("discovered_at"))
    assert len(initial) == 2
    statuses = sorted(event_services.deadline_status(r, now=NOW).status for r in initial)
    assert statuses == ["late", "on_time"]
    for report in initial:
        chain = event_services.chain_of(report)
        assert [r.report_type for r in chain] == ["initial", "progress", "final"]
        assert chain[-1].grade == "not_emergency" and chain[1].sequence == 1
        assert chain[-1].cases == chain[-1].case_reports.count() >= chain[0].cases > 0
        assert report.reporting_org.kind == "cdc" and report.place


# --- idempotency and determinism through the database ---------------------------------------------------------


def test_a_rerun_with_the_same_seed_and_day_writes_nothing_and_a_rebuild_is_identical(history):
    before = db_fingerprint()
    pks = set(surveillance.demo_cards().values_list("pk", flat=True))
    entries = LogEntry.objects.count()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        build(DEFAULT_SEED, options=SHORT)
    assert set(surveillance.demo_cards().values_list("pk", flat=True)) == pks
    assert LogEntry.objects.count() == entries

    surveillance.reset(DemoContext())
    assert not surveillance.demo_cards().exists()
    assert not AggregateReport.objects.filter(organisation__region__code__startswith="99").exists()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        build(DEFAULT_SEED, options=SHORT)
    assert db_fingerprint() == before
    assert LogEntry.objects.count() == entries  # synthetic history is not audited row by row


# --- the full three years -------------------------------------------------------------------------------------


def test_full_three_year_build(db, capsys):
    started = time.perf_counter()
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        summary = build(DEFAULT_SEED, options={"surveillance": {"today": TODAY, "years": 3}})
    seconds = time.perf_counter() - started
    history = surveillance.plan(DemoContext(options={"surveillance": {"today": TODAY, "years": 3}}))
    counts = history.counts()
    with capsys.disabled():
        print(f"\nfull demo build (3 years to {history.end}): {seconds:.1f} s, {sum(summary.cards.values())} cards")
        years = sorted({y for v in counts.values() for y in v})
        print("disease " + " ".join(f"{y:>6}" for y in years))
        for code in sorted(counts, key=lambda c: -sum(counts[c].values())):
            print(f"{code:7} " + " ".join(f"{counts[code].get(y, 0):>6}" for y in years))
    assert summary.cards == dict(sorted(Counter(c.disease for c in history.cards).items()))
    assert 30_000 < sum(summary.cards.values()) < 80_000
    assert db_fingerprint() == plan_fingerprint(history)

    # Every season over the three years: influenza in winter (some winters worse), HFMD in spring–summer, …
    by_month = defaultdict(Counter)
    for c in history.cards:
        if c.card_type == "initial":
            by_month[c.disease][(c.onset.year, c.onset.month)] += 1
    flu, hfmd, diarrhoea = by_month["3500"], by_month["4000"], by_month["3900"]
    for year in (2024, 2025):
        assert flu[(year, 1)] > 5 * flu[(year, 7)]
        assert hfmd[(year, 5)] + hfmd[(year, 6)] > 3 * (hfmd[(year, 1)] + hfmd[(year, 2)])
        assert diarrhoea[(year, 7)] + diarrhoea[(year, 8)] > diarrhoea[(year, 3)] + diarrhoea[(year, 4)]
    winters = [sum(flu[(y, m)] for m in (1, 2)) + flu[(y - 1, 12)] for y in (2024, 2025, 2026)]
    assert max(winters) > 1.3 * min(winters)
    assert 1 <= sum(counts.get("1800", {}).values()) <= 6  # a brucellosis case or two
    dengue = [c for c in history.cards if c.disease == "2400" and not c.outbreak]
    assert dengue and all(8 <= c.onset.month <= 10 for c in dengue)  # imported in late summer
    kinds = {o.key.rsplit("-", 1)[0] if not o.current else o.key for o in history.outbreaks}
    assert kinds == {k.key for k in epidemics.OUTBREAK_KINDS} | {"diarrhoea-current"}
