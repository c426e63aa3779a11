"""Response pages (应急响应/指挥调度), included at the site root under the namespace "response". The first path
segment of each page is the record kind the scoping matrix (tests/test_scoping_every_endpoint.py) fills."""

from django.urls import path  # noqa: F401 — each part appends its pages below

app_name = "response"

urlpatterns: list = []
