from .aggregate import AggregateReport, AggregateReportLine, ReportingSchedule
from .case_report import CaseReport
from .disease import Disease
from .event import ClusterRule, EventReport
from .fever_clinic import FeverClinicDailyReport

__all__ = [
    "AggregateReport", "AggregateReportLine", "CaseReport", "ClusterRule", "Disease", "EventReport",
    "FeverClinicDailyReport", "ReportingSchedule",
]
