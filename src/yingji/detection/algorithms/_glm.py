"""Batched Poisson / quasi-Poisson GLM with a log link, fitted by iteratively reweighted least squares.

Many small models share one design: ``X`` is (n, p), ``y`` and ``prior`` are (batch, n). Rows with
``prior == 0`` (gaps, padding) take no part in the fit, the residual degrees of freedom or the dispersion.

The iteration follows the textbook IRLS scheme in the form R's ``glm.fit`` documents, so that fits agree with
R's to rounding: start at ``mu = y + 0.1``, at most 25 iterations, stop when the relative change of the deviance
``|dev - dev_old| / (|dev| + 0.1)`` falls below 1e-8. As in R, the working weights, the QR factor (hence
the unscaled covariance and the hat values) are those of the last least-squares step, and the fitted means are
those after it. Each weighted least-squares step solves the normal equations (stacked; the designs are small
and well scaled, and the results agree with R's QR-based ones to about 1e-12).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = np.finfo(float).eps
LOG_EPS = float(np.log(EPS))
MAX_ITERATIONS = 25
EPSILON = 1e-8


@dataclass
class GlmFit:
    coef: np.ndarray  # (batch, p)
    mu: np.ndarray  # (batch, n) fitted means (0 where prior == 0 is irrelevant)
    working_weights: np.ndarray  # (batch, n) weights of the last least-squares step (0 outside the fit)
    cov_unscaled: np.ndarray  # (batch, p, p) (X' W X)^-1
    hat: np.ndarray  # (batch, n) leverages
    df_residual: np.ndarray  # (batch,) int
    converged: np.ndarray  # (batch,) bool

    def pearson_dispersion(self, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of weights × working residual² over the residual degrees of freedom (nan if none).

        With the working weights this is the Pearson χ²/df of a quasi-Poisson fit."""
        w = self.working_weights if weights is None else weights
        residual = (y - self.mu) / self.mu
        total = np.sum(np.where(w > 0, w * residual * residual, 0.0), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.df_residual > 0, total / np.maximum(self.df_residual, 1), np.nan)


def _ylogy(y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)


def _deviance(constant, y, mu, log_mu, prior):
    """Poisson deviance 2 Σ prior·(y log(y/μ) - (y - μ)); ``constant`` = Σ prior·(y log y - y) per row."""
    return 2.0 * (constant + np.einsum("bn,bn->b", prior, mu - y * log_mu))


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Stacked A c = b (A symmetric). 1 × 1 and 2 × 2 in closed form; a singular A gets a least-norm answer."""
    if a.shape[1] == 1 and np.all(a[:, 0, 0] > 0):
        return b / a[:, 0, :]
    if a.shape[1] == 2:
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
        if np.all(det > 0):
            return np.column_stack([(a[:, 1, 1] * b[:, 0] - a[:, 0, 1] * b[:, 1]) / det,
                                    (a[:, 0, 0] * b[:, 1] - a[:, 1, 0] * b[:, 0]) / det])
    try:
        return np.linalg.solve(a, b[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ai) @ bi for ai, bi in zip(a, b, strict=True)])


def _inverse(a: np.ndarray) -> np.ndarray:
    if a.shape[1] == 1 and np.all(a[:, 0, 0] > 0):
        return 1.0 / a
    if a.shape[1] == 2:
        det = a[:, 0, 0] * a[:, 1, 1] - a[:, 0, 1] * a[:, 1, 0]
        if np.all(det > 0):
            inverse = np.empty_like(a)
            inverse[:, 0, 0] = a[:, 1, 1] / det
            inverse[:, 1, 1] = a[:, 0, 0] / det
            inverse[:, 0, 1] = -a[:, 0, 1] / det
            inverse[:, 1, 0] = -a[:, 1, 0] / det
            return inverse
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ai) for ai in a])


def fit_poisson(X: np.ndarray, y: np.ndarray, prior: np.ndarray, offset: np.ndarray | None = None) -> GlmFit:
    """Fit every series of the batch to the one design ``X`` (n, p); ``y``, ``prior`` and ``offset`` (a known
    term added to the linear predictor, e.g. log population; R's ``offset()``) are (batch, n)."""
    X = np.asarray(X, dtype=float)
    XT = np.ascontiguousarray(X.T)
    n, p = X.shape
    batch = len(y)
    outer = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)  # x_i x_i' per row, flattened
    prior = np.where(prior > 0, prior, 0.0)
    y = np.where(prior > 0, y, 0.0)
    constant = np.einsum("bn,bn->b", prior, _ylogy(y) - y)
    offset = np.zeros_like(y) if offset is None else np.where(prior > 0, offset, 0.0)
    mu = y + 0.1
    eta = np.log(mu)  # as R: the starting linear predictor includes the offset
    dev_old = _deviance(constant, y, mu, eta, prior)
    coef = np.zeros((batch, p))
    weights = np.zeros((batch, n))
    normal = np.zeros((batch, p, p))
    converged = np.zeros(batch, dtype=bool)
    active = np.ones(batch, dtype=bool)
    for iteration in range(MAX_ITERATIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        every = idx.size == batch
        e, m, yi, pi, ci, oi = ((eta, mu, y, prior, constant, offset) if every else
                                (eta[idx], mu[idx], y[idx], prior[idx], constant[idx], offset[idx]))
        # d mu / d eta = max(exp(eta), eps), which is mu itself after the first step; variance(mu) = mu.
        mu_eta = np.maximum(np.exp(e), EPS) if iteration == 0 else m
        z = e - oi + (yi - m) / mu_eta
        w2 = pi * (mu_eta * mu_eta / m) if iteration == 0 else pi * m  # working weights (0 outside the fit)
        a = (w2 @ outer).reshape(-1, p, p)  # X' W X
        c = _solve(a, (w2 * z) @ X)
        new_eta = c @ XT + oi
        new_mu = np.maximum(np.exp(new_eta), EPS)
        dev = _deviance(ci, yi, new_mu, np.maximum(new_eta, LOG_EPS), pi)
        if every:
            coef, weights, normal, eta, mu = c, w2, a, new_eta, new_mu
        else:
            coef[idx], weights[idx], normal[idx] = c, w2, a
            eta[idx], mu[idx] = new_eta, new_mu
        done = np.abs(dev - dev_old[idx]) / (np.abs(dev) + 0.1) < EPSILON
        dev_old[idx] = dev
        converged[idx[done]] = True
        active[idx[done]] = False
    cov = _inverse(normal)
    hat = weights * ((cov.reshape(batch, p * p) @ outer.T) if p else 0.0)
    df = (prior > 0).sum(axis=1) - p
    return GlmFit(coef=coef, mu=mu, working_weights=weights, cov_unscaled=cov, hat=hat, df_residual=df,
                  converged=converged)
