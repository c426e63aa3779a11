"""Notifications (通知): one call sends a message to users through the channels asked for.

::

    notify(users, "零报告逾期提醒", "甲区人民医院 2026-03-02 的日报告已逾期", link="/surveillance/overdue/")

Channels:
- ``in_app``: a :class:`~yingji.core.models.Notification` row per recipient, listed at /api/v1/notifications and
  on the pages;
- ``sms``: a text to each recipient's mobile phone through the SMS gateway named by the setting
  ``YINGJI_SMS_BACKEND`` (a dotted path to a class with ``send(phone, text)``). The default,
  :class:`LoggingSmsBackend`, only writes the message to the log, so nothing leaves the machine until a real
  gateway (the commission's 短信平台) is configured.

A failing gateway never breaks the caller: the failure is logged and counted in the result. Inactive users
receive nothing.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, User

logger = logging.getLogger("yingji.notify")

CHANNELS = ("in_app", "sms")
DEFAULT_SMS_BACKEND = "yingji.core.notify.LoggingSmsBackend"
SMS_SIGNATURE = "【应急】"
SMS_MAX_CHARS = 300


class SmsBackend(Protocol):
    """The SMS-gateway interface: deliver ``text`` to ``phone`` or raise."""

    def send(self, phone: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678 (logs never hold a full number)."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class LoggingSmsBackend:
    """The default gateway: writes each message to the ``yingji.notify`` log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


@lru_cache(maxsize=8)
def _backend_class(path: str):
    return import_string(path)


def sms_backend() -> SmsBackend:
    """An instance of the configured gateway (``settings.YINGJI_SMS_BACKEND``)."""
    return _backend_class(getattr(settings, "YINGJI_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


@dataclass
class NotifyResult:
    in_app: int = 0  # notifications stored
    sms: int = 0  # texts handed to the gateway (once the caller's transaction commits; failures are logged)
    no_phone: int = 0  # recipients without a mobile number (no text sent)

    def as_dict(self) -> dict:
        return {"in_app": self.in_app, "sms": self.sms, "no_phone": self.no_phone}


def sms_text(title: str, body: str) -> str:
    text = f"{SMS_SIGNATURE}{title}" + (f"：{body}" if body else "")
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def notify(recipients: Iterable[User], title: str, body: str, link: str | None = None,
           channels: Iterable[str] = ("in_app", "sms")) -> NotifyResult:
    """Send one message to each active recipient through ``channels`` ("in_app", "sms")."""
    channels = tuple(channels)
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channel(s): {', '.join(sorted(unknown))}")
    title = str(title)[:200]
    body = str(body)
    users, seen = [], set()
    for user in recipients:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            users.append(user)
    result = NotifyResult()
    if not users:
        return result
    if "in_app" in channels:
        Notification.objects.bulk_create(
            [Notification(recipient=u, title=title, body=body, link=(link or "")[:500]) for u in users]
        )
        result.in_app = len(users)
    if "sms" in channels:
        texts = [(u.phone.strip(), sms_text(title, body)) for u in users]
        result.no_phone = sum(1 for phone, _ in texts if not phone)
        texts = [(phone, text) for phone, text in texts if phone]
        if texts:
            # Texts leave only once the caller's transaction has committed (a rolled-back reminder sends nothing).
            transaction.on_commit(lambda: _send_texts(texts))
            result.sms = len(texts)
    return result


def _send_texts(texts: list[tuple[str, str]]) -> int:
    backend = sms_backend()
    failed = 0
    for phone, text in texts:
        try:
            backend.send(phone, text)
        except Exception:  # a gateway failure must never break the caller
            failed += 1
            logger.exception("SMS gateway failed for %s", mask_phone(phone))
    return failed


# --- reading and marking ---------------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (a second call keeps the first time)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
