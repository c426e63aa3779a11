"""A signal's chart payload (static/detection/charts.js, kind ``series``) from services.signals.series_for: the
observed counts of its series up to the signal's last alarm and a week after (up to today), with the expected value, the upper threshold and the alarms
its method gives, recomputed with the signal's own parameters from the current counts.

The moving percentile method judges the count of the last ``window`` days, so for it the chart shows that moving
sum (the quantity compared with the threshold) rather than the daily counts."""

from copy import copy
from datetime import timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Frequency
from ..services.signals import series_for

SHOWN = 120  # days (or weeks) shown
AFTER = 7  # days shown after the last alarm


def _window_sum(values: list, width: int) -> list:
    """The moving sum over the last ``width`` points, ending at each point (None until enough points)."""
    counts = np.array([np.nan if v is None else v for v in values], dtype=float)
    out = [None] * len(counts)
    for i in range(width - 1, len(counts)):
        window = counts[i - width + 1: i + 1]
        if not np.isnan(window).all():
            out[i] = float(np.nansum(window))
    return out


def chart_for(signal) -> dict:
    params = signal.params or {}
    mpm = signal.method == "cidars_mpm"
    width = int(params.get("window", 7) or 7) if mpm else 1
    # Shown through the signal's last alarm (later alarms of the series join it) and a week after, up to today:
    # the service draws the series up to a signal's date, so it is asked for a copy dated at that end.
    last = max(signal.signal_date, getattr(signal, "last_alarm_date", None) or signal.signal_date)
    through = copy(signal)
    through.signal_date = max(signal.signal_date, min(timezone.localdate(), last + timedelta(days=AFTER)))
    data = series_for(through, days=SHOWN + width - 1)
    labels = {"observed": _("Observed"), "expected": _("Expected value"), "upper": _("Threshold"),
              "alarm": _("Alarm"), "signal": _("This signal")}
    observed = data["observed"]
    if mpm and width > 1:
        observed = _window_sum(observed, width)
        labels["observed"] = _("Count of the last %(days)s days") % {"days": width}
    cut = max(0, len(data["dates"]) - SHOWN)
    minimum = signal.config.min_cases if signal.config else 1  # a signal needs at least this count
    dates = data["dates"][cut:]
    weekly = bool(signal.config and signal.config.frequency == Frequency.WEEKLY)
    # a weekly signal is marked at the end (Sunday) of its week
    point = next((d for d in dates if d >= signal.signal_date), signal.signal_date) if weekly else signal.signal_date
    problem = data.get("problem")

    def rounded(values):
        return [None if v is None else round(v, 3) for v in values[cut:]]

    return {
        "dates": [d.isoformat() for d in dates],
        "observed": rounded(observed),
        "expected": rounded(data["expected"]),
        "upper": rounded(data["upper"]),
        "alarms": [d.isoformat() for d, a, n in zip(dates, data["alarm"][cut:], observed[cut:], strict=False)
                   if a and n is not None and n >= minimum],
        "signal_date": point.isoformat(),
        "weekly": weekly,
        "labels": labels,
        "problem": (problem["message"], problem["message_en"]) if problem else None,
    }
