"""Models of the response app. Each topic has its own module; ``AUDITED`` names every model whose changes the
audit log records (apps.py registers them)."""

from .event import Event, LevelChange

__all__ = ["Event", "LevelChange"]

AUDITED = ["Event", "LevelChange"]
