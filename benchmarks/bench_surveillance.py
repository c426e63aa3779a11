"""Surveillance benchmarks: report cards ingested per second through the API (one card per request, and batches of
500) and through bulk import (CSV), each as a ratio to PostgreSQL's own COPY of the same rows into the same table
measured in the same run; and the p95 latency of filing one card through the API, as a ratio to the p95 of the
lightest authenticated API call (GET /api/v1/me) in the same run.

Every path is the real one: validation (ID check digit, dates, codes, jurisdiction), idempotency by card number,
audit entries, cluster-rule checks. On SQLite there is no COPY; the rates are then given against a bare Django
bulk_create of the same rows instead (also measured here), and the reason is printed.
"""

import csv
import io
import json
import statistics
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from yingji.core.models import ApiToken, Organisation, Region, User
from yingji.core.roles import Role
from yingji.surveillance import idnumbers
from yingji.surveillance.forms import CaseReportForm
from yingji.surveillance.models import CaseReport, Disease
from yingji.surveillance.services.card_import import import_cards

N_SINGLE = 200  # one request per card
N_BATCH = 2_000  # in batches of 500
N_IMPORT = 5_000  # one CSV file
N_COPY = 5_000
N_ME = 200
DISEASES = ("3500", "4000", "3600", "3900", "0401", "2600", "1000", "Y020")
OCCUPATIONS = ("farmer", "student", "worker", "retired", "cadre_staff")


def build_world():
    province = Region.objects.create(code="980000", name="基准省")
    city = Region.objects.create(code="980100", name="基准市", parent=province)
    county = Region.objects.create(code="980101", name="基准区", parent=city)
    town = Region.objects.create(code="980101001", name="基准街道", parent=county)
    hospital = Organisation.objects.create(code="BENCHHOS1", name="基准医院", kind="hospital", region=town,
                                           hospital_level="2")
    user = User.objects.create(username="bench_reporter", role=Role.REPORTER, organisation=hospital)
    _, token = ApiToken.issue(user, "bench")
    return user, hospital, town, token


def _id_number(i: int) -> str:
    birth = date(1940, 1, 1) + timedelta(days=(i * 37) % 28000)
    first17 = f"980101{birth:%Y%m%d}{i % 997:03d}"
    return first17 + idnumbers.check_character(first17)


def card(i: int, prefix: str, town: Region, hospital: Organisation) -> dict:
    """The i-th card, as a hospital system sends it: diagnosed within the last days, reported within hours."""
    now = timezone.now().replace(microsecond=0)
    diagnosed = now - timedelta(hours=2 + (i * 7) % 120)
    number = _id_number(i)
    parsed = idnumbers.parse(number)
    return {
        "card_number": f"{prefix}-{i:06d}", "patient_name": f"患者{i}", "id_type": "resident_id", "id_number": number,
        "sex": parsed.sex, "birth_date": parsed.birth_date.isoformat(), "occupation": OCCUPATIONS[i % 5],
        "guardian_name": "家长", "phone": f"139{i:08d}", "address_region": town.code,
        "address_detail": f"基准路 {i} 号", "disease": DISEASES[i % len(DISEASES)], "classification": "clinical",
        "onset_date": timezone.localdate(diagnosed - timedelta(days=1)).isoformat(),
        "diagnosed_at": diagnosed.isoformat(), "reporting_org": hospital.code, "reporting_doctor": "基准医生",
        "reported_at": (diagnosed + timedelta(hours=1)).isoformat(),
    }


def stored_rows(cards: list[dict], user) -> list[CaseReport]:
    """The same cards as the rows the services store (validated by the same form), for the references."""
    rows = []
    for data in cards:
        form = CaseReportForm(data, user=user, bulk=True)
        assert form.is_valid(), form.errors
        row = form.instance
        row.status, row.card_type, row.created_by = "submitted", "initial", user
        row.created_at = row.updated_at = timezone.now()
        rows.append(row)
    return rows


