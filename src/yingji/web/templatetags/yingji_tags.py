"""Template tags: the audit history of a record, bilingual messages, query-string helpers."""

from django import template
from django.utils import translation

from yingji.core.audit import ACTION_LABELS, history_for

register = template.Library()

EMPTY = {"None", "", "null"}


def _clean(value):
    return "—" if value is None or str(value) in EMPTY else value


def entry_changes(entry) -> list[dict]:
    """[{field, before, after}] with field labels and choice labels in the active language."""
    try:
        display = entry.changes_display_dict
    except Exception:  # a model removed since the entry was written: show the raw values
        display = entry.changes_dict
    raw = entry.changes_dict or {}
    rows = []
    for index, (name, values) in enumerate(display.items()):
        # A many-to-many change (core.audit ``audit_m2m``) is {"type": "m2m", "operation", "objects"}: show the
        # objects added as "after" and those removed as "before". changes_display_dict keeps changes_dict's order.
        change = list(raw.values())[index] if len(raw) == len(display) else None
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = "、".join(str(o) for o in change.get("objects") or []) or None
            before, after = (None, objects) if change.get("operation") == "add" else (objects, None)
        else:
            before, after = (values[0] if values else None), (values[1] if len(values) > 1 else None)
        rows.append({"field": str(name), "before": _clean(before), "after": _clean(after)})
    return rows


@register.filter
def action_label(entry) -> str:
    zh, en = ACTION_LABELS.get(entry.action, (str(entry.action), str(entry.action)))
    return en if (translation.get_language() or "").startswith("en") else zh


@register.filter
def changes(entry) -> list[dict]:
    return entry_changes(entry)


@register.inclusion_tag("web/_audit_history.html")
def audit_history(obj, limit=50):
    entries = list(history_for(obj)[:limit])
    return {"entries": entries, "limit": limit}


@register.simple_tag
def pick(message, message_en):
    return message_en if (translation.get_language() or "").startswith("en") else message


@register.simple_tag(takes_context=True)
def page_url(context, number):
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def bs(field):
    """Render a bound field's widget with Bootstrap classes (and is-invalid when it has errors)."""
    from django import forms

    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class")
    return field.as_widget(attrs={"class": f"{existing} {css}" if existing else css})


@register.filter
def is_checkbox(field) -> bool:
    from django import forms

    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def record_type(entry) -> str:
    model = entry.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else entry.content_type.model


@register.filter
def grouped(value):
    """12345678 → 12,345,678 (in every language; Django's zh-Hans format has no thousands separator)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (at least 1), for the lockout page."""
    try:
        return max(1, round(delta.total_seconds() / 60))
    except AttributeError:
        return ""
