"""Farrington flexible (Noufaily et al. 2013) for weekly counts, as R ``surveillance::farringtonFlexible`` (1.20.3)
computes it on a series indexed by week number (R's ``epochAsDate = FALSE``, ``freq`` weeks a year).

For each judged week ``t`` (0-based here; R's week number is ``t + 1``):

1. Reference data: for each of the ``b`` previous years ``i`` the weeks ``t - i·freq ± w``. With
   ``no_periods > 1`` the weeks between two reference windows are cut into ``no_periods - 1`` blocks of
   (almost) equal length, the remainder going to the first blocks, each a level of a seasonal factor; the
   reference windows (and the current one) are level ``no_periods``. The current week and the
   ``past_weeks_not_included`` weeks before it (default ``w``) are left out; so are gaps.
2. A quasi-Poisson GLM, log link: ``log μ = β0 (+ β1·week) (+ seasonal factor)`` fitted by IRLS exactly as R's
   ``glm`` (see ``_glm``). If the model with a trend does not converge it is refitted without; if that fails
   the week is not judged (problem ``no_convergence``). Dispersion ``φ = max(Pearson χ²/df, 1)``.
3. ``reweight`` (default True): Anscombe residuals ``s = 3/2·(y^(2/3)·μ^(-1/6) - μ^(1/2)) / √(φ(1 - h))`` (``h``
   the leverages); weights ``γ·s⁻²`` where ``s > weights_threshold`` (2.58), else ``γ``, with ``γ`` making them
   average 1; the model is refitted with these weights and ``φ`` recomputed.
4. Trend: kept only if ``b >= 3``, the trend coefficient's t-test p-value is below ``p_threshold_trend`` (0.05)
   and the prediction does not exceed the largest reference count; otherwise steps 2-3 are repeated without it.
5. Prediction for week ``t`` (factor level ``no_periods``) with its standard error. As in R (``predict.glm`` and
   ``summary.glm`` read the model's ``weights``, which R's code replaces by the reweighting weights), the
   dispersion used for the standard error and the trend test is ``Σ ω·((y - μ)/μ)² / df`` when reweighting,
   the Pearson dispersion otherwise. Yingji follows R here so that bounds agree.
6. Upper bound, ``threshold_method``:
   - ``"delta"`` (default, Farrington 1996): with ``μ0`` the prediction, ``τ = φ + se²/μ0`` and the power
     transformation ``powertrans`` ("2/3" default, "1/2", "none"), ``U = (μ0^e + z·σ)^(1/e)`` with
     ``σ² = 4/9·μ0^(1/3)·τ`` (2/3), ``τ/4`` (1/2), ``μ0·τ`` (none), ``z`` the ``1 - alpha`` normal quantile;
   - ``"nbPlugin"``: the ``1 - alpha`` quantile of a negative binomial with mean ``exp(η0)`` and variance
     ``φ·mean`` (Poisson if ``φ = 1``);
   - ``"muan"``: the same with mean ``exp(η0 + z·se(η0))``.
   Expected: ``μ0`` (``exp(η0)`` for the last two).

Alarm rule (R's): score ``X = (y - fit)/(U - fit) > 1`` and ``y > 0`` and at least ``limit54[0]`` cases in the last
``limit54[1]`` weeks (the current one included) — for ``delta`` this is ``y > U``. (R computes the score with the
fit on the link scale for nbPlugin/muan; so does Yingji.) Where the ``limit54`` rule fails R reports no bound;
Yingji reports the bound (for the chart) and never alarms there.

``population`` (optional; series × weeks, or anything that broadcasts to it): R's ``populationOffset = TRUE`` —
``log(population)`` enters the model as an offset and the prediction uses the current week's population.

Weeks before ``b·freq + w`` have too little history and are not judged.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import nbinom, poisson
from scipy.stats import t as student_t

from . import register
from ._common import add_short_history, as_array, choice, empty, first_judged, gather_columns, integer, number
from ._glm import fit_poisson, two_thirds, ylogy
from .base import DetectionResult, ParameterError, SeriesProblem, check_counts

THRESHOLD_METHODS = ("delta", "nbPlugin", "muan")
POWERS = {"2/3": 2 / 3, "1/2": 1 / 2, "none": 1.0}
BATCH_VALUES = 100_000  # series × reference weeks per batch: small enough to stay in the CPU cache


def block_labels(t: int, b: int, w: int, freq: int, no_periods: int, past_weeks_not_included: int) -> np.ndarray:
    """Seasonal-factor level of each week up to ``t`` (0 = not used) as R's ``blocks`` assigns them."""
    labels = np.zeros(t + 1, dtype=np.int64)
    labels[t - w:t + 1] = no_periods
    references = [t - i * freq for i in range(b + 1)]
    for i in range(1, b + 1):
        ref = references[i]
        labels[ref - w:ref + w + 1] = no_periods
        if no_periods != 1:
            period = references[i - 1] - 2 * w - 1 - ref
            if period < no_periods - (2 * w + 1):
                raise ParameterError("季节因子的水平数过多", "too many seasonal periods (no_periods) for the gap "
                                     "between reference windows")
            size, rest = divmod(period, no_periods - 1)
            lengths = np.full(no_periods - 1, size)
            lengths[:rest] += 1
            edges = ref + w + 1 + np.concatenate([[0], np.cumsum(lengths)])
            for j in range(no_periods - 1):
                labels[edges[j]:edges[j + 1]] = j + 1
    labels[max(t - past_weeks_not_included, 0):t + 1] = 0
    return labels


