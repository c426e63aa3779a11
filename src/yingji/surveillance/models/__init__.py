from .aggregate import AggregateReport, AggregateReportLine, OverdueReminder, ReportingSchedule
from .case_report import CaseReport
from .disease import Disease
from .event import ClusterRule, EventReport, EventSource
from .fever_clinic import FeverClinicDailyReport

__all__ = [
    "AggregateReport", "AggregateReportLine", "CaseReport", "ClusterRule", "Disease", "EventReport",
    "EventSource", "FeverClinicDailyReport", "OverdueReminder", "ReportingSchedule",
]
