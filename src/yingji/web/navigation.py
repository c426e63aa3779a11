"""The navigation bar. Each area that exists adds its entry here; entries a role cannot use are hidden."""

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


# (url name or absolute path, label, bootstrap icon, who may see it (None: every signed-in user))
NAV = [
    ("home", _("Home"), "house", None),
    ("web:region_list", _("Regions"), "map", None),
    ("web:organisation_list", _("Organisations"), "building", None),
    ("surveillance:card_list", _("Case reports"), "file-earmark-medical", _surveillance),
    ("surveillance:review_queue", _("Review"), "clipboard-check", _reviewer),
    ("surveillance:aggregate_list", _("Zero/daily reports"), "calendar-check", _surveillance),
    ("surveillance:fever_dashboard", _("Fever clinics"), "thermometer-half", _surveillance),
    ("surveillance:event_list", _("Event reports"), "exclamation-triangle", _surveillance),
    ("surveillance:timeliness", _("Timeliness/completeness"), "speedometer2", _surveillance),
    ("web:user_list", _("Users"), "people", _admin_only),
    ("web:audit_log", _("Audit log"), "journal-text", _admin_only),
    ("/api/docs", _("API documentation"), "code-slash", None),
    ("admin:index", _("Administration"), "gear", _staff),
]


def items_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    path = request.path
    for url_name, label, icon, allowed in NAV:
        if allowed is not None and not allowed(user):
            continue
        url = url_name if url_name.startswith("/") else reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"url": url, "label": label, "icon": icon, "name": url_name, "active": active})
    return items
