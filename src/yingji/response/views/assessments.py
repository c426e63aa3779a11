"""Risk assessment pages (风险评估): an event's assessments with the 5×5 matrix (the latest assessment's cell
highlighted) and the form to record one (``/emergencies/<pk>/assessments/``), one assessment
(``/assessments/<pk>/``), and the matrix in force (``/assessments/matrix/``; platform administrators change cells).

Every query goes through core.scoping; every rule is services.assessments'."""

from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import scoping
from yingji.core.errors import NotFound, NotPermitted, YingjiError
from yingji.core.models import Organisation
from yingji.web.helpers import attach_errors, forbidden, pick, scoped_object

from .. import riskmatrix
from ..choices import EventStatus, ResponseLevel
from ..models import Event, RiskAssessment, RiskLevel
from ..services import assessments as svc

RISK_CSS = {"low": "risk-low", "medium": "risk-medium", "high": "risk-high", "very_high": "risk-very-high"}
RISK_COLOURS = {"low": "#b7e1a1", "medium": "#ffe08a", "high": "#f8a95c", "very_high": "#e4572e"}


@contextmanager
def http_errors():
    """Scoping errors of a service become 404 / 403 pages."""
    try:
        yield
    except NotFound as exc:
        raise Http404(f"{exc.message} / {exc.message_en}") from exc
    except NotPermitted as exc:
        raise forbidden(exc) from exc


def error_line(exc: YingjiError) -> str:
    texts = [pick(m["message"], m["message_en"]) for ms in (exc.fields or {}).values() for m in ms]
    return "；".join(texts) if texts else pick(exc.message, exc.message_en)


def event_header(request, event, current: str) -> dict:
    """The events part's header and tab bar (a plain header when that part is absent)."""
    try:
        from .events import event_context
    except ImportError:
        return {"event": event, "tabs": []}
    return event_context(request, event, current)


