"""Response pages (应急响应/指挥调度), included at the site root under the namespace "response". The first path
segment of each page is the record kind the scoping matrix (tests/test_scoping_every_endpoint.py) fills."""

from django.urls import path  # noqa: F401 — each part appends its pages below

app_name = "response"

urlpatterns: list = []

# Emergency events (突发事件), response levels and the command page (指挥调度)
from .views import events as event_views  # noqa: E402

urlpatterns += [
    path("emergencies/", event_views.event_list, name="event_list"),
    path("emergencies/new/", event_views.event_create, name="event_create"),
    path("emergencies/<int:pk>/", event_views.event_detail, name="event_detail"),
    path("emergencies/<int:pk>/level/", event_views.event_level, name="event_level"),
    path("emergencies/<int:pk>/start/", event_views.event_start, name="event_start"),
    path("emergencies/<int:pk>/end/", event_views.event_end, name="event_end"),
]
