"""Idempotent creates (幂等创建): a client key makes a retried create return the record it already made.

A client (a hospital information system on a flaky network, a browser that double-submits) sends the header
``Idempotency-Key`` with a UUID or its own record number (at most 128 characters) on a create. The first request
with a key claims it — an :class:`~yingji.core.models.IdempotencyRecord` keyed by (user, scope, key) holding a
fingerprint of the request body — and creates the record in the same transaction. Later requests with the same
key and the same body get the record that was created (``replayed=True``; the API answers 200 instead of 201),
never a duplicate. The same key with a different body is a conflict (409): the client reused a key by mistake.

Two simultaneous requests with one key: the unique constraint on (user, scope, key) lets exactly one claim it;
the other waits for it (PostgreSQL blocks on the index, SQLite on the write lock), then fails to insert, rolls
back whatever it did and answers as a retry of the winner. A create that fails (bad input, no permission) rolls
its claim back too, so the client may correct the body and retry with the same key.

Any app uses it the same way::

    result = create_once(user, "surveillance.case_report", key, payload.model_dump(mode="json"),
                         create=lambda: services.create_case_report(user, ...),
                         fetch=lambda pk: get_scoped(user, CaseReport.objects.all(), pk=pk))
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import InvalidInput, YingjiError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
# Printable characters only (no control characters, no leading/trailing space): a UUID or a record number.
KEY_PATTERN = r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$"
HEADER_DESCRIPTION = (
    "幂等键（UUID 或本方记录编号，最长 128 字符）。同一键、同一请求体的重试返回已创建的记录（200），不会重复创建；"
    "同一键、不同请求体返回 409。"
    " / Idempotency key (a UUID or your own record number, at most 128 characters). A retry with the same key and "
    "body returns the record already created (200) instead of a duplicate; the same key with another body is 409."
)

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    obj: T
    replayed: bool  # True: an earlier request with this key created ``obj``; nothing was created now


class KeyReused(YingjiError):
    def __init__(self):
        super().__init__(
            "idempotency_key_reused",
            "该幂等键已用于内容不同的请求；新建记录请使用新的键",
            "This idempotency key was already used with a different request body; use a new key for a new record",
            status=409,
        )


class KeyTargetGone(YingjiError):
    def __init__(self):
        super().__init__(
            "idempotency_target_gone",
            "用该幂等键创建的记录已被删除；如需重新创建，请使用新的键",
            "The record created with this idempotency key has been deleted; use a new key to create it again",
            status=409,
        )


def fingerprint(payload: Any) -> str:
    """A stable hash of a JSON-able request body (key order does not matter)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_key(key: str | None) -> str | None:
    """The key as given, or None when absent; InvalidInput when it is too long or holds control characters."""
    if key is None or key == "":
        return None
    if len(key) > MAX_KEY_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in key) or key != key.strip():
        raise InvalidInput({HEADER: [{
            "message": f"幂等键须为不超过 {MAX_KEY_LENGTH} 个字符的可打印文本（如 UUID）",
            "message_en": f"The idempotency key must be printable text of at most {MAX_KEY_LENGTH} characters "
                          "(a UUID, say)",
        }]})
    return key


def create_once(
    user, scope: str, key: str | None, payload: Any, *, create: Callable[[], T], fetch: Callable[[str], T | None]
) -> Outcome[T]:
    """Run ``create()`` once per (user, scope, key); a retry gets ``fetch(object_pk)`` of the first result.

    ``scope`` names the create endpoint (e.g. ``"core.organisation"``); ``payload`` is the request body as JSON
    data; ``fetch`` must load through core.scoping (and may raise NotFound) or return None when the record is gone.
    """
    key = clean_key(key)
    if key is None:
        return Outcome(create(), replayed=False)
    print_ = fingerprint(payload)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
            if record is not None:
                return _replay(record, print_, fetch)
            record = IdempotencyRecord.objects.create(
                user=user, scope=scope, key=key, fingerprint=print_, object_pk=""
            )
            obj = create()
            record.object_pk = str(obj.pk)
            record.save(update_fields=["object_pk"])
            return Outcome(obj, replayed=False)
    except IntegrityError:
        # A concurrent request with this key claimed it first and has committed: answer as its retry.
        record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
        if record is None or not record.object_pk:
            raise
        return _replay(record, print_, fetch)


def _replay(record: IdempotencyRecord, print_: str, fetch: Callable[[str], T | None]) -> Outcome[T]:
    if record.fingerprint != print_:
        raise KeyReused()
    obj = fetch(record.object_pk)
    if obj is None:
        raise KeyTargetGone()
    return Outcome(obj, replayed=True)


def purge(older_than: timedelta = timedelta(days=30)) -> int:
    """Forget keys older than ``older_than`` (a periodic job may call this); returns how many were removed."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
