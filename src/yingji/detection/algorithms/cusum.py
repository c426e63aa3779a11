"""CUSUM for Poisson counts as R ``surveillance::algo.cusum`` (1.20.3) computes it (Rossi et al. 1999).

The judged range is the last ``last`` points, or from column ``start`` (0-based) to the end (default: the
second half of the series). Everything before the range is the training period (R's definition), or only its
last ``training`` points if given (Yingji only: a daily national run need not read five years of history). The reference value ``m`` is

- ``m=None`` (default): the mean of the training counts (R: ``mean``; Yingji skips gaps, R would give NA);
- a number: that value;
- ``m="glm"``: a Poisson GLM ``log μ(t) = β0 + β1 cos(2πt/period) + β2 sin(2πt/period)`` fitted to the
  training counts, ``t`` = the 1-based index of the point in the series (R: ``start[2] + index - 1`` with
  ``start = c(year, 1)``), predicted for each judged point; ``period`` defaults to 52 (weeks).

Each judged count ``x`` is standardised by ``trans``: ``"standard"`` (x - m)/√m; ``"rossi"``
(x - 3m + 2√(xm))/(2√m); ``"anscombe"`` 3/2·(x^(2/3) - m^(2/3))/m^(1/6); ``"pearson_negbin"``
(x - m)/√(m + αm²); ``"none"`` x. Then ``S(t) = max(0, S(t-1) + z(t) - k)`` from ``S = 0`` before the range, and
**alarm when S(t) >= h** (R's rule; for ``standard`` it is the same as ``observed >= upper``, upper being
an integer). R does not reset ``S`` after an alarm; ``reset=True`` (Yingji only, default False) does.

Upper bound — the smallest count that alarms, given ``S(t-1)`` (R's formulas): ``standard``
``ceil(m + √m·(h + k - S(t-1)))``; ``rossi`` ``2(h+k-S)√m + 5m - 2√(4m² + 2m^(3/2)(h+k-S))``; ``anscombe``
``((2/3)m^(1/6)(h+k-S) + m^(2/3))^(3/2)`` (0 if the base is negative); ``pearson_negbin``
``√(m+αm²)(h+k-S) + m``; ``none`` ``h - S(t)``. As in R, a negative or undefined bound becomes 0.
Expected: ``m``. Defaults: ``k=1.04``, ``h=2.26``, ``alpha=0.1`` (R's).

A reference ``m = 0`` (no cases in training) leaves the standardised count undefined: R returns bound 0 and
alarm NA; Yingji does not judge those points (nan, alarm False) and names the series (``zero_reference``).
A gap in the range: Yingji does not judge the point and carries ``S`` over it unchanged (R propagates NA).
"""

from __future__ import annotations

import numpy as np

from . import register
from ._common import add_short_history, as_array, choice, empty, first_judged, integer, number
from ._glm import fit_poisson
from .base import DetectionResult, ParameterError, SeriesProblem, check_counts

TRANSFORMS = ("standard", "rossi", "anscombe", "pearson_negbin", "none")


def _standardise(x, m, trans, alpha):
    if trans == "standard":
        return (x - m) / np.sqrt(m)
    if trans == "rossi":
        return (x - 3 * m + 2 * np.sqrt(x * m)) / (2 * np.sqrt(m))
    if trans == "anscombe":
        return 1.5 * (x ** (2 / 3) - m ** (2 / 3)) / m ** (1 / 6)
    if trans == "pearson_negbin":
        return (x - m) / np.sqrt(m + alpha * m * m)
    return x


def _upper(m, previous, current, h, k, trans, alpha):
    c = h + k - previous
    if trans == "standard":
        return np.ceil(np.sqrt(m) * c + m)
    if trans == "rossi":
        return 2 * c * np.sqrt(m) + 5 * m - 2 * np.sqrt(4 * m * m + 2 * m ** 1.5 * c)
    if trans == "anscombe":
        base = (2 / 3) * m ** (1 / 6) * c + m ** (2 / 3)
        return np.where(base < 0, 0.0, np.abs(base) ** 1.5)
    if trans == "pearson_negbin":
        return np.sqrt(m + alpha * m * m) * c + m
    return h - current


