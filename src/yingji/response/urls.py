"""Response pages (应急响应/指挥调度), included at the site root under the namespace "response". The first path
segment of each page is the record kind the scoping matrix (tests/test_scoping_every_endpoint.py) fills."""

from django.urls import path  # each part appends its pages below

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

# Inspection and rectification (督导检查/整改台账)
from .views import inspections as inspection_views  # noqa: E402

urlpatterns += [
    path("inspections/", inspection_views.inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_views.inspection_create, name="inspection_create"),
    path("inspections/ledger/", inspection_views.ledger, name="inspection_ledger"),
    path("inspections/ledger.xlsx", inspection_views.ledger_export, name="inspection_ledger_export"),
    path("inspections/<int:pk>/", inspection_views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/new/", inspection_views.inspection_add_finding, name="inspection_add_finding"),
    path("inspections/<int:pk>/review/", inspection_views.inspection_review, name="inspection_review"),
    path("findings/<int:pk>/", inspection_views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/evidence/", inspection_views.finding_evidence, name="finding_evidence"),
]

# Tasks (任务) and scenario checklists (预案处置清单)
from .views import checklists as checklist_views  # noqa: E402
from .views import tasks as task_views  # noqa: E402

urlpatterns += [
    path("emergencies/<int:pk>/tasks/", task_views.event_tasks, name="event_tasks"),
    path("emergencies/<int:pk>/tasks/activate/", task_views.event_activate, name="event_activate"),
    path("emergencies/<int:pk>/tasks/new/", task_views.event_task_create, name="event_task_create"),
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/status/", task_views.task_step, name="task_step"),
    path("tasks/<int:pk>/notes/", task_views.task_note, name="task_note"),
    path("tasks/<int:pk>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/notes/<int:note_id>/attachment/", task_views.task_attachment, name="task_attachment"),
    path("checklists/", checklist_views.checklist_list, name="checklist_list"),
    path("checklists/<int:pk>/", checklist_views.checklist_detail, name="checklist_detail"),
]

# Epidemiological investigation and close contacts (流调/密接), daily follow-ups (每日随访)
from .views import contacts as contact_views  # noqa: E402
from .views import followups as followup_views  # noqa: E402

urlpatterns += [
    path("emergencies/<int:pk>/investigation/", contact_views.event_investigation, name="event_investigation"),
    path("emergencies/<int:pk>/investigation/cases/new/", contact_views.investigation_add_case,
         name="investigation_add_case"),
    path("emergencies/<int:pk>/investigation/contacts/new/", contact_views.investigation_add_contact,
         name="investigation_add_contact"),
    path("contacts/<int:pk>/", contact_views.contact_detail, name="contact_detail"),
    path("followups/", followup_views.followup_list, name="followup_list"),
    path("followups/<int:pk>/", followup_views.followup_detail, name="followup_detail"),
]

from .views import command as command_views  # noqa: E402

urlpatterns += [path("emergencies/<int:pk>/command/", command_views.event_command, name="event_command")]
