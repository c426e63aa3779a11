from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """Remembers which record a client key created, so a retried create returns it instead of a duplicate."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    scope = models.CharField(max_length=64)  # which create endpoint, e.g. "core.organisation"
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)  # hash of the request body: same key, other body → conflict
    object_pk = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="unique_idempotency_key_per_user_scope")
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"
