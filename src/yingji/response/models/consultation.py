from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

WRITERS = frozenset({"admin", "health_commission", "cdc"})
BY_EVENT = {"scope_region_field": "consultation__event__region__code",
            "scope_org_field": "consultation__event__lead_org"}


class ConsultationKind(models.TextChoices):
    DAILY = "daily", _("Daily consultation")
    SPECIAL = "special", _("Special consultation")
    EXPERT = "expert", _("Expert consultation")


class Consultation(models.Model):
    """A consultation meeting (会商研判) on an event: when, what kind, where (or online), who chaired and took part,
    the materials, the conclusions and the decisions that follow."""

    event = models.ForeignKey("response.Event", verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="consultations")
    held_at = models.DateTimeField(_("held at"))
    kind = models.CharField(_("kind"), max_length=16, choices=ConsultationKind.choices,
                            default=ConsultationKind.SPECIAL)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online (video conference)"), default=False)
    chair = models.CharField(_("chair"), max_length=100)
    agenda = models.TextField(_("agenda"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    organiser = models.ForeignKey("core.Organisation", verbose_name=_("organiser"), on_delete=models.PROTECT,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_region_field = "event__region__code"
    scope_org_field = "event__lead_org"
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return f"{self.event_id}: {self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class ConsultationParticipant(models.Model):
    """Someone who took part: a platform user, or a named expert or delegate with their organisation (the expert
    pool comes with the preparedness app; until then a name and an organisation in words)."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE,
                                     related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role (expert, department …)"), max_length=100, blank=True)

    scope_region_field = BY_EVENT["scope_region_field"]
    scope_org_field = BY_EVENT["scope_org_field"]
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.name


def material_path(instance, filename):
    return f"consultations/{instance.consultation_id}/{filename}"


class ConsultationMaterial(models.Model):
    """A file laid before the meeting (PDF, Word, Excel, image …; type and size checked by the service)."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE,
                                     related_name="materials")
    file = models.FileField(_("file"), upload_to=material_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    scope_region_field = BY_EVENT["scope_region_field"]
    scope_org_field = BY_EVENT["scope_org_field"]
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.name


class Decision(models.Model):
    """A decision of the meeting: what, which organisation answers for it, by when; it may become a task
    (``task_ref`` names it once created)."""

    consultation = models.ForeignKey(Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE,
                                     related_name="decisions")
    text = models.TextField(_("decision"))
    responsible_org = models.ForeignKey("core.Organisation", verbose_name=_("responsible organisation"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    task_ref = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_region_field = BY_EVENT["scope_region_field"]
    scope_org_field = BY_EVENT["scope_org_field"]
    scope_writer_roles = WRITERS

    class Meta:
        ordering = ["consultation", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.text[:50]
