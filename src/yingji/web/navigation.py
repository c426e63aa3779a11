"""The navigation bar. Each area that exists adds its entry here; entries a role cannot use are hidden."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("home", _("Home"), "house", None),
]


def items_for(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for url_name, label, icon, allowed in NAV:
        if allowed is None or allowed(user):
            items.append({"url": reverse(url_name), "label": label, "icon": icon, "name": url_name})
    return items
