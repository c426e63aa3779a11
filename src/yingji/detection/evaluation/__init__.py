"""Evaluation harness for the detection methods: simulated series with injected outbreaks (:mod:`.simulate`),
sensitivity / false-alarm rate / days to detection (:mod:`.metrics`), a table over methods and parameter sets
(:mod:`.harness`) and the CIDARS percentile tuning tool (:mod:`.tuning`).

Pure numpy like ``detection.algorithms``: no Django, except :mod:`.demo_data` (the demo city's series, read
through the ORM), which is imported on its own.
"""

from .harness import Row, default_configs, evaluate
from .metrics import Scores, Summary, score, summarise, summarise_groups
from .simulate import Simulation, SimulationError, simulate
from .truth import EvaluationError, Truth, weekly_counts
from .tuning import CANDIDATES, CRITERIA, TuningResult, choose, tune_percentile

__all__ = ["CANDIDATES", "CRITERIA", "EvaluationError", "Row", "Scores", "Simulation", "SimulationError", "Summary",
           "Truth", "TuningResult", "choose", "default_configs", "evaluate", "score", "simulate", "summarise",
           "summarise_groups", "tune_percentile", "weekly_counts"]