COPY_COLUMNS = [f for f in CaseReport._meta.concrete_fields if not f.generated and not f.primary_key]


def copy_seconds(rows: list[CaseReport]) -> float:
    """PostgreSQL's COPY of the rows into the card table (rolled back afterwards)."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in COPY_COLUMNS)
    table = connection.ops.quote_name(CaseReport._meta.db_table)
    values = [[getattr(r, f.attname) for f in COPY_COLUMNS] for r in rows]
    with transaction.atomic():
        with connection.cursor() as cursor:
            start = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def bulk_create_seconds(rows: list[CaseReport]) -> float:
    with transaction.atomic():
        start = time.perf_counter()
        CaseReport.objects.bulk_create(rows, batch_size=500)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    for row in rows:
        row.pk = None
        row._state.adding = True
    return elapsed


def as_csv(cards: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(cards[0]))
    writer.writeheader()
    writer.writerows(cards)
    return out.getvalue().encode("utf-8")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run():
    user, hospital, town, token = build_world()
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    yield (f"# database: {connection.vendor}; {Disease.objects.count()} diseases; cards through the API as one "
           f"hospital's reporter")

    with override_settings(YINGJI_API_RATE="1000000/min"):
        reference_rows = stored_rows([card(i, "REF", town, hospital) for i in range(N_COPY)], user)
        if connection.vendor == "postgresql":
            reference, name = N_COPY / copy_seconds(reference_rows), "PostgreSQL COPY"
        else:
            yield ("# COPY reference skipped: SQLite has no COPY (set DATABASE_URL=postgres://… for the statutory "
                   "ratio); rates below are against a bare bulk_create of the same rows")
            reference, name = N_COPY / bulk_create_seconds(reference_rows), "bare bulk_create"
        yield f"reference: {name} of {N_COPY} card rows: {reference:,.0f} rows/s"

        # The lightest authenticated call, for the latency reference.
        me = []
        for _ in range(N_ME):
            start = time.perf_counter()
            response = client.get("/api/v1/me", **auth)
            me.append(time.perf_counter() - start)
            assert response.status_code == 200, response.content
        me_p95 = p95(me)

        latencies = []
        cards = [card(i, "ONE", town, hospital) for i in range(N_SINGLE)]
        start = time.perf_counter()
        for data in cards:
            t = time.perf_counter()
            response = client.post("/api/v1/case-reports", json.dumps(data), content_type="application/json", **auth)
            latencies.append(time.perf_counter() - t)
            assert response.status_code == 201, response.content
        single = N_SINGLE / (time.perf_counter() - start)
        yield (f"API single create ({N_SINGLE} requests): {single:,.0f} cards/s = {single / reference:.4f}x "
               f"{name}")

        cards = [card(i, "BAT", town, hospital) for i in range(N_BATCH)]
        start = time.perf_counter()
        for first in range(0, N_BATCH, 500):
            body = json.dumps({"cards": cards[first:first + 500]})
            response = client.post("/api/v1/case-reports/batch", body, content_type="application/json", **auth)
            assert response.status_code == 200 and json.loads(response.content)["created"] == 500, response.content
        batch = N_BATCH / (time.perf_counter() - start)
        yield f"API batch of 500 ({N_BATCH} cards): {batch:,.0f} cards/s = {batch / reference:.4f}x {name}"

        content = as_csv([card(i, "IMP", town, hospital) for i in range(N_IMPORT)])
        start = time.perf_counter()
        report = import_cards(user, "bench.csv", content)
        imported = N_IMPORT / (time.perf_counter() - start)
        assert report.committed and report.saved == N_IMPORT, report.errors[:3]
        yield f"bulk import ({N_IMPORT} rows, CSV): {imported:,.0f} cards/s = {imported / reference:.4f}x {name}"

        card_p95 = p95(latencies)
        yield (f"p95 latency of one card through the API: {card_p95 * 1000:.1f} ms = {card_p95 / me_p95:.1f}x the p95 "
               f"of GET /api/v1/me ({me_p95 * 1000:.1f} ms)")
