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
    path("checklists/new/", checklist_views.checklist_create, name="checklist_create"),
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
    path("followups/teams/", followup_views.team_list, name="followup_teams"),
    path("followups/<int:pk>/", followup_views.followup_detail, name="followup_detail"),
]

from .views import command as command_views  # noqa: E402

urlpatterns += [path("emergencies/<int:pk>/command/", command_views.event_command, name="event_command")]

# Risk assessment (风险评估), consultations (会商研判) and situation reports (信息报送)
from .views import assessments as assessment_views  # noqa: E402
from .views import consultations as consultation_views  # noqa: E402
from .views import sitreps as sitrep_views  # noqa: E402

urlpatterns += [
    path("emergencies/<int:pk>/assessments/", assessment_views.event_assessments, name="event_assessments"),
    path("assessments/matrix/", assessment_views.risk_matrix, name="risk_matrix"),
    path("assessments/<int:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("emergencies/<int:pk>/consultations/", consultation_views.event_consultations, name="event_consultations"),
    path("consultations/<int:pk>/", consultation_views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/record/", consultation_views.consultation_record, name="consultation_record"),
    path("consultations/<int:pk>/participants/", consultation_views.consultation_participant,
         name="consultation_participant"),
    path("consultations/<int:pk>/decisions/", consultation_views.consultation_decision, name="consultation_decision"),
    path("consultations/<int:pk>/decisions/<int:decision_id>/task/", consultation_views.consultation_decision_task,
         name="consultation_decision_task"),
    path("consultations/<int:pk>/materials/", consultation_views.consultation_material, name="consultation_material"),
    path("consultations/<int:pk>/materials/<int:material_id>/", consultation_views.consultation_material_file,
         name="consultation_material_file"),
    path("consultations/<int:pk>/materials/<int:material_id>/delete/",
         consultation_views.consultation_material_delete, name="consultation_material_delete"),
    path("emergencies/<int:pk>/reports/", sitrep_views.event_reports, name="event_reports"),
    path("emergencies/<int:pk>/reports/new/", sitrep_views.event_report_create, name="event_report_create"),
    path("sitreps/<int:pk>/", sitrep_views.sitrep_detail, name="sitrep_detail"),
    path("sitreps/<int:pk>/print/", sitrep_views.sitrep_print, name="sitrep_print"),
]

urlpatterns += [path("emergencies/<int:pk>/edit/", event_views.event_edit, name="event_edit")]
