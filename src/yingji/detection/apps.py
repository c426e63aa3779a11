from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfigApp(AppConfig):
    name = "yingji.detection"
    label = "detection"
    verbose_name = _("Early warning")

    def ready(self):
        from yingji.core.audit import track

        from .models import DetectionConfig, Holiday, Signal, SignalAction

        for model in (DetectionConfig, Holiday, Signal, SignalAction):
            track(model, exclude=("updated_at",))
