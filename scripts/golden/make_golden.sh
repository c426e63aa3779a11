#!/bin/sh
# Regenerate the golden references: deterministic series (Python), then R surveillance on them.
# Needs Rscript with the surveillance package (1.20.3); the tests only read the committed CSVs.
set -eu
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
"$PYTHON" scripts/golden/make_series.py
Rscript scripts/golden/run_surveillance.R tests/golden
Rscript -e 'cat("surveillance", as.character(packageVersion("surveillance")), "\n")'
