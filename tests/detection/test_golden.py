"""Yingji's methods against R surveillance 1.20.3 (references in tests/golden, made by scripts/golden/make_golden.sh).

Alarms must equal R's and upper bounds agree to 1e-6 relative, method by method. Where Yingji differs on
purpose the test says why:
- a point R leaves undefined (NA) is nan in Yingji with alarm False (R's alarm is NA);
- CUSUM: R propagates a gap (NA) through the rest of the cumulative sum; Yingji carries the sum over the gap,
  so the series with gaps is left out of the CUSUM references (it has its own test);
- Farrington: where fewer than 5 cases fell in the past 4 weeks (``limit54``), R gives no upper bound (NA) and no
  alarm; Yingji still returns the bound (useful on the chart) but never alarms there.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from yingji.detection.algorithms import run

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
RTOL = 1e-6


def load_series(name: str) -> tuple[list[str], np.ndarray]:
    with (GOLDEN / name).open() as handle:
        reader = csv.reader(handle)
        header = next(reader)[1:]
        rows = [[float(v) if v != "" else np.nan for v in row[1:]] for row in reader]
    return header, np.array(rows).T


def load_golden(name: str) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """config → series → column → array (t is 1-based, as in R)."""
    table: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    with (GOLDEN / name).open() as handle:
        for row in csv.DictReader(handle):
            target = table[row["config"]][row["series"]]
            for key, value in row.items():
                if key not in ("config", "series"):
                    target[key].append(float(value) if value != "" else np.nan)
    return {c: {s: {k: np.array(v) for k, v in cols.items()} for s, cols in per.items()} for c, per in table.items()}


DAILY = load_series("series_daily.csv")
WEEKLY = load_series("series_weekly.csv")
POPULATION = load_series("population_weekly.csv")


def compare(result, reference: dict[str, np.ndarray], row: int, label: str, *, limit54: bool = False) -> None:
    columns = reference["t"].astype(int) - 1 - result.offset
    ours_upper = result.upper[row, columns]
    ours_alarm = result.alarm[row, columns]
    r_upper, r_alarm = reference["upper"], reference["alarm"]
    defined = ~np.isnan(r_upper)
    if np.all(np.isnan(r_alarm)) and not np.all(np.isnan(r_upper)):
        # CUSUM with reference m = 0 (no training cases): R's statistic is NaN, its bound is set to 0 and its
        # alarm is NA; Yingji does not judge such points.
        assert np.isnan(ours_upper).all() and not ours_alarm.any(), label
        return
    if limit54:
        # R hides the bound where fewer than 5 cases fell in the past 4 weeks; Yingji keeps it, never alarms.
        assert not ours_alarm[~defined].any(), label
    else:
        assert np.array_equal(np.isnan(ours_upper), ~defined), f"{label}: nan pattern differs"
    np.testing.assert_allclose(ours_upper[defined], r_upper[defined], rtol=RTOL, atol=0, err_msg=label)
    # R's alarm is NA where its bound is NA; Yingji's is False there.
    expected_alarm = np.where(np.isnan(r_alarm), 0, r_alarm).astype(bool)
    mismatch = np.flatnonzero(ours_alarm != expected_alarm)
    assert mismatch.size == 0, f"{label}: alarms differ at t={reference['t'][mismatch][:10]}"


EARS = {
    "C1": ("ears_c1", {}),
    "C2": ("ears_c2", {}),
    "C3": ("ears_c3", {}),
    "C1_b10_a05_s1": ("ears_c1", {"baseline": 10, "alpha": 0.05, "min_sigma": 1}),
    "C2_b5_a01": ("ears_c2", {"baseline": 5, "alpha": 0.01}),
    "C3_b7_a001_s05": ("ears_c3", {"baseline": 7, "alpha": 0.001, "min_sigma": 0.5}),
}


@pytest.mark.parametrize("config", EARS)
def test_ears_matches_r(config):
    golden = load_golden("ears.csv")[config]
    method, params = EARS[config]
    names, counts = DAILY
    result = run(method, counts, **params)
    for row, name in enumerate(names):
        compare(result, golden[name], row, f"{config}/{name}")


@pytest.mark.parametrize("config", ["C1", "C3"])
def test_ears_last_k_equals_the_whole_series_run(config):
    """Judging only the last k points (R's range) gives the same numbers as the whole series."""
    method, params = EARS[config]
    _, counts = DAILY
    whole = run(method, counts, **params)
    tail = run(method, counts, last=30, **params)
    assert tail.offset == counts.shape[1] - 30
    np.testing.assert_array_equal(tail.upper, whole.upper[:, -30:])
    np.testing.assert_array_equal(tail.alarm, whole.alarm[:, -30:])


CUSUM = {
    "standard": ("daily", {"trans": "standard"}),
    "rossi": ("daily", {"trans": "rossi"}),
    "anscombe": ("daily", {"trans": "anscombe"}),
    "none": ("daily", {"trans": "none", "k": 5, "h": 10}),
    "pearson_negbin": ("daily", {"trans": "pearson_negbin", "alpha": 0.2}),
    "standard_k05_h4": ("daily", {"trans": "standard", "k": 0.5, "h": 4}),
    "glm_standard": ("weekly", {"trans": "standard", "m": "glm", "period": 52}),
    "glm_rossi": ("weekly", {"trans": "rossi", "m": "glm", "period": 52}),
}


@pytest.mark.parametrize("config", CUSUM)
def test_cusum_matches_r(config):
    golden = load_golden("cusum.csv")[config]
    kind, params = CUSUM[config]
    names, counts = DAILY if kind == "daily" else WEEKLY
    keep = [i for i, n in enumerate(names) if n != "gaps"]  # see the module docstring
    names = [names[i] for i in keep]
    result = run("cusum", counts[keep], **params)
    for row, name in enumerate(names):
        compare(result, golden[name], row, f"{config}/{name}")


FARRINGTON = {
    "default": {},
    "noufaily": {"no_periods": 10, "past_weeks_not_included": 26},
    "nbplugin": {"threshold_method": "nbPlugin"},
    "muan": {"threshold_method": "muan", "no_periods": 10, "past_weeks_not_included": 26},
    "b3_w2_half": {"b": 3, "w": 2, "powertrans": "1/2", "alpha": 0.01},
    "none_noreweight": {"powertrans": "none", "reweight": False, "trend": False},
    "notrend_pwni1": {"trend": False, "past_weeks_not_included": 1, "limit54": (3, 2)},
    "population": {"population": "weekly"},
    "population_noufaily": {"population": "weekly", "no_periods": 10, "past_weeks_not_included": 26},
}


@pytest.mark.parametrize("config", FARRINGTON)
def test_farrington_flexible_matches_r(config):
    golden = load_golden("farrington_flexible.csv")[config]
    names, counts = WEEKLY
    params = dict(FARRINGTON[config])
    if "population" in params:  # R: sts(population = …), control populationOffset = TRUE
        assert POPULATION[0] == names
        params["population"] = POPULATION[1]
    result = run("farrington_flexible", counts, **params)
    for row, name in enumerate(names):
        reference = golden[name]
        compare(result, reference, row, f"{config}/{name}", limit54=True)
        # R's expected value (control$expected: the prediction, NA where limit54 fails, 0 where nothing fitted).
        columns = reference["t"].astype(int) - 1 - result.offset
        defined = ~np.isnan(reference["upper"])
        np.testing.assert_allclose(result.expected[row, columns][defined], reference["expected"][defined],
                                   rtol=RTOL, atol=0, err_msg=f"{config}/{name} expected")
