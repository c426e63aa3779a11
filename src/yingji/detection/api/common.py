"""Types shared by the detection API modules.

Schema classes are components of one OpenAPI document keyed by class name, so every class here has a name no
other router uses (Signal…, Detection…).
"""

import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from yingji.core import regioncodes
from yingji.core.api_schemas import NO_NUL
from yingji.core.errors import InvalidInput, field_message

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


DetIsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
REGION_QUERY = Field(None, min_length=1, max_length=9, pattern=NO_NUL, description="区划代码，含下级 / region subtree")
DISEASE_QUERY = Field(None, min_length=1, max_length=16, pattern=NO_NUL, description="病种编码 / disease code")


def lit(choices) -> Any:
    return Literal[tuple(choices.values)]


def user_of(request: HttpRequest):
    return request.auth


def number(value) -> float | None:
    """A JSON-safe number: nan and infinities become null."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def check_region(code: str | None) -> str | None:
    if not code:
        return None
    try:
        regioncodes.level_of(code)
    except regioncodes.CodeError as exc:
        raise InvalidInput({"region": [field_message(exc.message_zh, exc.message_en)]}) from exc
    return code


class DetectionCodeName(Schema):
    code: str
    name: str


class DetectionOrgRef(Schema):
    id: int
    code: str
    name: str
