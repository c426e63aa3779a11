"""Batched Poisson / quasi-Poisson GLM with a log link, fitted by iteratively reweighted least squares.

Many small models are fitted at once: ``X`` is (batch, n, p), ``y`` and ``prior`` are (batch, n). Rows with
``prior == 0`` (gaps, padding) take no part in the fit, the residual degrees of freedom or the dispersion.

The iteration follows the textbook IRLS scheme in the form R's ``glm.fit`` documents, so that fits agree with
R's to rounding: start at ``mu = y + 0.1``, at most 25 iterations, stop when the relative change of the deviance
``|dev - dev_old| / (|dev| + 0.1)`` falls below 1e-8. As in R, the working weights, the QR factor (hence
the unscaled covariance and the hat values) are those of the last least-squares step, and the fitted means are
those after it. Each weighted least-squares step is solved by a QR decomposition (numpy, stacked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = np.finfo(float).eps
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


def _deviance(y, mu, prior):
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu) - (y - mu), mu)
    return 2.0 * np.sum(prior * term, axis=1)


def _solve(r: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Stacked R c = b; a singular R (a rank-deficient design) gets a least-norm answer for its own item."""
    try:
        return np.linalg.solve(r, b[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ri) @ bi for ri, bi in zip(r, b, strict=True)])


def _inverse(r: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(r)
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.pinv(ri) for ri in r])


def fit_poisson(X: np.ndarray, y: np.ndarray, prior: np.ndarray) -> GlmFit:
    X = np.asarray(X, dtype=float)
    y = np.where(prior > 0, y, 0.0)
    batch, n, p = X.shape
    good = prior > 0
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = _deviance(y, mu, prior)
    coef = np.zeros((batch, p))
    weights = np.zeros((batch, n))
    q = np.zeros((batch, n, p))
    r = np.zeros((batch, p, p))
    converged = np.zeros(batch, dtype=bool)
    active = np.ones(batch, dtype=bool)
    for _ in range(MAX_ITERATIONS):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        e, m, g = eta[idx], mu[idx], good[idx]
        mu_eta = np.maximum(np.exp(e), EPS)
        z = e + (y[idx] - m) / mu_eta
        w = np.where(g, np.sqrt(prior[idx] * mu_eta * mu_eta / m), 0.0)
        qi, ri = np.linalg.qr(X[idx] * w[:, :, None])
        c = _solve(ri, np.einsum("bnp,bn->bp", qi, z * w))
        new_eta = np.einsum("bnp,bp->bn", X[idx], c)
        new_mu = np.maximum(np.exp(new_eta), EPS)
        dev = _deviance(y[idx], new_mu, prior[idx])
        coef[idx], weights[idx], q[idx], r[idx] = c, w * w, qi, ri
        eta[idx], mu[idx] = new_eta, new_mu
        done = np.abs(dev - dev_old[idx]) / (np.abs(dev) + 0.1) < EPSILON
        dev_old[idx] = dev
        converged[idx[done]] = True
        active[idx[done]] = False
    r_inv = _inverse(r)
    cov = r_inv @ np.swapaxes(r_inv, 1, 2)
    hat = np.sum(q * q, axis=2)
    df = good.sum(axis=1) - p
    return GlmFit(coef=coef, mu=mu, working_weights=weights, cov_unscaled=cov, hat=hat, df_residual=df,
                  converged=converged)
