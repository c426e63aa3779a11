"""审计日志: the append-only audit trail, queryable by administrators."""

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from ..helpers import forbidden, paginate, query_without_page


def tracked_content_types():
    from auditlog.registry import auditlog

    models = auditlog.get_models()
    types = ContentType.objects.get_for_models(*models) if models else {}
    return sorted(types.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


class AuditFilter(forms.Form):
    model = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    actor = forms.CharField(label=gettext_lazy("Who (user name)"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Record ID"), required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data):
        super().__init__(data)
        self.fields["model"].choices = [("", gettext_lazy("All"))] + [
            (str(ct.pk), ct.model_class()._meta.verbose_name) for ct in tracked_content_types()
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end date must not lie before the start date."))
        return cleaned

    def apply(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["model"]:
            queryset = queryset.filter(content_type_id=int(data["model"]))
        if data["actor"]:
            actor = data["actor"].strip()
            queryset = queryset.filter(actor__username=actor) | queryset.filter(actor__full_name=actor)
        if data["object_id"]:
            queryset = queryset.filter(object_pk=data["object_id"].strip())
        if data["since"]:
            queryset = queryset.filter(timestamp__date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(timestamp__date__lte=data["until"])
        return queryset


@login_required
def audit_log(request):
    if not request.user.is_platform_admin:
        raise forbidden()
    form = AuditFilter(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound:
        entries = form.apply(entries)
    return render(request, "web/audit_log.html", {
        "filter": form, "page": paginate(request, entries), "query": query_without_page(request),
    })
