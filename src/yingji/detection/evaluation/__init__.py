"""Evaluation harness for the detection methods: simulated series with injected outbreaks (:mod:`.simulation`),
sensitivity / false-alarm rate / days to detection (:mod:`.metrics`), a table over methods and parameter sets
(:mod:`.harness`) and the CIDARS percentile tuning tool (:mod:`.tuning`).

Pure numpy like ``detection.algorithms``: no Django, except :mod:`.demo_data` (the demo city's series, read
through the ORM), which is imported on its own.
"""

from importlib import import_module

# Exported names and their modules; imported on first use, so that importing the package (``yingji evaluate``
# is registered on the CLI at start-up) does not load numpy and the methods for every other command.
_EXPORTS = {
    "Row": "harness", "default_configs": "harness", "evaluate": "harness",
    "Scores": "metrics", "Summary": "metrics", "score": "metrics", "summarise": "metrics",
    "summarise_groups": "metrics",
    "Simulation": "simulation", "SimulationError": "simulation", "simulate": "simulation",
    "EvaluationError": "truth", "Truth": "truth", "weekly_counts": "truth",
    "CANDIDATES": "tuning", "CRITERIA": "tuning", "TuningResult": "tuning", "choose": "tuning",
    "tune_percentile": "tuning",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(name) from None
    return getattr(import_module(f"{__name__}.{module}"), name)
