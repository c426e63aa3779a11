"""Batched Poisson / quasi-Poisson GLM with a log link, fitted by iteratively reweighted least squares.

Many small models share one design: ``X`` is (n, p); ``y``, ``prior`` and ``offset`` are (n, batch) — one
column per series, so that every elementwise step and every sum over the rows runs along long contiguous rows
(the other layout made numpy loop over rows of 20-odd values). Rows with ``prior == 0`` (gaps, padding) take
no part in the fit, the residual degrees of freedom or the dispersion.

The iteration follows the textbook IRLS scheme in the form R's ``glm.fit`` documents, so that fits agree with
R's to rounding: start at ``mu = y + 0.1``, at most 25 iterations, stop when the relative change of the deviance
``|dev - dev_old| / (|dev| + 0.1)`` falls below 1e-8. As in R, the working weights, the QR factor (hence
the unscaled covariance and the hat values) are those of the last least-squares step, and the fitted means are
those after it. Each weighted least-squares step solves the normal equations (stacked; the designs are small
and well scaled, and the results agree with R's QR-based ones to about 1e-12).

numpy's float64 exp, log and cbrt are scalar code on CPUs without AVX-512 (about 10 ns a value): computing
``exp(Xβ)`` row by row was most of the fitting time. Counts' logarithms and powers are looked up in tables, and
for Farrington's designs (intercept, week numbers in runs, 0/1 factor levels) ``exp(Xβ)`` is a few exp calls
per series and products (``_ExpOfDesign``); an intercept-only model iterates on one number per series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EPS = np.finfo(float).eps
LOG_EPS = float(np.log(EPS))
MAX_ITERATIONS = 25
EPSILON = 1e-8
SAFE_LOG = 230.0  # factors within e^±230: a product of up to four of them cannot overflow or underflow early


@dataclass
class GlmFit:
    coef: np.ndarray  # (batch, p)
    mu: np.ndarray  # (n, batch) fitted means (rows with prior == 0: the model's value, irrelevant)
    working_weights: np.ndarray  # (n, batch) weights of the last least-squares step (0 outside the fit)
    cov_unscaled: np.ndarray  # (batch, p, p) (X' W X)^-1
    df_residual: np.ndarray  # (batch,) int
    converged: np.ndarray  # (batch,) bool
    outer: np.ndarray  # (n, p·p) x_i x_i' per row of the design, for the leverages
    exp_of: object = None  # _ExpOfDesign of the design when usable and there is no offset (see mu_power)

    @property
    def hat(self) -> np.ndarray:
        """(n, batch) leverages; computed on demand (only the reweighting step reads them)."""
        batch, p = self.coef.shape
        if not p:
            return np.zeros_like(self.mu)
        return self.working_weights * (self.outer @ self.cov_unscaled.reshape(batch, p * p).T)

    def mu_power(self, power: float) -> np.ndarray:
        """μ^power (Farrington's Anscombe residuals need μ^(-1/6)): from the coefficients with few exp calls
        when the design allows it (μ = exp(Xβ) where not clipped at eps), else elementwise."""
        if self.exp_of is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                return self.mu ** power
        values, risky = self.exp_of(self.coef.T * power)
        if self.mu.size:
            risky |= np.any(self.mu <= EPS, axis=0)
        if risky.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                values[:, risky] = self.mu[:, risky] ** power
        return values

    def pearson_dispersion(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of weights × working residual² over the residual degrees of freedom (nan if none).

        With the working weights this is the Pearson χ²/df of a quasi-Poisson fit. (Rows outside the fit have
        weight 0 and a finite residual: μ ≥ eps.)"""
        w = self.working_weights if weights is None else np.where(weights > 0, weights, 0.0)
        residual = y - self.mu
        residual /= self.mu
        residual *= residual
        residual *= w
        total = residual.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.df_residual > 0, total / np.maximum(self.df_residual, 1), np.nan)


def _table(values: np.ndarray, shift: float, fn) -> np.ndarray | None:
    """``fn(values + shift)`` looked up in a table when the values are small non-negative integers (counts),
    else None. Exactly the values fn computes: the table holds fn of each integer."""
    if values.size == 0:
        return None
    top = values.max()
    if not (0 <= values.min() and top < 65536) or not np.array_equal(values, np.floor(values)):
        return None
    table = fn(np.arange(int(top) + 1, dtype=float) + shift)
    return table[values.astype(np.int32)]


