"""Enumerations of response and command (应急响应). Values are stable codes; labels are English msgids translated
to Chinese. Event category and grade are the surveillance app's (the statutory ones), not repeated here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponseLevel(models.TextChoices):
    """应急响应级别 (statutory-rules §3.2): Ⅰ national … Ⅳ county. ``none`` before a response starts / after it ends."""

    NONE = "none", _("No response")
    I = "I", _("Level I response")  # noqa: E741 — the statutory level is written I
    II = "II", _("Level II response")
    III = "III", _("Level III response")
    IV = "IV", _("Level IV response")


# Higher urgency first: I is the highest level. Used to tell an escalation from a de-escalation.
LEVEL_RANK = {ResponseLevel.NONE: 0, ResponseLevel.IV: 1, ResponseLevel.III: 2, ResponseLevel.II: 3,
              ResponseLevel.I: 4}


class EventStatus(models.TextChoices):
    """启动 → 处置中 → 终止 (a closing summary is required to end an event)."""

    STARTED = "started", _("Started")
    ONGOING = "ongoing", _("Being handled")
    ENDED = "ended", _("Ended")


class EventOrigin(models.TextChoices):
    MANUAL = "manual", _("Created by hand")
    SIGNAL = "signal", _("From an early-warning signal")
    EVENT_REPORT = "event_report", _("From a public-health event report")
