"""The CDC review queue (待审核): cards awaiting review within the user's jurisdiction, the nearest review deadline
first, overdue ones highlighted. The deadline and its status come from services.timeliness."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yingji.core.models import Region
from yingji.web.helpers import query_without_page

from ..choices import CardStatus
from ..services import cards as card_service
from ..services import timeliness
from .cards import badge, disease_choices, review_badge
from .common import EVERYTHING, Choice, TypedChoice, http_errors, is_cdc, region_choices, unit_choices

PAGE_SIZE = 100
FAR_FUTURE = timezone.make_aware(timezone.datetime(9999, 1, 1))


class QueueFilter(forms.Form):
    disease = Choice(label=gettext_lazy("Disease"), required=False)
    region = Choice(label=gettext_lazy("Current address"), required=False)
    reporting_org = TypedChoice(label=gettext_lazy("Reporting organisation"), required=False, coerce=int,
                                           empty_value=None)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["disease"].choices = disease_choices(leaves_only=False, blank=EVERYTHING)
        self.fields["region"].choices = region_choices(user, max_level=Region.LevelChoices.TOWN)
        self.fields["reporting_org"].choices = unit_choices(user)

    def card_filter(self):
        data = self.cleaned_data if self.is_valid() else {}
        return card_service.CardFilter(status=CardStatus.SUBMITTED, disease=data.get("disease") or None,
                                       region=data.get("region") or None, reporting_org=data.get("reporting_org"))


@login_required
def review_queue(request):
    form = QueueFilter(request.GET or None, user=request.user)
    now = timezone.now()
    with http_errors():
        cards = card_service.filter_cards(request.user, form.card_filter()) if form.is_valid() or not form.is_bound \
            else card_service.cards().none()
    rows = []
    cdc = is_cdc(request.user)
    for card in cards:
        review = timeliness.card_review_timeliness(card, now=now)
        rows.append({"card": card, "review": review_badge(review), "deadline": review.deadline,
                     "overdue": str(review.status) == "overdue", "report": badge(timeliness.card_timeliness(card)),
                     "may_review": cdc and card_service.is_reviewer(request.user, card)})
    rows.sort(key=lambda r: (r["deadline"] or FAR_FUTURE, r["card"].reported_at, r["card"].pk))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = sum(1 for r in rows if r["overdue"])
    return render(request, "surveillance/review/queue.html", {
        "filter": form, "page": page, "rows": page.object_list, "total": len(rows), "overdue": overdue,
        "query": query_without_page(request),
    })
