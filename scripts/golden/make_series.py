"""Deterministic test series for the golden references (run by make_golden.sh; no R needed).

Writes tests/golden/series_daily.csv (730 days) and tests/golden/series_weekly.csv (416 weeks, 8 years): one
column per series, one row per time point, an empty cell for a gap. The series cover the cases the methods
meet in practice: seasonal Poisson baselines with and without outbreaks, a trend, sparse counts, all zeros,
gaps and high counts. tests/golden/population_weekly.csv holds a population per weekly series and week.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "tests" / "golden"


def seasonal(rng, length, period, level, amplitude, trend=0.0):
    t = np.arange(length)
    mean = level * np.exp(amplitude * np.sin(2 * np.pi * t / period) + trend * t / period)
    return rng.poisson(mean).astype(float)


def outbreak(series, rng, at, size, spread):
    days = np.clip(np.round(rng.normal(at, spread, size)).astype(int), 0, len(series) - 1)
    np.add.at(series, days, 1.0)
    return series


def daily(rng):
    n = 730
    columns = {
        "seasonal5": seasonal(rng, n, 365, 5, 0.5),
        "seasonal5_outbreaks": outbreak(outbreak(seasonal(rng, n, 365, 5, 0.5), rng, 400, 60, 3), rng, 650, 40, 2),
        "sparse": seasonal(rng, n, 365, 0.3, 0.8),
        "sparse_outbreak": outbreak(seasonal(rng, n, 365, 0.5, 0.3), rng, 500, 25, 2),
        "zeros": np.zeros(n),
        "high_trend": seasonal(rng, n, 365, 60, 0.3, trend=0.3),
        "weekday": rng.poisson(8 * np.where(np.arange(n) % 7 >= 5, 0.4, 1.2)).astype(float),
        "gaps": seasonal(rng, n, 365, 10, 0.4),
    }
    gaps = columns["gaps"]
    gaps[[50, 51, 200, 420, 421, 422, 600]] = np.nan
    return columns


def weekly(rng):
    n = 416
    columns = {
        "seasonal20": seasonal(rng, n, 52, 20, 0.6),
        "seasonal20_outbreaks": outbreak(outbreak(seasonal(rng, n, 52, 20, 0.6), rng, 330, 150, 1.5),
                                         rng, 390, 100, 1),
        "trend": seasonal(rng, n, 52, 8, 0.4, trend=0.25),
        "sparse": seasonal(rng, n, 52, 1.2, 0.7),
        "sparse_outbreak": outbreak(seasonal(rng, n, 52, 0.8, 0.5), rng, 370, 20, 1),
        "overdispersed": rng.negative_binomial(3, 3 / (3 + 15 * np.exp(0.5 * np.sin(2 * np.pi * np.arange(n) / 52))),
                                               n).astype(float),
        "zeros": np.zeros(n),
        "high": seasonal(rng, n, 52, 300, 0.3),
        "gaps": seasonal(rng, n, 52, 12, 0.5),
    }
    gaps = columns["gaps"]
    gaps[[100, 150, 151, 250, 300, 360, 400]] = np.nan
    return columns


def population(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A weekly population per series for Farrington's population offset: growing, shrinking, a step."""
    t = np.arange(len(next(iter(columns.values()))))
    shapes = [1 + 0.002 * t, 1 - 0.0008 * t, np.where(t < 300, 1.0, 1.3), 1 + 0.1 * np.sin(2 * np.pi * t / 52)]
    return {name: np.round(50_000 * (i + 1) * shapes[i % len(shapes)]) for i, name in enumerate(columns)}


def write(path: Path, columns: dict[str, np.ndarray]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["t", *columns])
        length = len(next(iter(columns.values())))
        for i in range(length):
            row = [i + 1] + ["" if np.isnan(c[i]) else int(c[i]) for c in columns.values()]
            writer.writerow(row)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "series_daily.csv", daily(np.random.default_rng(20260401)))
    columns = weekly(np.random.default_rng(20260402))
    write(OUT / "series_weekly.csv", columns)
    write(OUT / "population_weekly.csv", population(columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