def two_thirds(y):
    """y^(2/3) (R's Anscombe residuals), looked up for counts."""
    table = _table(y, 0.0, lambda v: np.cbrt(v * v))
    return np.cbrt(y * y) if table is None else table


def ylogy(y):
    """y·log(y), 0 at y = 0: a term of the Poisson deviance, computed once for every fit to the same counts."""
    table = _table(y, 0.0, lambda v: v * np.log(np.where(v > 0, v, 1.0)))
    if table is not None:
        return table
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)


class _ExpOfDesign:
    """``exp(X c)`` for a batch of coefficient vectors (c: p × batch) when the design is made of constant columns
    (intercept), at most one integer column in runs of consecutive values of equal length (Farrington's week
    numbers: the reference windows) and 0/1 columns (seasonal factor levels): per series one exp per run and
    one for the slope, the rest products. It agrees with ``exp(X c)`` to a few units in the last place; series
    whose factors leave e^±230 are flagged for ``exp`` itself. ``usable`` is False for any other design."""

    def __init__(self, X: np.ndarray):
        n, p = X.shape
        self.n = n
        self.constant, self.binary, self.trend = [], [], None
        self.usable = n > 0
        for k in range(p):
            column = X[:, k]
            if np.all(column == column[0]):
                self.constant.append((k, float(column[0])))
            elif np.all((column == 0) | (column == 1)):
                self.binary.append((k, np.flatnonzero(column == 1)))
            elif self.trend is None and np.array_equal(column, np.round(column)):
                breaks = np.flatnonzero(np.diff(column) != 1) + 1
                starts = np.concatenate([[0], breaks])
                lengths = np.diff(np.concatenate([starts, [n]]))
                if not np.all(lengths == lengths[0]):
                    self.usable = False
                    return
                self.trend = (k, column[starts], int(lengths[0]))
            else:
                self.usable = False
                return

    def __call__(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(exp(X c) as (n, batch), series whose factors were out of the safe range and must be recomputed)."""
        batch = c.shape[1]
        log_scale = np.zeros(batch)
        for k, value in self.constant:
            log_scale += c[k] * value
        if self.trend is not None:
            k, starts, length = self.trend
            slope = c[k]
            log_start = log_scale[None, :] + starts[:, None] * slope[None, :]  # (runs, batch)
            powers = np.empty((length, batch))  # r^0 … r^(L-1), r = e^slope
            powers[0] = 1.0
            if length > 1:
                np.exp(slope, out=powers[1])
                for j in range(2, length):
                    np.multiply(powers[j - 1], powers[1], out=powers[j])
            mu = (np.exp(log_start)[:, None, :] * powers[None, :, :]).reshape(self.n, batch)
            large = max(float(np.abs(log_start).max(initial=0.0)), float(np.abs(slope).max(initial=0.0)) * length)
            risky = ((np.abs(log_start) > SAFE_LOG).any(axis=0) | (np.abs(slope) * length > SAFE_LOG)
                     if large > SAFE_LOG else np.zeros(batch, dtype=bool))
        else:
            mu = np.repeat(np.exp(log_scale)[None, :], self.n, axis=0)
            risky = np.abs(log_scale) > SAFE_LOG
        for k, rows in self.binary:
            mu[rows] *= np.exp(c[k])[None, :]
            risky |= np.abs(c[k]) > SAFE_LOG
        return mu, risky


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Stacked A c = b with A (p·p, batch) flattened symmetric matrices, b (p, batch); returns (p, batch).
    1 × 1 and 2 × 2 in closed form; a singular A gets a least-norm answer."""
    p = b.shape[0]
    if p == 1 and np.all(a[0] > 0):
        return b / a[0]
    if p == 2:
        det = a[0] * a[3] - a[1] * a[2]
        if np.all(det > 0):
            return np.stack([(a[3] * b[0] - a[1] * b[1]) / det, (a[0] * b[1] - a[2] * b[0]) / det])
    stacked = np.ascontiguousarray(a.T).reshape(-1, p, p)
    try:
        return np.linalg.solve(stacked, b.T[:, :, None])[:, :, 0].T
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ai) @ bi for ai, bi in zip(stacked, b.T, strict=True)]).T


