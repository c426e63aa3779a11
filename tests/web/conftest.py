"""Fixtures for page tests. The zh_Hans catalogue is compiled first, so pages render in Chinese."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/yingji/locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")

# Before any test activates a language (Django caches catalogues once loaded).
if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
    subprocess.run([sys.executable, str(ROOT / "scripts/compile_messages.py")], check=True)


@pytest.fixture
def login(client):
    """login(user) → the test client signed in as ``user`` (Chinese, the default language)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def text(response) -> str:
    return response.content.decode()
