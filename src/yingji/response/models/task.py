from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# The steps a task may take (services/tasks.py); cancelling needs a reason, reopening a done task is allowed.
TASK_TRANSITIONS = {
    TaskStatus.TODO: (TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED),
    TaskStatus.IN_PROGRESS: (TaskStatus.DONE, TaskStatus.TODO, TaskStatus.CANCELLED),
    TaskStatus.DONE: (TaskStatus.IN_PROGRESS,),
    TaskStatus.CANCELLED: (TaskStatus.TODO,),
}
OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class TaskOrigin(models.TextChoices):
    CHECKLIST = "checklist", _("Scenario checklist")
    STATUTORY = "statutory", _("Statutory rule")
    MANUAL = "manual", _("Added by hand")


class StatutoryRule(models.TextChoices):
    EPI_INVESTIGATION = "epi_investigation", _("Epidemiological investigation of a case")
    DAILY_REPORT = "daily_report", _("Daily report while a response is active")


class Task(models.Model):
    """A piece of work of an event (任务), assigned to an organisation (and optionally a named team), with a deadline
    and a status. Made by activating a checklist stage, by a statutory rule (a case's epidemiological investigation,
    the daily report while a response is active) or by hand. Overdue = past the deadline and not done or cancelled;
    shown live and flagged hourly (``overdue_flagged_at``) when the assignee is reminded.

    Readable within the event's jurisdiction and by the assignee's region/organisation (a district CDC sees the
    city event's tasks given to it)."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assignee_org = models.ForeignKey("core.Organisation", verbose_name=_("assigned to"), on_delete=models.PROTECT,
                                     related_name="response_tasks")
    assignee_team = models.CharField(_("team"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    origin = models.CharField(_("origin"), max_length=16, choices=TaskOrigin.choices, default=TaskOrigin.MANUAL)
    checklist_item = models.ForeignKey("response.ChecklistItem", verbose_name=_("checklist measure"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="tasks")
    activation = models.ForeignKey("response.ChecklistActivation", verbose_name=_("checklist activation"),
                                   null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    statutory = models.BooleanField(_("statutory"), default=False)
    rule = models.CharField(_("statutory rule"), max_length=32, choices=StatutoryRule.choices, blank=True)
    rule_key = models.CharField(_("rule key"), max_length=64, blank=True,
                                help_text=_("What the rule made the task for (a case, a day): one task each."))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = ("event__region__code", "assignee_org__region__code")
    scope_org_field = "assignee_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc", "reporter", "dispatcher"})

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "checklist_item"], condition=Q(checklist_item__isnull=False),
                                    name="one_task_per_event_measure"),
            models.UniqueConstraint(fields=["event", "rule", "rule_key"], condition=~Q(rule=""),
                                    name="one_task_per_event_rule_key"),
        ]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["event", "status"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    def is_overdue(self, now=None) -> bool:
        return self.status in OPEN_TASK_STATUSES and self.deadline < (now or timezone.now())


def attachment_path(note, filename: str) -> str:
    now = timezone.now()
    return f"response/tasks/{now:%Y/%m}/{note.task_id}-{filename}"


class TaskNote(models.Model):
    """A progress note on a task (进展), by a user, optionally with one attachment (checked for size and type in
    services/tasks.py; stored under MEDIA_ROOT and served only through the task's scoped page)."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    text = models.TextField(_("note"), blank=True)
    status_from = models.CharField(_("from"), max_length=16, choices=TaskStatus.choices, blank=True)
    status_to = models.CharField(_("to"), max_length=16, choices=TaskStatus.choices, blank=True)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, max_length=255, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    attachment_type = models.CharField(_("file type"), max_length=100, blank=True)

    scope_region_field = ("task__event__region__code", "task__assignee_org__region__code")
    scope_org_field = "task__assignee_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc", "reporter", "dispatcher"})

    class Meta:
        ordering = ["task", "at", "pk"]
        verbose_name = _("task note")
        verbose_name_plural = _("task notes")

    def __str__(self):
        return f"{self.task_id} @ {self.at:%Y-%m-%d %H:%M}"
