"""我的API令牌: a user's own API tokens. The raw key is shown once, right after it is created."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"), max_length=64,
        help_text=gettext_lazy("What the token is for, e.g. the hospital information system of a hospital."),
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("The expiry must lie in the future."))
        return value


@login_required
def token_list(request):
    raw = None
    form = TokenForm(request.POST) if request.method == "POST" else TokenForm()
    if request.method == "POST" and form.is_valid():
        _token, raw = ApiToken.issue(request.user, form.cleaned_data["name"], form.cleaned_data["expires_at"])
        form = TokenForm()
    tokens = request.user.api_tokens.order_by("-created_at")
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "web/tokens.html", {"form": form, "tokens": tokens, "raw": raw}, status=status)


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # only one's own tokens
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:token_list")