def _resolves(name: str, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def may_change(user, event) -> bool:
    return event.status != EventStatus.ENDED and scoping.can(user, event, write=True)


def level_text(level: str) -> str:
    return str(ResponseLevel(level).label) if level in ResponseLevel.values else level


def matrix_context(table=None, chosen=None) -> list[dict]:
    rows = svc.matrix_rows(table, chosen=chosen)
    risk_labels = dict(RiskLevel.choices)
    for row in rows:
        row["text"] = pick(row["label"], row["label_en"])
        for cell in row["cells"]:
            cell["colour"] = RISK_COLOURS[cell["risk_level"]]
            cell["risk_text"] = risk_labels[cell["risk_level"]]
            cell["level_text"] = level_text(cell["recommended_level"])
    return rows


def consequence_headers() -> list[dict]:
    return [{"score": k, "text": pick(*v)} for k, v in riskmatrix.CONSEQUENCE_LABELS.items()]


def _score_choices(labels) -> list:
    return [("", "---------")] + [(str(k), f"{k} · {pick(*v)}") for k, v in labels.items()]


class AssessmentForm(forms.Form):
    likelihood = forms.ChoiceField(label=gettext_lazy("Likelihood"), choices=[])
    consequence = forms.ChoiceField(label=gettext_lazy("Consequence"), choices=[])
    assessed_at = forms.DateTimeField(label=gettext_lazy("Assessed at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    topic = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=200)
    assessor_org = forms.TypedChoiceField(label=gettext_lazy("Assessing organisation"), coerce=int, required=False)
    assessors = forms.CharField(label=gettext_lazy("Assessors (experts, departments)"), required=False,
                                max_length=500)
    likelihood_note = forms.CharField(label=gettext_lazy("Likelihood: basis"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    consequence_note = forms.CharField(label=gettext_lazy("Consequence: basis"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    rationale = forms.CharField(label=gettext_lazy("Rationale and conclusion"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=gettext_lazy("Recommended measures"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, user, initial=None):
        super().__init__(data, initial=initial)
        self.fields["likelihood"].choices = _score_choices(riskmatrix.LIKELIHOOD_LABELS)
        self.fields["consequence"].choices = _score_choices(riskmatrix.CONSEQUENCE_LABELS)
        orgs = scoping.scope(user, Organisation.objects.filter(is_active=True)).order_by("region__code", "name")
        self.fields["assessor_org"].choices = [(o.pk, o.name) for o in orgs[:500]]

    def values(self) -> dict:
        data = self.cleaned_data
        return {"likelihood": int(data["likelihood"]), "consequence": int(data["consequence"]),
                "assessed_at": data["assessed_at"], "topic": data["topic"], "assessors": data["assessors"],
                "assessor_org": data["assessor_org"], "likelihood_note": data["likelihood_note"],
                "consequence_note": data["consequence_note"], "rationale": data["rationale"],
                "measures": data["measures"]}


def _assessment_rows(qs) -> list[dict]:
    return [{"a": a, "colour": RISK_COLOURS.get(a.risk_level, "#eee"),
             "likelihood_text": pick(*riskmatrix.LIKELIHOOD_LABELS[a.likelihood]),
             "consequence_text": pick(*riskmatrix.CONSEQUENCE_LABELS[a.consequence])} for a in qs]


@login_required
def event_assessments(request, pk):
    user = request.user
    event = scoped_object(user, Event.objects.select_related("region", "lead_org"), write=request.method == "POST",
                          pk=pk)
    writable = may_change(user, event)
    form = AssessmentForm(request.POST if request.method == "POST" else None, user=user,
                          initial={"assessor_org": user.organisation_id,
                                   "assessed_at": timezone.localtime().replace(second=0, microsecond=0)})
    if request.method == "POST":
        if form.is_valid():
            try:
                with http_errors():
                    assessment = svc.create_assessment(user, event, **form.values())
            except YingjiError as exc:
                if exc.fields:
                    attach_errors(form, exc)
                else:
                    messages.error(request, error_line(exc))
                    return redirect("response:event_assessments", pk=event.pk)
            else:
                messages.success(request, _("Risk assessment recorded: %(risk)s, recommended %(level)s.") % {
                    "risk": assessment.get_risk_level_display(), "level": assessment.get_recommended_level_display()})
                return redirect("response:assessment_detail", pk=assessment.pk)
    assessments = list(svc.assessments(user, event).order_by("-assessed_at", "-pk"))
    latest = assessments[0] if assessments else None
    chosen = (latest.likelihood, latest.consequence) if latest else None
    return render(request, "response/assessments.html", {
        **event_header(request, event, "response:event_assessments"),
        "rows": _assessment_rows(assessments), "latest": latest, "form": form if writable else None,
        "may_level": writable and _resolves("response:event_level", event.pk),
        "matrix": matrix_context(chosen=chosen), "consequences": consequence_headers(),
    }, status=422 if form.is_bound and form.errors else 200)


@login_required
def assessment_detail(request, pk):
    assessment = scoped_object(request.user, RiskAssessment.objects.select_related(
        "event__region", "event__lead_org", "assessor_org", "created_by"), pk=pk)
    if request.method == "POST":
        raise forbidden()  # assessments are a record: recorded once, never changed
    event = assessment.event
    return render(request, "response/assessment_detail.html", {
        **event_header(request, event, "response:event_assessments"),
        "a": assessment, "row": _assessment_rows([assessment])[0],
        "matrix": matrix_context(chosen=(assessment.likelihood, assessment.consequence)),
        "consequences": consequence_headers(),
    })


class MatrixCellForm(forms.Form):
    likelihood = forms.TypedChoiceField(coerce=int, choices=[(k, k) for k in riskmatrix.SCALE])
    consequence = forms.TypedChoiceField(coerce=int, choices=[(k, k) for k in riskmatrix.SCALE])
    risk_level = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=RiskLevel.choices)
    recommended_level = forms.ChoiceField(label=gettext_lazy("Recommended response level"),
                                          choices=ResponseLevel.choices)


@login_required
def risk_matrix(request):
    """The matrix in force; a platform administrator changes a cell (back to the default removes the change)."""
    user = request.user
    if request.method == "POST":
        if not user.is_platform_admin:
            raise forbidden()
        form = MatrixCellForm(request.POST)
        if form.is_valid():
            try:
                with http_errors():
                    svc.set_matrix_cell(user, form.cleaned_data["likelihood"], form.cleaned_data["consequence"],
                                        risk_level=form.cleaned_data["risk_level"],
                                        recommended_level=form.cleaned_data["recommended_level"])
            except YingjiError as exc:
                messages.error(request, error_line(exc))
            else:
                messages.success(request, _("The risk matrix was changed."))
        else:
            messages.error(request, _("Choose a cell, a risk level and a response level."))
        return redirect("response:risk_matrix")
    table = svc.matrix_table()
    default = riskmatrix.default_table()
    matrix = matrix_context(table)
    for row in matrix:
        for cell in row["cells"]:
            cell["overridden"] = table[(cell["likelihood"], cell["consequence"])] != \
                default[(cell["likelihood"], cell["consequence"])]
    return render(request, "response/assessment_matrix.html", {
        "matrix": matrix, "consequences": consequence_headers(), "may_edit": user.is_platform_admin,
        "form": MatrixCellForm(), "risk_levels": RiskLevel.choices, "response_levels": ResponseLevel.choices,
    })
