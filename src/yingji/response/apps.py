from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    name = "yingji.response"
    label = "response"
    verbose_name = _("Response and command")

    def ready(self):
        from yingji.core.audit import track

        from . import models

        for name in models.AUDITED:
            track(getattr(models, name), exclude=("updated_at",))
