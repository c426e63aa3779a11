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
