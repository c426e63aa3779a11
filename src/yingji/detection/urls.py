"""Early-warning pages (监测预警): signals (预警信号) and a signal's page with its verification form, the detection
configuration (预警配置) and the response indicators (预警工作指标).

Included at the site root under the namespace "detection". The first path segments (``signals``, ``detection``)
are the record kinds the scoping matrix (tests/test_scoping_every_endpoint.py) fills.
"""

from django.urls import path

from .views import configs, kpis, signals

app_name = "detection"

urlpatterns = [
    path("signals/", signals.signal_list, name="signal_list"),
    path("signals/<int:pk>/", signals.signal_detail, name="signal_detail"),
    path("signals/<int:pk>/act/", signals.signal_act, name="signal_act"),
    path("detection/settings/", configs.config_list, name="config_list"),
    path("detection/settings/new/", configs.config_create, name="config_create"),
    path("detection/settings/<int:pk>/", configs.config_edit, name="config_edit"),
    path("detection/indicators/", kpis.kpi_page, name="kpis"),
]
