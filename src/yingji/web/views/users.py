"""Users (用户): list and detail, for administrators; always through the scoping function."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from yingji.core import scoping
from yingji.core.models import User
from yingji.core.roles import Role

from ..helpers import forbidden, paginate, query_without_page, scoped_object


def _require_admin(user):
    if not user.is_platform_admin:
        raise forbidden()


@login_required
def user_list(request):
    _require_admin(request.user)
    users = scoping.scope(request.user, User.objects.select_related("organisation", "organisation__region"))
    role = request.GET.get("role", "")
    q = request.GET.get("q", "").strip()
    if role:
        users = users.filter(role=role)
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(organisation__name__icontains=q)
        )
    users = users.order_by("organisation__region__code", "organisation__name", "username")
    return render(request, "web/users/list.html", {
        "page": paginate(request, users), "roles": Role.choices, "role": role, "q": q,
        "query": query_without_page(request),
    })


@login_required
def user_detail(request, pk):
    _require_admin(request.user)
    person = scoped_object(request.user, User.objects.select_related("organisation", "organisation__region"), pk=pk)
    tokens = person.api_tokens.order_by("-created_at")
    return render(request, "web/users/detail.html", {"person": person, "tokens": tokens})
