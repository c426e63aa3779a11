from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveillanceConfig(AppConfig):
    name = "yingji.surveillance"
    label = "surveillance"
    verbose_name = _("Surveillance and direct reporting")

    def ready(self):
        from yingji.core.audit import track

        from .models import (
            AggregateReport,
            CaseReport,
            ClusterRule,
            Disease,
            EventReport,
            FeverClinicDailyReport,
            ReportingSchedule,
        )

        for model in (Disease, CaseReport, AggregateReport, FeverClinicDailyReport, EventReport, ClusterRule,
                      ReportingSchedule):
            track(model, exclude=("updated_at",))
