from .config import DetectionConfig, Holiday
from .run import DetectionRun
from .signal import Signal, SignalAction

__all__ = ["DetectionConfig", "DetectionRun", "Holiday", "Signal", "SignalAction"]
