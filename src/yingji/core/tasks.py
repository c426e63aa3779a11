"""Background jobs of the platform foundation. Start them with :func:`yingji.core.jobs.submit`.

Periodic ones are scheduled in ``yingji/celery.py`` (``beat_schedule``), run by ``celery -A yingji beat``.
Arguments and results are plain JSON (user ids, base64 file content, dicts), so the same job runs in a worker
behind Redis or in-process without a broker.
"""

import base64
import binascii
from datetime import timedelta

from celery import shared_task

from . import importing
from .errors import YingjiError
from .models import User

IMPORTERS = {
    "regions": (importing.import_regions, importing.REGION_COLUMNS),
    "organisations": (importing.import_organisations, importing.ORGANISATION_COLUMNS),
}


def _refused(code: str, zh: str, en: str) -> dict:
    """An import report for a job that could not even read its file or find its user."""
    return {"total": 0, "saved": 0, "committed": False, "errors": [],
            "error": {"code": code, "message": zh, "message_en": en}}


@shared_task(bind=True, name="core.import_file")
def import_file_job(self, kind: str, user_id: int, name: str, content_b64: str, valid_only: bool = False) -> dict:
    """Import regions or organisations from a CSV/XLSX file as the given user; returns the import report as a
    dict (total, saved, committed, errors[row, field, message, message_en]) plus ``error`` when the whole file
    was refused."""
    if kind not in IMPORTERS:
        return _refused("bad_kind", f"未知的导入类型“{kind}”", f"Unknown import kind '{kind}'")
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None:
        return _refused("no_user", "导入用户不存在或已停用", "The importing user does not exist or is deactivated")
    try:
        content = base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        return _refused("bad_file", "文件内容编码错误", "The file content is not valid base64")
    importer, columns = IMPORTERS[kind]
    try:
        total = len(importing.read_table(name, content, columns))

        def progress(done: int) -> None:
            if not self.request.is_eager and (done % 50 == 0 or done == total):
                self.update_state(state="PROGRESS", meta={"done": done, "total": total})

        report = importer(user, name, content, valid_only=valid_only, progress=progress)
    except YingjiError as exc:
        return _refused(exc.code, exc.message, exc.message_en)
    return report.as_dict()


@shared_task(name="core.expire_idempotency_records")
def expire_idempotency_records(days: int = 30) -> int:
    """Forget idempotency keys older than ``days`` days (a retry that late is a new request); returns how many."""
    from .idempotency import purge

    return purge(timedelta(days=days))


def encode_file(content: bytes) -> str:
    """File content as the text a job argument can carry."""
    return base64.b64encode(content).decode("ascii")