def _inverse(a: np.ndarray) -> np.ndarray:
    """(batch, p, p) from flattened (p·p, batch) matrices."""
    p = math.isqrt(a.shape[0])
    stacked = np.ascontiguousarray(a.T).reshape(-1, p, p)
    if p == 1 and np.all(stacked[:, 0, 0] > 0):
        return 1.0 / stacked
    if p == 2:
        det = a[0] * a[3] - a[1] * a[2]
        if np.all(det > 0):
            inverse = np.empty_like(stacked)
            inverse[:, 0, 0] = a[3] / det
            inverse[:, 1, 1] = a[0] / det
            inverse[:, 0, 1] = -a[1] / det
            inverse[:, 1, 0] = -a[2] / det
            return inverse
    try:
        return np.linalg.inv(stacked)
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ai) for ai in stacked])


def fit_poisson(X: np.ndarray, y: np.ndarray, prior: np.ndarray, offset: np.ndarray | None = None,
                y_log_y: np.ndarray | None = None) -> GlmFit:
    """Fit every series (column) of the batch to the one design ``X`` (n, p); ``y``, ``prior`` and ``offset`` (a
    known term added to the linear predictor, e.g. log population; R's ``offset()``) are (n, batch). ``y_log_y``:
    :func:`ylogy` of ``y`` if the caller has it already (several fits to the same counts)."""
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    batch = y.shape[1]
    outer = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)  # x_i x_i' per row, flattened
    outer_t = np.ascontiguousarray(outer.T)
    xt = np.ascontiguousarray(X.T)
    inside = prior > 0
    prior = np.where(inside, prior, 0.0)
    y = np.where(inside, y, 0.0)
    py = prior * y
    y_log_y = ylogy(y) if y_log_y is None else np.where(inside, y_log_y, 0.0)
    constant = (prior * (y_log_y - y)).sum(axis=0)  # Σ prior·(y log y - y): the deviance's fixed part
    offset = None if offset is None else np.where(inside, offset, 0.0)
    mu = y + 0.1
    eta = _table(y, 0.1, np.log)  # as R: the starting linear predictor includes the offset
    if eta is None:
        eta = np.log(mu)
    if offset is None and p == 1 and np.all(X == 1.0):
        return _fit_mean(X, y, prior, inside, py, constant, mu, eta, outer)
    exp_of = _ExpOfDesign(X)
    if offset is not None:
        exp_offset = np.exp(offset)
        offset_risky = np.abs(offset).max(axis=0, initial=0.0) > SAFE_LOG
    dev_old = 2.0 * (constant + (prior * mu).sum(axis=0) - (py * eta).sum(axis=0))
    coef = np.zeros((p, batch))
    weights = np.zeros((n, batch))
    normal = np.zeros((p * p, batch))
    converged = np.zeros(batch, dtype=bool)
    active = np.ones(batch, dtype=bool)
    for _ in range(MAX_ITERATIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        every = idx.size == batch
        e, m, pi, pyi, ci = ((eta, mu, prior, py, constant) if every else
                             (eta[:, idx], mu[:, idx], prior[:, idx], py[:, idx], constant[idx]))
        oi = None if offset is None else (offset if every else offset[:, idx])
        # Canonical link: d mu / d eta = mu (R: max(exp(eta), eps), the same to rounding), variance(mu) = mu, so
        # the working weight is prior·mu and weight × working response z = e - o + (y - mu)/mu is
        # prior·mu·(e - o - 1) + prior·y.
        w2 = pi * m
        wz = e - 1.0 if oi is None else e - oi - 1.0
        wz *= w2
        wz += pyi
        a = outer_t @ w2  # X' W X, flattened (p·p, batch)
        c = _solve(a, xt @ wz)
        new_eta = X @ c
        if oi is not None:
            new_eta += oi
        if exp_of.usable:
            new_mu, risky = exp_of(c)
            if oi is not None:
                new_mu *= exp_offset if every else exp_offset[:, idx]
                risky |= offset_risky if every else offset_risky[idx]
            if risky.any():
                new_mu[:, risky] = np.exp(new_eta[:, risky])
        else:
            new_mu = np.exp(new_eta)
        np.maximum(new_mu, EPS, out=new_mu)
        log_mu = np.maximum(new_eta, LOG_EPS)  # log(max(exp(eta), eps))
        log_mu *= pyi
        # Poisson deviance 2 Σ prior·(y log(y/μ) - (y - μ))
        dev = 2.0 * (ci + (pi * new_mu).sum(axis=0) - log_mu.sum(axis=0))
        if every:
            coef, weights, normal, eta, mu = c, w2, a, new_eta, new_mu
        else:
            coef[:, idx], weights[:, idx], normal[:, idx] = c, w2, a
            eta[:, idx], mu[:, idx] = new_eta, new_mu
        done = np.abs(dev - dev_old[idx]) / (np.abs(dev) + 0.1) < EPSILON
        dev_old[idx] = dev
        converged[idx[done]] = True
        active[idx[done]] = False
    df = inside.sum(axis=0) - p
    return GlmFit(coef=np.ascontiguousarray(coef.T), mu=mu, working_weights=weights, cov_unscaled=_inverse(normal),
                  df_residual=df, converged=converged, outer=outer,
                  exp_of=exp_of if exp_of.usable and offset is None else None)


def _fit_mean(X, y, prior, inside, py, constant, mu, eta, outer) -> GlmFit:
    """The IRLS of :func:`fit_poisson` for an intercept-only model (Farrington without trend), step for step.

    After the first step every fitted mean of a series is one number M, so each step reduces to scalars:
    X'WX = M·Σprior and X'Wz = M·Σprior·(η - 1) + Σprior·y, hence η ← η - 1 + ȳ/M (ȳ the weighted mean).
    Only the first step (from μ = y + 0.1) needs the rows. Same iterates as the general loop to rounding."""
    n, batch = y.shape
    total_prior = prior.sum(axis=0)
    total_py = py.sum(axis=0)
    dev_old = 2.0 * (constant + (prior * mu).sum(axis=0) - (py * eta).sum(axis=0))
    # First step: the rows' means differ.
    w2 = prior * mu
    wz = eta - 1.0
    wz *= w2
    wz += py
    a = w2.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = np.where(a > 0, wz.sum(axis=0) / np.where(a > 0, a, 1.0), 0.0)  # a singular A: least norm, 0
    used_mean = np.full(batch, np.nan)  # the one mean each series' last step started from (after step one)
    normal = a
    m = np.maximum(np.exp(coef), EPS)
    dev = 2.0 * (constant + m * total_prior - total_py * np.maximum(coef, LOG_EPS))
    done = np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < EPSILON
    dev_old = dev
    converged = done.copy()
    active = ~done
    first_step = np.ones(batch, dtype=bool)  # series whose last step is the first one
    for _ in range(1, MAX_ITERATIONS):
        if not active.any():
            break
        k = active
        a_k = m[k] * total_prior[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(a_k > 0, (a_k * (coef[k] - 1.0) + total_py[k]) / np.where(a_k > 0, a_k, 1.0), 0.0)
        used_mean[k] = m[k]
        normal[k] = a_k
        first_step[k] = False
        coef[k] = c
        m[k] = np.maximum(np.exp(c), EPS)
        dev = 2.0 * (constant[k] + m[k] * total_prior[k] - total_py[k] * np.maximum(c, LOG_EPS))
        finished = np.abs(dev - dev_old[k]) / (np.abs(dev) + 0.1) < EPSILON
        dev_old[k] = dev
        idx = np.flatnonzero(k)
        converged[idx[finished]] = True
        active[idx[finished]] = False
    # The last step's weights: prior × the means it started from (the rows' y + 0.1 if it was the first step).
    weights = np.where(first_step[None, :], w2, prior * used_mean[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = np.where(normal > 0, 1.0 / np.where(normal > 0, normal, 1.0), 0.0)
    return GlmFit(coef=coef[:, None], mu=np.repeat(m[None, :], n, axis=0), working_weights=weights,
                  cov_unscaled=cov[:, None, None], df_residual=inside.sum(axis=0) - 1, converged=converged,
                  outer=outer, exp_of=_ExpOfDesign(X))
