"""Records of the response app for tests, built straight from the models (each engineer's own services are tested
through their own tests). ``make_event(city, "b")`` is district 乙's event, for scoping tests."""

from django.utils import timezone

from yingji.response.choices import EventStatus, ResponseLevel
from yingji.response.models import Event

_seq = iter(range(1, 10**6))


def make_event(city, district: str = "a", *, level: str = ResponseLevel.NONE, status: str = EventStatus.STARTED,
               **fields) -> Event:
    d = getattr(city, district)
    number = fields.pop("number", f"TEST-{d.region.code}-{next(_seq):04d}")
    event = Event.objects.create(
        number=number, title=fields.pop("title", f"{d.region.name}测试事件"),
        category=fields.pop("category", "infectious_outbreak"), region=d.region, lead_org=d.cdc,
        occurred_at=fields.pop("occurred_at", timezone.now()), response_level=level, status=status, **fields)
    event.affected_regions.add(d.region)
    return event
