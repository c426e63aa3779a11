"""The demo city built once for a module's read-only tests, inside a transaction rolled back when the module ends
(like TestCase.setUpTestData: each test still runs in its own savepoint inside it)."""

import time
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings

from yingji.demo.build import build

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py sets for every test


@contextmanager
def demo_for_module(django_db_blocker, label: str = "demo city", **build_options):
    """Build with ``build(**build_options)``; yields the build's summary; rolls everything back afterwards."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                started = time.perf_counter()
                summary = build(**build_options)
                print(f"\n{label} built in {time.perf_counter() - started:.1f} s")
        except BaseException:
            outer.__exit__(None, None, None)
            raise
    try:
        yield summary
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
