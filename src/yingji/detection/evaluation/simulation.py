"""Synthetic surveillance series with known outbreaks: the ground truth detection methods are measured against.

Pure numpy, no Django. Everything is a function of the seed.

**Baseline.** For series ``s`` and time point ``t`` (days, or weeks with ``frequency="weekly"``) the expected count is

    mu[s, t] = level[s] * exp(trend[s] * t / P + sum_k a[s, k] sin(2 pi k t / P) + b[s, k] cos(2 pi k t / P))
               * dow[t mod 7]                                                    (daily data only)

with ``P`` the number of time points in a year (365.25 or 52.18), ``level`` drawn log-uniformly from ``level``
(mean daily or weekly count), ``trend`` uniformly from ``trend`` (log change per year), ``harmonics`` annual
harmonics whose amplitude is drawn from ``amplitude`` (the first harmonic; later ones are halved each time)
with a random phase, and ``dow`` a day-of-week factor (mean 1; clinics see fewer onsets recorded at weekends).
Counts are Poisson (``dispersion=None``) or negative binomial with size ``dispersion`` (variance
``mu + mu**2 / dispersion``), drawn as a gamma-Poisson mixture.

**Outbreaks** are added on top of the baseline, ``outbreaks`` per series, one in each of that many equal
segments of ``[earliest, n - 1]`` (so they never overlap):

- ``point`` (point source): ``cases`` people exposed on one day fall ill after an incubation period drawn from a
  lognormal law (median ``incubation`` time points, log-sd ``incubation_sd``): the epidemic curve of a single
  exposure.
- ``prolonged`` (seasonal or propagated): the expected count is raised by a sine-shaped hump lasting
  ``prolonged_days`` time points whose area is ``cases``; cases are drawn Poisson around it.

An outbreak's size is ``cases`` when given (an int, or a (low, high) range drawn uniformly), else ``k`` (a number
or a (low, high) range) times the standard deviation of the baseline's sum over ``size_window`` time points at
the outbreak's start (Noufaily et al. 2013 scale outbreaks the same way), at least ``min_cases``.

The truth records, per outbreak, the series, the first and the last time point with an outbreak case (inclusive)
and the number of outbreak cases; an outbreak whose draws gave no case is not recorded (nothing to detect).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .truth import Truth

DAYS_PER_YEAR = 365.25
WEEKS_PER_YEAR = 365.25 / 7
# Onsets recorded by day of the week, Monday first (mean 1): fewer on Saturday and Sunday.
DEFAULT_DOW = (1.12, 1.06, 1.03, 1.02, 1.05, 0.88, 0.84)
KINDS = ("point", "prolonged")


class SimulationError(ValueError):
    """Bad simulation parameters; Chinese and English messages like the rest of the platform."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


@dataclass
class Simulation:
    counts: np.ndarray  # series × time, integer dtype (observed = baseline + outbreak cases)
    baseline: np.ndarray | None  # series × time, float32: the expected baseline count mu (None if not kept)
    truth: Truth
    frequency: str  # daily | weekly

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape


def _range(rng: np.random.Generator, value, size, log: bool = False) -> np.ndarray:
    if np.ndim(value) == 0:
        return np.full(size, float(value))
    low, high = (float(v) for v in value)
    if log:
        return np.exp(rng.uniform(np.log(low), np.log(high), size))
    return rng.uniform(low, high, size)


def _check(n_series, n_time, level, dispersion, outbreaks, kinds, frequency, earliest, dtype):
    if frequency not in ("daily", "weekly"):
        raise SimulationError("频率须为 daily 或 weekly", "frequency must be daily or weekly")
    if int(n_series) < 1 or int(n_time) < 2:
        raise SimulationError("序列数须 ≥1，时间点数须 ≥2", "need at least 1 series and 2 time points")
    low = np.min(level)
    if not np.all(np.isfinite(level)) or low < 0:
        raise SimulationError("基线水平须为非负数", "the baseline level must be non-negative")
    if dispersion is not None and (not np.isfinite(dispersion) or dispersion <= 0):
        raise SimulationError("离散参数须为正数（或不设，即泊松分布）",
                              "dispersion must be positive (or None for Poisson counts)")
    if int(outbreaks) < 0:
        raise SimulationError("每个序列的暴发数不能为负", "outbreaks per series cannot be negative")
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise SimulationError(f"未知的暴发类型：{sorted(unknown)}（可用 point、prolonged）",
                              f"unknown outbreak kinds: {sorted(unknown)} (use point, prolonged)")
    if not 0 <= int(earliest) < int(n_time):
        raise SimulationError("最早暴发时间点须在序列范围内", "the earliest outbreak time point must lie in the series")
    if np.dtype(dtype).kind not in "iu":
        raise SimulationError("计数类型须为整数类型", "the count dtype must be an integer type")


