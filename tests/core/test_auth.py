"""Passwords, sessions and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings
from django.utils import timezone

from yingji.core.models import ApiToken
from yingji.core.roles import Role

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_settings_hash_passwords_with_argon2id():
    from yingji import settings as project_settings

    assert project_settings.PASSWORD_HASHERS == PRODUCTION_HASHERS
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        encoded = make_password("Correct-Horse-9")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("Correct-Horse-9", encoded)


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY


def test_tokens_are_stored_hashed_and_shown_once(city):
    user = city.a.users[Role.CDC]
    token, raw = ApiToken.issue(user, "HIS 对接")
    assert raw.startswith("yj_") and raw not in token.key_hash and len(raw) > 40
    assert ApiToken.authenticate(raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_expired_and_foreign_tokens_are_refused(city):
    user = city.a.users[Role.CDC]
    revoked, raw_revoked = ApiToken.issue(user, "old")
    revoked.revoked_at = timezone.now()
    revoked.save()
    _, raw_expired = ApiToken.issue(user, "expired", expires_at=timezone.now() - timedelta(minutes=1))
    assert ApiToken.authenticate(raw_revoked) is None
    assert ApiToken.authenticate(raw_expired) is None
    assert ApiToken.authenticate("yj_not-a-real-token") is None
    assert ApiToken.authenticate("") is None
    _, raw = ApiToken.issue(user, "current")
    user.is_active = False
    user.save()
    assert ApiToken.authenticate(raw) is None
