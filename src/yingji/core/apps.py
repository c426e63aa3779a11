from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yingji.core"
    label = "core"
    verbose_name = _("Platform foundation")

    def ready(self):
        from . import audit

        audit.register_core_models()