def _design(t: int, labels: np.ndarray, trend: bool):
    """Rows used, design with trend, design without, and the prediction rows for week t."""
    rows = np.flatnonzero(labels > 0)
    levels = np.unique(labels[rows])
    columns = [np.ones(len(rows))]
    x0 = [1.0]
    if trend:
        columns.append(rows + 1.0)  # R's week number
        x0.append(t + 1.0)
    for level in levels[1:]:  # treatment contrasts, first level the reference
        columns.append((labels[rows] == level).astype(float))
        x0.append(1.0 if level == levels[-1] else 0.0)
    return rows, np.column_stack(columns), np.array(x0)


def _dispersion(fit, y, weights=None):
    return fit.pearson_dispersion(y, weights)


def _fit(X, y, mask, reweight, threshold, offset=None, y_log_y=None, y_two_thirds=None):
    """R's fitGLM.flexible for a batch sharing one design; ``y``, ``mask``, ``offset`` are (rows, series) as
    ``_glm`` takes them. Returns fit, phi, prediction dispersion, ok. ``y_log_y``, ``y_two_thirds``: y·log y
    and y^(2/3), when the caller has them already."""
    prior = mask.astype(float)
    fit = fit_poisson(X, y, prior, offset, y_log_y)
    dispersion = _dispersion(fit, y)
    phi = np.maximum(dispersion, 1.0)
    if reweight:
        hat = fit.hat
        hat[hat > 1 - 10 * np.finfo(float).eps] = 1.0
        if y_two_thirds is None:
            y_two_thirds = np.cbrt(y * y)
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(fit.mu)
            s = 1.5 * (y_two_thirds * fit.mu_power(-1 / 6) - root) / np.sqrt(phi[None, :] * (1 - hat))
            large = mask & (s > threshold)
            inverse = np.where(large, 1.0 / (s * s), 1.0)
            gamma = mask.sum(axis=0) / np.sum(np.where(mask, inverse, 0.0), axis=0)
            omega = np.where(mask, gamma[None, :] * inverse, 0.0)
        refit = fit_poisson(X, y, omega, offset, y_log_y)
        phi = np.maximum(_dispersion(refit, y), 1.0)
        dispersion = _dispersion(refit, y, omega)  # R: summary.glm reads model$weights, replaced by omega
        return refit, phi, dispersion, fit.converged
    return fit, phi, dispersion, fit.converged


def _predict(fit, x0, dispersion, offset_now=None):
    eta = fit.coef @ x0 + (0.0 if offset_now is None else offset_now)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.einsum("p,bpq,q->b", x0, fit.cov_unscaled, x0) * dispersion)
    return eta, se


def _flexible(X_trend, X_plain, x0_trend, x0_plain, y, mask, *, trend, reweight, threshold, b, p_trend,
              offset=None, offset_now=None):
    """One judged week for a batch of series (``y``, ``mask``, ``offset``: rows × series). Returns eta0, se(eta0),
    phi, trend used, ok."""
    batch = y.shape[1]
    eta = np.full(batch, np.nan)
    se = np.full(batch, np.nan)
    phi = np.full(batch, np.nan)
    used_trend = np.zeros(batch, dtype=bool)
    ok = np.zeros(batch, dtype=bool)
    plain = np.ones(batch, dtype=bool)
    y_log_y = ylogy(y)  # shared by the four fits below
    y_two_thirds = two_thirds(y)
    if trend:
        fit, phi_t, disp_t, converged = _fit(X_trend, y, mask, reweight, threshold, offset, y_log_y, y_two_thirds)
        eta_t, se_t = _predict(fit, x0_trend, disp_t, offset_now)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # diverged fit: exp → inf, dropped
            coef_se = np.sqrt(fit.cov_unscaled[:, 1, 1] * disp_t)
            p_value = 2 * student_t.cdf(-np.abs(fit.coef[:, 1] / coef_se), np.maximum(fit.df_residual, 1))
            largest = np.max(np.where(mask, y, -np.inf), axis=0)
            keep = converged & (b >= 3) & (p_value < p_trend) & (np.exp(eta_t) <= largest)
        eta[keep], se[keep], phi[keep] = eta_t[keep], se_t[keep], phi_t[keep]
        used_trend[keep] = ok[keep] = True
        plain = ~keep
    if plain.any():
        idx = np.flatnonzero(plain)
        fit, phi_p, disp_p, converged = _fit(X_plain, y[:, idx], mask[:, idx], reweight, threshold,
                                             None if offset is None else offset[:, idx], y_log_y[:, idx],
                                             y_two_thirds[:, idx])
        eta_p, se_p = _predict(fit, x0_plain, disp_p, None if offset_now is None else offset_now[idx])
        eta[idx], se[idx], phi[idx] = eta_p, se_p, phi_p
        ok[idx] = converged
    return eta, se, phi, used_trend, ok


