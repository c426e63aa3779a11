"""A signal's series for its chart: the counts of its region × disease (or fever-clinic figure) around the signal
date, with the expected value, the upper threshold and the alarms its method gives over the same days.

The method is re-run here over the series (pure numpy, one series: milliseconds) with the signal's own
parameters, so the chart shows what the method saw; the signal's stored observed/expected/upper are shown
beside it on the page. Counting is services.counts' (the very counts a run uses).
"""

from datetime import date, timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from ..algorithms import METHODS, ParameterError, run
from ..choices import CountBasis, Frequency, RegionLevel, Source

BEFORE_DAYS = 120  # shown before the signal date
AFTER_DAYS = 21  # shown after it (up to today)
DEFAULT_HISTORY_DAYS = 3 * 365 + 60


def _window_sum(counts: np.ndarray, width: int) -> np.ndarray:
    """The moving sum over the last ``width`` points, ending at each point (nan until enough points)."""
    out = np.full(counts.shape, np.nan)
    if width <= 1:
        return counts.copy()
    filled = np.nan_to_num(counts)
    csum = np.concatenate([[0.0], np.cumsum(filled)])
    out[width - 1:] = csum[width:] - csum[:-width]
    return out


def daily_counts(signal, start: date, end: date) -> np.ndarray:
    """Counts per day in [start, end] for the signal's series, as the detection run counts them
    (services.counts: live cards of the disease and its subtypes at the county of the patient's address, by onset
    or report date; fever-clinic figures with unreported days as gaps; public holidays as configured)."""
    from ..services import counts as count_service

    config = signal.config
    level = getattr(config, "region_level", None) or RegionLevel.COUNTY
    if signal.source == Source.FEVER_CLINIC:
        matrix = count_service.fever_counts(start, end, level=level)
        rows = matrix.rows_for([signal.measure])
    else:
        basis = getattr(config, "count_basis", None) or CountBasis.REPORT
        ids = [signal.disease_id, *signal.disease.subtypes.values_list("pk", flat=True)] if signal.disease_id else []
        matrix = count_service.card_counts(start, end, basis=basis, level=level, disease_ids=ids)
        rows = matrix.rows_for(ids)
    days = (end - start).days + 1
    values = rows.get(signal.region_id)
    if values is None:
        values = np.zeros(days) if signal.source == Source.CARDS else np.full(days, np.nan)
    mode = getattr(config, "holiday_mode", None)
    if mode:
        values = count_service.apply_holidays(values[np.newaxis, :], start, mode,
                                              count_service.holiday_days(start, end))[0]
    return values


def _pad(values: np.ndarray, length: int, fill) -> np.ndarray:
    """A result for the last k points (``offset`` = length − k) back to the full length."""
    values = np.asarray(values)
    if len(values) >= length:
        return values
    return np.concatenate([np.full(length - len(values), fill, dtype=values.dtype), values])


def chart_for(signal) -> dict:
    """The chart payload (see static/detection/charts.js, kind ``series``), or {"problem": text}."""
    config = signal.config
    today = timezone.localdate()
    end = min(signal.signal_date + timedelta(days=AFTER_DAYS), today)
    end = max(end, signal.signal_date)
    shown_from = signal.signal_date - timedelta(days=BEFORE_DAYS)
    history = getattr(config, "history_days", None) or DEFAULT_HISTORY_DAYS
    start = shown_from - timedelta(days=history)
    counts = daily_counts(signal, start, end)
    weekly = bool(config is not None and config.frequency == Frequency.WEEKLY) or signal.method == "farrington_flexible"
    labels = {"observed": _("Observed"), "expected": _("Expected"), "upper": _("Threshold"),
              "alarm": _("Alarm"), "signal": _("This signal")}
    params = dict(signal.params or {})
    if weekly:
        from ..services.counts import weekly as to_weeks

        matrix, dates = to_weeks(counts[np.newaxis, :], start)
        counts = matrix[0]
    else:
        dates = [start + timedelta(days=i) for i in range(len(counts))]
    observed = counts
    expected = upper = np.full(counts.shape, np.nan)
    alarm = np.zeros(counts.shape, dtype=bool)
    problem = None
    if signal.method in METHODS:
        try:
            result = run(signal.method, counts[np.newaxis, :], **params)
        except ParameterError as exc:
            problem = (exc.message, exc.message_en)
        except Exception as exc:  # the page still shows the counts
            problem = ("无法重算该方法的阈值", f"the method could not be re-run: {exc}")
        else:
            expected, upper, alarm = (_pad(result.expected[0], len(counts), np.nan),
                                      _pad(result.upper[0], len(counts), np.nan),
                                      _pad(result.alarm[0], len(counts), False))
            if getattr(result, "observed", None) is not None:
                observed = np.asarray(result.observed)[0]
            elif signal.method == "cidars_mpm":
                width = int(params.get("window", params.get("current_days", 7)) or 7)
                observed = _window_sum(counts, width)
                labels["observed"] = _("Count of the last %(days)s days") % {"days": width}
    else:
        problem = ("该方法不可用，仅显示计数", "the method is not available: counts only")
    first = next((i for i, d in enumerate(dates) if d >= shown_from), 0)
    signal_point = signal.signal_date
    if weekly:  # the week (ending on Sunday) that holds the signal date
        signal_point = signal.signal_date + timedelta(days=6 - signal.signal_date.weekday())

    def clean(values):
        return [None if v is None or np.isnan(v) else round(float(v), 3) for v in values[first:]]

    return {
        "dates": [d.isoformat() for d in dates[first:]],
        "observed": clean(np.asarray(observed, dtype=float)),
        "expected": clean(np.asarray(expected, dtype=float)),
        "upper": clean(np.asarray(upper, dtype=float)),
        "alarms": [d.isoformat() for d, a in zip(dates[first:], alarm[first:], strict=False) if a],
        "signal_date": signal_point.isoformat(),
        "weekly": weekly,
        "labels": labels,
        "problem": problem,
    }
