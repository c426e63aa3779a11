"""The navigation bar. Each area that exists adds its entry here; entries a role cannot use are hidden.

An entry is a link ``(url name or absolute path, label, bootstrap icon, who may see it)`` or a dropdown
``Group(label, icon, [links…])``: the navbar is crowded, so each domain comes as one dropdown. A group of which a
user may see a single link shows as that plain link. A ``split`` group keeps its first link as a plain link (its
label is the group's) with the other links behind a caret beside it.
"""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _admin_only(user) -> bool:
    return user.is_platform_admin


def _staff(user) -> bool:
    return user.is_staff


def _surveillance(user) -> bool:
    """Surveillance pages: everyone but 120 dispatchers (they report no cards)."""
    return user.is_platform_admin or user.role != "dispatcher"


def _reviewer(user) -> bool:
    """The CDC review queue (待审核)."""
    return user.is_platform_admin or user.role == "cdc"


def _early_warning(user) -> bool:
    """Early-warning pages (监测预警): the regional roles (CDC, commission, leader) and administrators."""
    return user.is_platform_admin or user.role in ("cdc", "health_commission", "leader")


def _response(user) -> bool:
    """Response and command pages (应急响应/指挥调度): the regional roles and administrators."""
    return user.is_platform_admin or user.role in ("cdc", "health_commission", "leader")


class Group(NamedTuple):
    label: object
    icon: str
    links: list
    split: bool = False


# (url name or absolute path, label, bootstrap icon, who may see it (None: every signed-in user))
NAV = [
    ("home", _("Home"), "house", None),
    ("web:region_list", _("Regions"), "map", None),
    ("web:organisation_list", _("Organisations"), "building", None),
    Group(_("Case reports"), "file-earmark-medical", [
        ("surveillance:card_list", _("Case reports"), "file-earmark-medical", _surveillance),
        ("surveillance:review_queue", _("Review"), "clipboard-check", _reviewer),
        ("surveillance:aggregate_list", _("Zero/daily reports"), "calendar-check", _surveillance),
        ("surveillance:fever_dashboard", _("Fever clinics"), "thermometer-half", _surveillance),
        ("surveillance:event_list", _("Event reports"), "exclamation-triangle", _surveillance),
    ], split=True),
    ("surveillance:timeliness", _("Timeliness/completeness"), "speedometer2", _surveillance),
    Group(_("Early warning"), "broadcast", [
        ("detection:signal_list", _("Signals"), "bell", _early_warning),
        ("detection:kpis", _("Early-warning indicators"), "graph-up", _early_warning),
        ("detection:config_list", _("Detection settings"), "sliders", _early_warning),
    ]),
    Group(_("Response"), "lightning-charge", [
        ("response:event_list", _("Emergency events"), "lightning-charge", _response),
        ("response:task_list", _("Tasks"), "list-check", None),
        ("response:checklist_list", _("Scenario checklists"), "card-checklist", _response),
        ("response:inspection_list", _("Inspections"), "clipboard-check", _response),
        ("response:followup_list", _("Daily follow-ups"), "clipboard2-pulse", lambda u: _response(u) or u.role == "reporter"),
        ("response:inspection_ledger", _("Rectification ledger"), "journal-check", lambda u: u.role == "reporter"),
    ]),
    Group(_("System"), "gear-wide-connected", [
        ("web:user_list", _("Users"), "people", _admin_only),
        ("web:audit_log", _("Audit log"), "journal-text", _admin_only),
        ("/api/docs", _("API documentation"), "code-slash", None),
        ("admin:index", _("Administration"), "gear", _staff),
    ]),
]


def _link(entry, user, path):
    url_name, label, icon, allowed = entry
    if allowed is not None and not allowed(user):
        return None
    url = url_name if url_name.startswith("/") else reverse(url_name)
    active = path == url if url == "/" else path.startswith(url)
    return {"url": url, "label": label, "icon": icon, "name": url_name, "active": active}


def items_for(request):
    """The entries the signed-in user may see; a dropdown has ``children`` (and is active when one of them is)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    path = request.path
    for entry in NAV:
        if isinstance(entry, Group):
            children = [c for c in (_link(link, user, path) for link in entry.links) if c]
            if len(children) == 1:
                items.append(children[0])
            elif children and entry.split and children[0]["name"] == entry.links[0][0]:
                main, rest = children[0], children[1:]
                items.append({**main, "children": rest, "split": True,
                              "active": main["active"] or any(c["active"] for c in rest)})
            elif children:
                items.append({"label": entry.label, "icon": entry.icon, "children": children,
                              "active": any(c["active"] for c in children), "name": None, "url": None})
            continue
        link = _link(entry, user, path)
        if link:
            items.append(link)
    return items