def _upper_delta(mu0, se_response, phi, z, power):
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = phi + se_response ** 2 / mu0
        if power == 1.0:
            sigma = np.sqrt(mu0 * tau)
        elif power == 0.5:
            sigma = np.sqrt(tau / 4)
        else:
            sigma = np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau)
        a = (mu0 ** power - z * sigma) ** (1 / power)
        c = (mu0 ** power + z * sigma) ** (1 / power)
    # R sorts the two ends with NA first and takes the second as the upper bound.
    return np.where(np.isnan(a), c, np.where(np.isnan(c), a, np.maximum(a, c)))


def _upper_noufaily(eta0, se_link, phi, alpha, z, method):
    with np.errstate(over="ignore", invalid="ignore"):
        mean = np.exp(eta0) if method == "nbPlugin" else np.exp(eta0 + z * se_link)
    upper = np.full(eta0.shape, np.nan)
    finite = np.isfinite(mean)
    negbin = finite & (phi > 1)
    upper[negbin] = nbinom.ppf(1 - alpha, mean[negbin] / (phi[negbin] - 1), 1 / phi[negbin])
    pois = finite & ~(phi > 1)
    upper[pois] = poisson.ppf(1 - alpha, mean[pois])
    return upper


def _plan(length: int, start: int, b: int, w: int, freq: int, no_periods: int, past: int, limit_weeks: int):
    """The weeks judged, each one's designs, and the weeks read: only those the models and the limit54 rule use
    (sorted); all weeks when none is judged (a short series is still checked whole)."""
    weeks_judged = range(max(start, b * freq + w), length)
    designs = {}
    read = set()
    for t in weeks_judged:
        labels = block_labels(t, b, w, freq, no_periods, past)
        rows, X_trend, x0_trend = _design(t, labels, True)
        _, X_plain, x0_plain = _design(t, labels, False)
        designs[t] = (rows, X_trend, x0_trend, X_plain, x0_plain)
        read.update(rows.tolist())
        read.update(range(max(t - limit_weeks + 1, 0), t + 1))
    columns_read = np.array(sorted(read), dtype=np.int64) if read else np.arange(length)
    return weeks_judged, designs, columns_read


def weeks_read(length: int, *, b: int = 5, w: int = 3, freq: int = 52, no_periods: int = 1,
               past_weeks_not_included: int | None = None, limit54=(5, 4), last: int | None = None) -> np.ndarray:
    """The week columns :func:`detect` reads of a series ``length`` weeks long with these parameters. A caller
    that builds weekly sums from daily counts needs to sum only these weeks (the others may hold anything)."""
    past = w if past_weeks_not_included is None else int(past_weeks_not_included)
    return _plan(length, first_judged(length, last), int(b), int(w), int(freq), int(no_periods), past,
                 int(limit54[1]))[2]