def simulate(
    n_series: int,
    n_time: int,
    *,
    seed: int = 0,
    frequency: str = "daily",
    level=(0.2, 5.0),
    trend=(-0.05, 0.05),
    amplitude=(0.0, 0.8),
    harmonics: int = 2,
    dow=DEFAULT_DOW,
    dispersion: float | None = 4.0,
    outbreaks: int = 1,
    earliest: int = 0,
    kinds=KINDS,
    kind_weights=None,
    cases=None,
    k=(3.0, 8.0),
    size_window: int | None = None,
    min_cases: int = 3,
    incubation: float = 2.0,
    incubation_sd: float = 0.5,
    prolonged_days: int | None = None,
    dtype=np.int16,
    chunk: int = 8192,
    keep_baseline: bool = True,
) -> Simulation:
    """Baseline series with injected outbreaks and their truth (see the module docstring). With
    ``keep_baseline=False`` (national-scale sets) the expected counts are not kept (``baseline`` is None) and
    outbreak sizes must be given as ``cases``."""
    if not keep_baseline and cases is None:
        raise SimulationError("不保留基线时须给出暴发病例数（cases）",
                              "without the baseline kept, outbreak sizes must be given (cases)")
    _check(n_series, n_time, level, dispersion, outbreaks, tuple(kinds), frequency, earliest, dtype)
    n_series, n_time = int(n_series), int(n_time)
    daily = frequency == "daily"
    period = DAYS_PER_YEAR if daily else WEEKS_PER_YEAR
    size_window = size_window or (7 if daily else 1)
    prolonged_days = prolonged_days or (28 if daily else 6)
    rng = np.random.default_rng(seed)

    levels = _range(rng, level, n_series, log=np.ndim(level) > 0 and min(level) > 0)
    trends = _range(rng, trend, n_series)
    amps = _range(rng, amplitude, n_series)[:, None] * 0.5 ** np.arange(harmonics)[None, :]
    phases = rng.uniform(0, 2 * np.pi, (n_series, harmonics))
    dow_factor = np.asarray(dow, dtype=float) if daily and dow is not None else np.ones(7)
    dow_factor = dow_factor / dow_factor.mean()

    info = np.iinfo(dtype)
    counts = np.empty((n_series, n_time), dtype=dtype)
    baseline = np.empty((n_series, n_time), dtype=np.float32) if keep_baseline else None
    t = np.arange(n_time, dtype=float)
    angle = 2 * np.pi * t / period
    weekday = dow_factor[np.arange(n_time) % 7]
    for first in range(0, n_series, chunk):
        rows = slice(first, min(first + chunk, n_series))
        log_mu = np.log(np.maximum(levels[rows], 1e-12))[:, None] + trends[rows, None] * (t / period)[None, :]
        for h in range(harmonics):
            log_mu += amps[rows, h, None] * np.sin((h + 1) * angle[None, :] + phases[rows, h, None])
        mu = np.exp(log_mu) * weekday[None, :]
        mu[levels[rows] == 0] = 0.0
        if baseline is not None:
            baseline[rows] = mu
        lam = mu if dispersion is None else mu * rng.gamma(dispersion, 1.0 / dispersion, mu.shape)
        counts[rows] = np.minimum(rng.poisson(lam), info.max)

    truth = _inject(rng, counts, baseline, outbreaks=int(outbreaks), earliest=int(earliest), kinds=tuple(kinds),
                    kind_weights=kind_weights, cases=cases, k=k, size_window=size_window, min_cases=min_cases,
                    incubation=incubation, incubation_sd=incubation_sd, prolonged_days=prolonged_days,
                    dispersion=dispersion, dtype=dtype)
    return Simulation(counts=counts, baseline=baseline, truth=truth, frequency=frequency)


def _inject(rng, counts, baseline, *, outbreaks, earliest, kinds, kind_weights, cases, k, size_window, min_cases,
            incubation, incubation_sd, prolonged_days, dispersion, dtype) -> Truth:
    n_series, n_time = counts.shape
    if outbreaks == 0:
        return Truth.empty()
    span = n_time - earliest
    segment = span / outbreaks
    series = np.repeat(np.arange(n_series), outbreaks)
    slot = np.tile(np.arange(outbreaks), n_series)
    longest = max(prolonged_days, int(np.ceil(np.exp(np.log(incubation) + 3 * incubation_sd))) + 1)
    room = max(segment - longest, 1.0)
    exposure = (earliest + slot * segment + rng.uniform(0, room, series.size)).astype(np.int64)
    weights = np.ones(len(kinds)) if kind_weights is None else np.asarray(kind_weights, dtype=float)
    kind = rng.choice(len(kinds), size=series.size, p=weights / weights.sum())
    kind_names = np.array(kinds)[kind]

    if cases is not None:
        size = np.round(_range(rng, cases, series.size)).astype(np.int64)
    else:
        stop = np.minimum(exposure + size_window, n_time)
        window_mu = np.array([baseline[s, a:b].sum(dtype=float) for s, a, b in zip(series, exposure, stop, strict=True)])
        variance = window_mu if dispersion is None else window_mu + window_mu ** 2 / dispersion
        size = np.round(_range(rng, k, series.size) * np.sqrt(variance)).astype(np.int64)
    size = np.maximum(size, int(min_cases))

    info = np.iinfo(dtype)
    starts, ends, totals = [], [], []
    hump = np.sin(np.pi * (np.arange(prolonged_days) + 0.5) / prolonged_days)
    hump /= hump.sum()
    for s, day, n, name in zip(series, exposure, size, kind_names, strict=True):
        if name == "point":
            onsets = day + np.floor(rng.lognormal(np.log(incubation), incubation_sd, n)).astype(np.int64)
            onsets = onsets[onsets < n_time]
            added = np.bincount(onsets - day, minlength=0)
        else:
            length = min(prolonged_days, n_time - day)
            added = rng.poisson(n * hump[:length])
        offsets = np.flatnonzero(added)
        if offsets.size == 0:
            starts.append(-1), ends.append(-1), totals.append(0)
            continue
        seg = slice(day, day + added.size)
        counts[s, seg] = np.minimum(counts[s, seg].astype(np.int64) + added, info.max)
        starts.append(day + offsets[0])
        ends.append(day + offsets[-1])
        totals.append(int(added.sum()))
    starts, ends, totals = np.array(starts), np.array(ends), np.array(totals)
    keep = totals > 0
    return Truth(series=series[keep], start=starts[keep], end=ends[keep], cases=totals[keep],
                 kind=kind_names[keep])
