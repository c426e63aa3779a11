"""Template filters of the surveillance pages."""

from django import template

register = template.Library()


@register.filter
def pct(value, scale=1):
    """A rate as a percentage with one decimal: 0.9634 → "96.3%" (``scale=100`` when the value is in percent
    already); None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value) * (100 / float(scale or 1))
    except (TypeError, ValueError):
        return value
    return f"{number:.1f}%"


@register.filter
def rate_css(value, scale=1):
    """Bootstrap text colour for a rate: ≥ 95 % green, ≥ 80 % amber, else red."""
    if value is None:
        return "text-body-secondary"
    number = float(value) * (100 / float(scale or 1))
    if number >= 95:
        return "text-success"
    if number >= 80:
        return "text-warning-emphasis"
    return "text-danger"