@register("farrington_flexible")
def detect(counts, b: int = 5, w: int = 3, reweight: bool = True, weights_threshold: float = 2.58,
           alpha: float = 0.05, trend: bool = True, p_threshold_trend: float = 0.05, limit54=(5, 4),
           powertrans: str = "2/3", no_periods: int = 1, past_weeks_not_included: int | None = None,
           threshold_method: str = "delta", freq: int = 52, population=None,
           last: int | None = None) -> DetectionResult:
    freq = integer("freq", freq, minimum=4, maximum=53)
    b = integer("b", b, minimum=1, maximum=20)
    w = integer("w", w, minimum=0, maximum=freq // 2 - 1)
    weights_threshold = number("weights_threshold", weights_threshold, minimum=0, strict_minimum=True)
    alpha = number("alpha", alpha, minimum=0, maximum=1, strict_minimum=True, strict_maximum=True)
    p_threshold_trend = number("p_threshold_trend", p_threshold_trend, minimum=0, maximum=1)
    choice("powertrans", powertrans, tuple(POWERS))
    choice("threshold_method", threshold_method, THRESHOLD_METHODS)
    no_periods = integer("no_periods", no_periods, minimum=1, maximum=freq - 2 * w - 1)
    past = w if past_weeks_not_included is None else integer("past_weeks_not_included",
                                                                 past_weeks_not_included, minimum=0,
                                                                 maximum=freq - 1)
    try:
        cases, weeks = (int(limit54[0]), int(limit54[1]))
    except (TypeError, ValueError, IndexError):
        raise ParameterError("limit54 须为（病例数, 周数）", "limit54 must be (cases, weeks)") from None
    if cases < 0 or weeks <= 0:
        raise ParameterError("limit54 超出范围：病例数 ≥ 0，周数 > 0",
                             "limit54 out of bounds: cases >= 0 and weeks > 0")
    array = as_array(counts)
    series, length = array.shape
    start = first_judged(length, last)
    weeks_judged, designs, columns_read = _plan(length, start, b, w, freq, no_periods, past, weeks)
    values, problems = check_counts(gather_columns(array, columns_read), copy=False)
    log_population = None
    if population is not None:
        try:
            full = np.broadcast_to(np.asarray(population, dtype=float), array.shape)
        except (TypeError, ValueError):
            raise ParameterError("人口数须与计数同形（序列 × 时间），或可按其广播",
                                 "population must have the shape of counts (series × time) or broadcast to it") from None
        read_population = gather_columns(full, columns_read)
        if not np.all(np.isfinite(read_population) & (read_population > 0)):
            raise ParameterError("人口数须为正数", "population values must be positive numbers")
        log_population = np.log(read_population)
    result = empty(series, length - start, start, problems)
    usable = ~np.all(np.isnan(values), axis=1)
    z = float(ndtri(1 - alpha))
    power = POWERS[powertrans]
    failed = np.zeros(series, dtype=bool)
    by_week = np.ascontiguousarray(values.T)  # weeks read × series: the models take one column per series
    for t in weeks_judged:
        rows, X_trend, x0_trend, X_plain, x0_plain = designs[t]
        positions = np.searchsorted(columns_read, rows)
        y_all = by_week[positions]
        mask_all = ~np.isnan(y_all)
        live = np.flatnonzero(usable & (mask_all.sum(axis=0) > X_trend.shape[1]))
        per_batch = max(1, BATCH_VALUES // len(rows))
        for lo in range(0, len(live), per_batch):
            idx = live[lo:lo + per_batch]
            pick = slice(int(idx[0]), int(idx[-1]) + 1) if idx[-1] - idx[0] + 1 == len(idx) else idx
            mask = mask_all[:, pick]
            y = np.where(mask, y_all[:, pick], 0.0)
            now = int(np.searchsorted(columns_read, t))
            offset = offset_now = None
            if log_population is not None:  # R's populationOffset: log(population) as an offset
                offset, offset_now = log_population[idx][:, positions].T, log_population[idx, now]
            eta, se, phi, _, ok = _flexible(
                X_trend, X_plain, x0_trend, x0_plain, y, mask, trend=trend, reweight=reweight,
                threshold=weights_threshold, b=b, p_trend=p_threshold_trend, offset=offset, offset_now=offset_now)
            failed[idx[~ok]] = True
            observed = values[idx, now]
            if threshold_method == "delta":
                fit = np.maximum(np.exp(eta), np.finfo(float).eps)
                upper = _upper_delta(fit, se * fit, phi, z, power)
                expected = fit
            else:
                fit = eta
                upper = _upper_noufaily(eta, se, phi, alpha, z, threshold_method)
                expected = np.exp(eta)
            with np.errstate(invalid="ignore", divide="ignore"):
                score = (observed - fit) / (upper - fit)
                recent = values[idx, int(np.searchsorted(columns_read, max(t - weeks + 1, 0))):now + 1]
                enough = np.sum(recent, axis=1) >= cases  # nan (a gap) compares False, as R's NA
                alarm = ok & enough & (score > 1) & (observed != 0)
            column = t - start
            result.upper[idx, column] = np.where(ok, upper, np.nan)
            result.expected[idx, column] = np.where(ok & ~np.isnan(upper), expected, np.nan)
            result.alarm[idx, column] = alarm
    for row in np.flatnonzero(failed):
        problems.append(SeriesProblem(int(row), "no_convergence", "部分周的回归模型未收敛，这些周未判断",
                                      "the regression did not converge for some weeks; those weeks are not judged"))
    add_short_history(problems, usable, result.judged, b * freq + w + 1, "Farrington flexible", length, values)
    return result
