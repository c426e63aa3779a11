"""Yingji 应急 — public-health emergency management platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
