"""Small helpers shared by the page views: scoping errors → HTTP, service errors → form errors, paging."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404
from django.utils import translation

from yingji.core import scoping
from yingji.core.errors import NotFound, NotPermitted, YingjiError

PAGE_SIZE = 50


def pick(message: str, message_en: str) -> str:
    """The message in the active language."""
    return message_en if (translation.get_language() or "").startswith("en") else message


def forbidden(exc: YingjiError | None = None) -> PermissionDenied:
    exc = exc or NotPermitted()
    return PermissionDenied(f"{exc.message} / {exc.message_en}")


def scoped_object(user, queryset, *, write: bool = False, **lookup):
    """The record within the user's reach: 404 outside the jurisdiction, 403 when the user may only read it."""
    try:
        return scoping.get_scoped(user, queryset, write=write, **lookup)
    except NotFound as exc:
        raise Http404(f"{exc.message} / {exc.message_en}") from exc
    except NotPermitted as exc:
        raise forbidden(exc) from exc


def may_create(user, model) -> bool:
    """Whether the user may create ``model`` records somewhere in their own reach (shows the buttons)."""
    if user.is_platform_admin:
        return True
    org = user.organisation
    if org is None:
        return False
    return scoping.may_place(user, model, region_code=org.region_id, owner_org_id=org.pk)


def attach_errors(form, exc: YingjiError):
    """Show a service's field errors (Chinese or English, whichever is active) on a bound form."""
    errors = ErrorDict()
    for name, messages in (exc.fields or {}).items():
        key = name if name in form.fields else "__all__"
        errors.setdefault(key, ErrorList()).extend(pick(m["message"], m["message_en"]) for m in messages)
    if not errors:
        errors["__all__"] = ErrorList([pick(exc.message, exc.message_en)])
    form._errors = errors
    return form


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current filters as a query string, without the page number or empty values."""
    params = request.GET.copy()
    params.pop("page", None)
    for key in [k for k, values in params.lists() if not any(v.strip() for v in values)]:
        del params[key]
    return params.urlencode()
