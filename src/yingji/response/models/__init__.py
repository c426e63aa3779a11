"""Models of the response app. Each topic has its own module; ``AUDITED`` names every model whose changes the
audit log records (apps.py registers them)."""

from .assessment import RiskAssessment, RiskLevel, RiskMatrixCell
from .checklist import AssigneeKind, Checklist, ChecklistActivation, ChecklistItem
from .consultation import (
           Consultation,
           ConsultationKind,
           ConsultationMaterial,
           ConsultationParticipant,
           Decision,
)
from .contacts import Contact, EventCase, FollowUp, FollowUpTeam, Quarantine, TestResult
from .event import Event, LevelChange
from .inspection import Finding, Inspection
from .sitrep import SitrepKind, SitrepStatus, SituationReport
from .task import Task, TaskNote, TaskOrigin, TaskStatus

__all__ = [
           "AssigneeKind",
           "Checklist",
           "ChecklistActivation",
           "ChecklistItem",
           "Consultation",
           "ConsultationKind",
           "ConsultationMaterial",
           "ConsultationParticipant",
           "Contact",
           "Decision",
           "Event",
           "EventCase",
           "Finding",
           "FollowUp",
           "FollowUpTeam",
           "Inspection",
           "LevelChange",
           "Quarantine",
           "RiskAssessment",
           "RiskLevel",
           "RiskMatrixCell",
           "SitrepKind",
           "SitrepStatus",
           "SituationReport",
           "Task",
           "TaskNote",
           "TaskOrigin",
           "TaskStatus",
           "TestResult",
]

AUDITED = ["Event", "LevelChange", "Inspection", "Finding",
           "EventCase", "Contact", "Quarantine", "FollowUp", "FollowUpTeam", "TestResult",
           "RiskMatrixCell", "RiskAssessment", "Consultation", "ConsultationParticipant", "ConsultationMaterial",
           "Decision", "SituationReport",
           "Checklist", "ChecklistItem", "ChecklistActivation", "Task", "TaskNote"]
