"""Messages in both languages. Chinese is the default; English is available to every message."""

from django.utils import translation
from django.utils.functional import lazy


def _pick(zh: str, en: str) -> str:
    language = translation.get_language() or "zh-hans"
    return en if language.startswith("en") else zh


bi = lazy(_pick, str)
"""``bi("中文", "English")``: a lazy string that renders in the active language (for validators, forms, models)."""


def both(message) -> tuple[str, str]:
    """(Chinese, English) renderings of a lazy or gettext message."""
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return zh, en


def form_errors(form) -> dict[str, list[dict[str, str]]]:
    """A bound form's errors as {field: [{message, message_en}]}; non-field errors under "__all__"."""
    result: dict[str, list[dict[str, str]]] = {}
    for name, errors in form.errors.as_data().items():
        for error in errors:
            for single in error.error_list:
                zh, en = (_render(single, language) for language in ("zh-hans", "en"))
                result.setdefault(name, []).append({"message": zh, "message_en": en})
    return result


def _render(error, language: str) -> str:
    with translation.override(language):
        text = str(error.message)
        return text % error.params if error.params else text
