"""Foundation benchmarks: the cost of jurisdiction scoping and of validated, audited imports."""

import statistics
import time
from collections.abc import Callable

from django.db import connection, transaction

from yingji.core.importing import import_organisations
from yingji.core.models import Organisation, Region, User
from yingji.core.roles import Role
from yingji.core.scoping import scope

DISTRICTS = 50
ORGS_PER_DISTRICT = 100


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_world():
    province = Region.objects.create(code="990000", name="基准省")
    Region.objects.bulk_create(
        [Region(code="990100", name="基准市", parent=province, level=2)]
        + [Region(code=f"9901{d:02d}", name=f"区{d}", parent_id="990100", level=3) for d in range(1, DISTRICTS + 1)]
    )
    Organisation.objects.bulk_create([
        Organisation(code=f"B{d:02d}{i:04d}", name=f"机构{d}-{i}", kind="clinic", region_id=f"9901{d:02d}")
        for d in range(1, DISTRICTS + 1) for i in range(ORGS_PER_DISTRICT)
    ])
    cdc = Organisation.objects.filter(region_id="990107").first()
    user = User.objects.create(username="bench_cdc", role=Role.CDC, organisation=cdc)
    admin = User.objects.create(username="bench_admin", role=Role.ADMIN, organisation=cdc, is_superuser=True)
    return user, admin


def csv_rows(n: int, district: int) -> bytes:
    lines = ["机构代码,机构名称,机构类别,行政区划代码"]
    lines += [f"N{district:02d}{i:05d},新机构{district}-{i},诊所,9901{district:02d}" for i in range(n)]
    return "\n".join(lines).encode()


def run():
    user, admin = build_world()
    total = Organisation.objects.count()
    yield f"# database: {connection.vendor}; {total} organisations in {DISTRICTS} districts"

    def page_unscoped():
        return list(Organisation.objects.order_by("code")[:50])

    def page_scoped():
        return list(scope(user, Organisation.objects.order_by("code"))[:50])

    def count_scoped():
        return scope(user, Organisation.objects.all()).count()

    def count_unscoped():
        return Organisation.objects.filter(region_id="990107").count()

    ref = best_of(page_unscoped)
    yield f"scoped first page (district CDC) / unscoped first page: {best_of(page_scoped) / ref:.2f}x"
    ref = best_of(count_unscoped)
    yield f"scoped count (prefix) / count by exact region: {best_of(count_scoped) / ref:.2f}x"

    n = 500
    content = csv_rows(n, 1)

    def bulk_reference():
        with transaction.atomic():
            Organisation.objects.bulk_create([
                Organisation(code=f"N01{i:05d}", name=f"新机构1-{i}", kind="clinic", region_id="990101")
                for i in range(n)
            ])
            transaction.set_rollback(True)

    def validated_import():
        with transaction.atomic():
            report = import_organisations(admin, "bench.csv", content)
            assert report.committed, report.errors[:3]
            transaction.set_rollback(True)

    ref = best_of(bulk_reference, repeat=3)
    imp = best_of(validated_import, repeat=3)
    yield (f"import of {n} organisations (validated, scoped, audited) / bare bulk_create: {imp / ref:.1f}x "
           f"({n / imp:.0f} rows/s)")
