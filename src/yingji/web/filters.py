"""What list filters share: applying the valid fields to a queryset, and a checked date range with a default."""

from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _


class FilterForm(forms.Form):
    """A list's filter. ``lookups`` maps a field to the queryset lookup its value filters on, or to a function
    ``(queryset, value) -> queryset``; empty values filter nothing; an unbound form shows everything, an invalid
    one nothing (a refused value must not widen the list)."""

    lookups: dict[str, str | Callable] = {}

    def apply(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        for name, lookup in self.lookups.items():
            value = self.cleaned_data.get(name)
            if value in (None, "", False) or value == []:
                continue
            qs = lookup(qs, value) if callable(lookup) else qs.filter(**{lookup: value})
        return qs


class DateRangeMixin:
    """``date_from`` ≤ ``date_to`` (the error on ``date_from``), and :meth:`period`: the range asked for, or the last
    ``default_days`` days up to today (Beijing time)."""

    default_days = 30

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", _("The start date must not be after the end date."))
        return cleaned

    def period(self) -> tuple[date, date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("date_to") or timezone.localdate()
        start = data.get("date_from") or end - timedelta(days=self.default_days - 1)
        return start, end
