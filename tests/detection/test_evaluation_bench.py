"""The national-scale detection benchmark at a tiny scale: every line is produced, and where R is installed the
alarms of EARS C1–C3, CUSUM and Farrington flexible equal R surveillance's on the same simulated series."""

import shutil

import pytest
from benchmarks import bench_detection


def test_the_benchmark_runs_small(monkeypatch):
    monkeypatch.setenv("YINGJI_BENCH_COUNTIES", "2")
    monkeypatch.setenv("YINGJI_BENCH_R_SERIES", "6" if shutil.which("Rscript") else "0")
    lines = list(bench_detection.run())
    text = "\n".join(lines)
    assert lines[0].startswith("# detection: 2 counties × 40 diseases = 80 series × 1826 days")
    for part in ("one day (weekday), all daily methods, 1 worker", "one day (weekday), all daily methods, 2 workers",
                 "one day (Sunday: with weekly Farrington)", "one-year backfill", "peak memory"):
        assert part in text, part
    if not shutil.which("Rscript"):
        pytest.skip("Rscript not installed: the comparison with R is not run")
    compared = [line for line in lines if line.startswith("R ") and "/ Yingji " in line and "series ×" in line]
    assert len(compared) == 10, text  # five methods, a year and a day
    assert all("alarms equal" in line for line in compared), text