def _glm_reference(values, start, length, period, offset):
    training = values[:, :start]
    t = np.arange(offset + 1, offset + length + 1, dtype=float)  # R's time index of each column
    design = np.column_stack([np.ones(length), np.cos(2 * np.pi / period * t), np.sin(2 * np.pi / period * t)])
    prior = (~np.isnan(training)).astype(float)
    fit = fit_poisson(design[:start], np.nan_to_num(training).T, prior.T)  # one column per series
    m = np.maximum(np.exp(design[start:] @ fit.coef.T).T, np.finfo(float).eps)  # series × judged
    return m, fit.converged


@register("cusum")
def detect(counts, k: float = 1.04, h: float = 2.26, m=None, trans: str = "standard", alpha: float = 0.1,
           period: int = 52, start: int | None = None, last: int | None = None,
           training: int | None = None, reset: bool = False) -> DetectionResult:
    k = number("k", k)
    h = number("h", h)
    alpha = number("alpha", alpha, minimum=0)
    choice("trans", trans, TRANSFORMS)
    period = integer("period", period, minimum=2)
    array = as_array(counts)
    series, length = array.shape
    if last is not None and start is not None:
        raise ParameterError("start 与 last 只能给出一个", "give either start or last, not both")
    if start is None:
        begin = first_judged(length, last) if last is not None else length // 2
    else:
        begin = integer("start", start, minimum=1, maximum=max(length - 1, 1))
    lo = 0 if training is None else max(0, begin - integer("training", training, minimum=1))
    values, problems = check_counts(array[:, lo:], copy=None)  # read only: the training period and the range
    result = empty(series, length - begin, begin, problems)
    usable = ~np.all(np.isnan(values), axis=1)
    if begin < 1 or begin >= length:
        add_short_history(problems, usable, result.judged, 2, "CUSUM", length, values)
        return result
    begin -= lo  # from here on an index into values
    judged_values = values[:, begin:]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if m is None:
            past = values[:, :begin]
            reference = past.sum(axis=1) / begin
            gaps = np.flatnonzero(np.isnan(reference))  # rows with a gap: the mean of the known values
            if gaps.size:
                known = ~np.isnan(past[gaps])
                reference[gaps] = np.where(known, past[gaps], 0.0).sum(axis=1) / known.sum(axis=1)
            reference = np.broadcast_to(reference[:, None], judged_values.shape)
        elif isinstance(m, str):
            choice("m", m, ("glm",))
            reference, converged = _glm_reference(values, begin, length - lo, period, lo)
            for row in np.flatnonzero(usable & ~converged):
                problems.append(SeriesProblem(int(row), "no_convergence", "参考值的泊松回归未收敛",
                                              "the Poisson regression for the reference value did not converge"))
        else:
            reference = np.full(judged_values.shape, number("m", m, minimum=0))
        z = _standardise(judged_values, reference, trans, alpha)
        columns = judged_values.shape[1]
        statistic = np.zeros((series, columns))
        previous = np.zeros(series)
        alarm = np.zeros((series, columns), dtype=bool)
        before = np.zeros((series, columns))
        for col in range(columns):
            before[:, col] = previous
            step = np.maximum(0.0, previous + z[:, col] - k)
            known = ~np.isnan(step)
            current = np.where(known, step, previous)
            alarm[:, col] = known & (current >= h)
            statistic[:, col] = current
            previous = np.where(alarm[:, col], 0.0, current) if reset else current
        upper = _upper(reference, before, statistic, h, k, trans, alpha)
        upper = np.where(np.isnan(upper) | (upper < 0), 0.0, upper)
    judged = ~np.isnan(judged_values) & ~np.isnan(z)
    if trans != "none":
        zero = reference == 0
        judged &= ~zero
        for row in np.flatnonzero(usable & np.any(zero, axis=1)):
            problems.append(SeriesProblem(int(row), "zero_reference",
                                          "参考值为零（训练期无病例），CUSUM 无法标准化，相应时间点未判断",
                                          "the reference value is zero (no cases in the training period): CUSUM "
                                          "cannot standardise, those points are not judged"))
    result.upper[:] = np.where(judged, upper, np.nan)
    result.expected[:] = np.where(judged, reference, np.nan)
    result.alarm[:] = alarm & judged
    add_short_history(problems, usable, result.judged, 2, "CUSUM", length, values)
    return result
