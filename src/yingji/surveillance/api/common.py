"""Types shared by the surveillance API modules.

``IsoDate`` is the one date type of every query parameter and body field: ISO 8601 text ``YYYY-MM-DD`` only.
pydantic's lax mode would otherwise read a bare number (``20240101``, ``0``) as a Unix time and turn it into some
date, so a typo or a client sending the wrong type would silently filter or save the wrong day.

Schema classes of the API are components of one OpenAPI document, keyed by class name: two classes with the same
name in different routers overwrite each other there (tests/surveillance/test_api_schema.py guards this), so every
schema class here has a name of its own (CardOrgRef, UnitRef …).
"""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value):
    """A date is ISO text YYYY-MM-DD (or already a date); numbers and other text shapes are refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic checks the day exists
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
