import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a machine client (hospital information system, LIS …). Only its hash is stored."""

    PREFIX = "yj_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def issue(cls, user, name: str, expires_at=None) -> tuple["ApiToken", str]:
        """Create a token and return it with the raw key, which is shown once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=hash_token(raw), key_hint=raw[:10], expires_at=expires_at
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        """The active user behind a raw key, or None."""
        if not raw or not raw.startswith(cls.PREFIX):
            return None
        token = cls.objects.select_related("user").filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()
        now = timezone.now()
        if token is None or (token.expires_at and token.expires_at <= now) or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user
