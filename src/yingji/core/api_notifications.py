"""The signed-in user's own notifications over /api/v1/notifications (sent through core.notify).

Mounted in yingji/api.py with ``api.add_router("/v1", "yingji.core.api_notifications.router")``. A user reads and
marks only their own notifications; anyone else's answers 404, exactly like one that does not exist.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from . import notify
from .api import ID_PATH
from .api_schemas import PageParams, page_of, paginate
from .errors import NotFound
from .models import Notification

router = Router()
notifications_router = Router(tags=["notifications"])


def _user(request: HttpRequest):
    return request.auth


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class NotificationFilter(PageParams):
    unread: bool | None = Field(None, description="true 仅未读，false 仅已读 / true: unread only; false: read only")


class ReadAllOut(Schema):
    marked: int = Field(..., description="本次标为已读的条数 / notifications marked read now")


@notifications_router.get("", response=page_of(NotificationOut), summary="我的通知 / My notifications")
def list_notifications(request, filters: Query[NotificationFilter]):
    """本人的站内通知（逾期提醒、待核实的事件报告……），新的在前。 / Your in-app notifications, newest first."""
    qs = Notification.objects.filter(recipient=_user(request))
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    return paginate(qs.order_by("-created_at", "-pk"), filters)


@notifications_router.post("/{int:notification_id}/read", response=NotificationOut,
                           summary="标为已读 / Mark a notification read")
def read_notification(request, notification_id: int = ID_PATH):
    """重复标记无害（保留首次阅读时间）。 / Marking twice is harmless (the first time is kept)."""
    user = _user(request)
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise NotFound()
    return notify.mark_read(user, notification)


@notifications_router.post("/read-all", response=ReadAllOut, summary="全部标为已读 / Mark all read")
def read_all_notifications(request):
    return {"marked": notify.mark_all_read(_user(request))}


router.add_router("/notifications", notifications_router)
