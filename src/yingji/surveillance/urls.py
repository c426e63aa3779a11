"""Surveillance pages (传染病报告, 审核, 零报告/日报告, 发热门诊, 突发事件报告, 及时性/完整性).

Included at the site root under the namespace "surveillance"; each area has its own first path segment, which
the scoping matrix (tests/test_scoping_every_endpoint.py) maps to a record of that kind.
"""

from django.urls import path

from .views import aggregate, cards, dashboards, events, fever, review, schedules

app_name = "surveillance"

urlpatterns = [
    path("cards/", cards.card_list, name="card_list"),
    path("cards/new/", cards.card_create, name="card_create"),
    path("cards/validate/", cards.card_validate, name="card_validate"),
    path("cards/regions/", cards.region_options, name="card_region_options"),
    path("cards/export.xlsx", cards.card_export, name="card_export"),
    path("cards/<int:pk>/", cards.card_detail, name="card_detail"),
    path("cards/<int:pk>/review/", cards.card_review, name="card_review"),
    path("cards/<int:pk>/return/", cards.card_return, name="card_return"),
    path("cards/<int:pk>/correct/", cards.card_correct, name="card_correct"),
    path("cards/<int:pk>/delete/", cards.card_delete, name="card_delete"),
    path("cards/<int:pk>/merge/", cards.card_merge, name="card_merge"),
    path("review/", review.review_queue, name="review_queue"),
    path("dashboards/", dashboards.timeliness_dashboard, name="timeliness"),
    path("dashboards/completeness/", dashboards.completeness, name="completeness"),
    path("aggregate/", aggregate.aggregate_list, name="aggregate_list"),
    path("aggregate/new/", aggregate.aggregate_create, name="aggregate_create"),
    path("aggregate/<int:pk>/", aggregate.aggregate_detail, name="aggregate_detail"),
    path("schedules/", schedules.schedule_list, name="schedule_list"),
    path("schedules/<int:pk>/end/", schedules.schedule_end, name="schedule_end"),
    path("fever-clinics/", fever.fever_dashboard, name="fever_dashboard"),
    path("fever-clinics/new/", fever.fever_create, name="fever_create"),
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("events/<int:pk>/follow-up/", events.event_follow_up, name="event_follow_up"),
    path("events/<int:pk>/submit/", events.event_submit, name="event_submit"),
]
