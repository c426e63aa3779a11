from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ResponseLevel


class AssigneeKind(models.TextChoices):
    """Who carries out a measure: resolved, when a stage is activated, to the event region's organisation of that
    kind (the lead organisation when the region has none)."""

    LEAD = "lead", _("Lead organisation")
    CDC = "cdc", _("CDC")
    HOSPITAL = "hospital", _("Hospital")
    COMMISSION = "commission", _("Health commission")
    EMS = "ems", _("120 emergency centre")
    LABORATORY = "laboratory", _("Laboratory")
    GOVERNMENT = "government", _("Other government department")


class Checklist(models.Model):
    """A scenario's stage (预案处置清单): the measures to take when the stage is declared, e.g. seed 002's three
    stages of a novel respiratory epidemic (相邻地区发生 → 本地输入或散发 → 本地扩散).

    Reference data every signed-in user reads; ``region`` null means it applies everywhere (the shipped defaults,
    kept by administrators and city health commissions), otherwise it is a jurisdiction's own list. Editing rules
    live in services/checklists.py. ``response_level`` is the level the stage usually goes with (a suggestion on the
    event's task page, never a constraint)."""

    code = models.SlugField(_("code"), max_length=48, unique=True)
    scenario = models.CharField(_("scenario"), max_length=100)
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    name = models.CharField(_("stage name"), max_length=200)
    response_level = models.CharField(_("usual response level"), max_length=8, choices=ResponseLevel.choices,
                                      blank=True)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey("core.Region", verbose_name=_("only within region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin", "health_commission"})

    class Meta:
        ordering = ["scenario", "stage", "pk"]
        verbose_name = _("scenario checklist")
        verbose_name_plural = _("scenario checklists")

    def __str__(self):
        return f"{self.scenario} · {self.name}"


class ChecklistItem(models.Model):
    """One measure of a checklist: what, who (a kind of organisation), within how many hours of activation."""

    checklist = models.ForeignKey(Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE,
                                  related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assignee_kind = models.CharField(_("responsible (kind)"), max_length=16, choices=AssigneeKind.choices,
                                     default=AssigneeKind.LEAD)
    due_hours = models.PositiveIntegerField(_("due within (hours)"), default=24)
    statutory = models.BooleanField(_("statutory"), default=False,
                                    help_text=_("Required by law or regulation (e.g. 2-hour direct reporting)."))
    active = models.BooleanField(_("active"), default=True)

    scope_region_field = None
    scope_org_field = None
    scope_writer_roles = frozenset({"admin", "health_commission"})

    class Meta:
        ordering = ["checklist", "order", "pk"]
        verbose_name = _("checklist measure")
        verbose_name_plural = _("checklist measures")

    def __str__(self):
        return f"{self.order}. {self.title}"


class ChecklistActivation(models.Model):
    """A stage declared for an event (启动处置清单): once per event and checklist; its tasks are the event's."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="checklist_activations")
    checklist = models.ForeignKey(Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT,
                                  related_name="activations")
    activated_at = models.DateTimeField(_("activated at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("activated by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = frozenset({"admin", "health_commission", "cdc"})

    class Meta:
        ordering = ["event", "activated_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "checklist"], name="one_activation_per_stage")]
        verbose_name = _("checklist activation")
        verbose_name_plural = _("checklist activations")

    def __str__(self):
        return f"{self.event_id}: {self.checklist}"
