"""Public holidays and make-up workdays over /api/v1/holidays: everyone reads, administrators add, change and remove
days (services.holidays)."""

from datetime import date

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from yingji.core import idempotency
from yingji.core.api import ID_PATH, IDEMPOTENCY_KEY, _created, _existing
from yingji.core.api_schemas import NO_NUL, InputSchema, PageParams, page_of, paginate
from yingji.core.scoping import get_scoped, require_place

from ..choices import HolidayKind
from ..models import Holiday
from ..services import holidays as svc
from .common import DetIsoDate, lit, user_of

router = Router()
holidays_router = Router(tags=["detection"])


class HolidayOut(Schema):
    id: int
    date: date
    kind: str = Field(..., description="holiday 放假 / workday 调休上班")
    kind_label: str
    name: str
    source: str


class HolidayFilter(PageParams):
    year: int | None = Field(None, ge=2000, le=2100, description="年份 / year")
    kind: lit(HolidayKind) | None = None


class HolidayIn(InputSchema):
    date: DetIsoDate
    kind: lit(HolidayKind)
    name: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="如 春节 / e.g. 春节")
    source: str = Field("", max_length=128, pattern=NO_NUL, description="依据（通知文号）/ the notice")


class HolidayPatch(InputSchema):
    date: DetIsoDate | None = None
    kind: lit(HolidayKind) | None = None
    name: str | None = Field(None, min_length=1, max_length=64, pattern=NO_NUL)
    source: str | None = Field(None, max_length=128, pattern=NO_NUL)


def holiday_out(h: Holiday) -> dict:
    return {"id": h.pk, "date": h.date, "kind": h.kind, "kind_label": str(h.get_kind_display()), "name": h.name,
            "source": h.source}


@holidays_router.get("", response=page_of(HolidayOut), summary="节假日与调休 / Holidays and make-up workdays")
def list_holidays(request, filters: Query[HolidayFilter]):
    """按国务院放假通知的节假日（放假）与调休上班日；预警按配置的节假日处理方式使用。 / Public holidays and make-up
    workdays from the State Council notices, used by detection as each configuration's holiday mode says."""
    page = paginate(svc.holidays(user_of(request), year=filters.year, kind=filters.kind), filters)
    page["items"] = [holiday_out(h) for h in page["items"]]
    return page


@holidays_router.post("", response={201: HolidayOut, 200: HolidayOut}, summary="添加节假日 / Add a day")
def create_holiday(request, payload: HolidayIn, response: HttpResponse, idempotency_key: str | None = IDEMPOTENCY_KEY):
    """仅系统管理员。日期已存在返回 409；带 Idempotency-Key 的重试返回首次添加的记录。 / Administrators only; a date
    already listed is a 409; a retry with the same Idempotency-Key answers with the day added first."""
    user = user_of(request)
    outcome = idempotency.create_once(
        user, "detection.holiday", idempotency_key, payload.model_dump(mode="json"),
        create=lambda: svc.save_holiday(user, payload.model_dump()),
        fetch=lambda pk: _existing(user, Holiday.objects.all(), pk))
    return _created(response, idempotency.Outcome(holiday_out(outcome.obj), outcome.replayed))


def _writable(request, holiday_id: int) -> Holiday:
    user = user_of(request)
    require_place(user, Holiday, region_code=None, owner_org_id=None)
    return get_scoped(user, Holiday.objects.all(), write=True, pk=holiday_id)


@holidays_router.patch("/{int:holiday_id}", response=HolidayOut, summary="修改节假日 / Change a day")
def update_holiday(request, payload: HolidayPatch, holiday_id: int = ID_PATH):
    holiday = _writable(request, holiday_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return holiday_out(svc.save_holiday(user_of(request), changes, instance=holiday))


@holidays_router.delete("/{int:holiday_id}", response={204: None}, summary="删除节假日 / Remove a day")
def delete_holiday(request, holiday_id: int = ID_PATH):
    svc.delete_holiday(user_of(request), _writable(request, holiday_id))
    return Status(204, None)


router.add_router("/holidays", holidays_router)
