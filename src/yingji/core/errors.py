"""Errors that carry their message in Chinese and English, so pages, API and importers say the same thing."""

from dataclasses import dataclass, field


@dataclass
class YingjiError(Exception):
    code: str
    message: str  # Chinese
    message_en: str
    fields: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    status: int = 400

    def __str__(self) -> str:
        return f"{self.message} / {self.message_en}"

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "message_en": self.message_en, "fields": self.fields}


def field_message(zh: str, en: str) -> dict[str, str]:
    return {"message": zh, "message_en": en}


class NotPermitted(YingjiError):
    def __init__(self, zh: str = "您无权查看或修改该记录", en: str = "You may not read or change this record"):
        super().__init__("forbidden", zh, en, status=403)


class NotFound(YingjiError):
    def __init__(self, zh: str = "记录不存在或不在您的管辖范围内", en: str = "No such record within your jurisdiction"):
        super().__init__("not_found", zh, en, status=404)


class InvalidInput(YingjiError):
    def __init__(self, fields: dict, zh: str = "输入有误，请按提示修改", en: str = "Invalid input; see the field messages"):
        super().__init__("invalid", zh, en, fields=fields, status=422)


class Conflict(YingjiError):
    def __init__(self, zh: str, en: str, fields: dict | None = None):
        super().__init__("conflict", zh, en, fields=fields or {}, status=409)


class TransitionNotAllowed(YingjiError):
    """A lifecycle step the record's status does not allow (409), naming the steps it does allow.

    ``what``: (zh, en) name of the record ("信号", "A signal"); ``labels``: status → (zh, en); ``transitions``:
    status → the statuses it may move to; ``none``: (zh, en) shown when nothing is allowed."""

    def __init__(self, what: tuple[str, str], current: str, wanted: str, labels: dict, transitions: dict,
                 none: tuple[str, str] = ("无", "none")):
        zh_from, en_from = labels.get(current, (current, current))
        zh_to, en_to = labels.get(wanted, (wanted, wanted))
        allowed = transitions.get(current, ())
        zh_allowed = "、".join(labels[s][0] for s in allowed) or none[0]
        en_allowed = ", ".join(labels[s][1] for s in allowed) or none[1]
        super().__init__(
            "illegal_transition",
            f"{what[0]}状态不能从“{zh_from}”改为“{zh_to}”；可改为：{zh_allowed}",
            f"{what[1]} cannot go from '{en_from}' to '{en_to}'; allowed: {en_allowed}",
            fields={"status": [field_message(f"不能从“{zh_from}”改为“{zh_to}”",
                                             f"cannot go from '{en_from}' to '{en_to}'")]},
            status=409,
        )
