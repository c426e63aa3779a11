"""Models of the response app. Each topic has its own module; ``AUDITED`` names every model whose changes the
audit log records (apps.py registers them)."""

from .contacts import Contact, EventCase, FollowUp, FollowUpTeam, Quarantine, TestResult
from .event import Event, LevelChange
from .inspection import Finding, Inspection

__all__ = ["Event", "LevelChange", "Inspection", "Finding",
           "EventCase", "Contact", "Quarantine", "FollowUp", "FollowUpTeam", "TestResult"]

AUDITED = ["Event", "LevelChange", "Inspection", "Finding",
           "EventCase", "Contact", "Quarantine", "FollowUp", "FollowUpTeam", "TestResult"]
