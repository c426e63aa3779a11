"""Resident identity numbers (公民身份号码, GB 11643-1999) — pure rules, no Django.

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male), 1 check character
computed with ISO 7064 MOD 11-2. The old 15-digit form (2-digit year, no check character) is still accepted,
as the report card's instructions allow.
"""

from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


@dataclass(frozen=True)
class IdNumberError(ValueError):
    message_zh: str
    message_en: str

    def __str__(self):
        return f"{self.message_zh} / {self.message_en}"


@dataclass(frozen=True)
class ResidentId:
    number: str  # normalised: 18 characters, upper-case X
    birth_date: date
    sex: str  # "M" or "F"
    address_code: str


def check_character(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse(raw: str, *, today: date | None = None) -> ResidentId:
    number = (raw or "").strip().upper()
    if len(number) == 15 and number.isdigit():
        birth_text, sequence = "19" + number[6:12], number[12:15]
    elif len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        birth_text, sequence = number[6:14], number[14:17]
        expected = check_character(number[:17])
        if number[17] != expected:
            raise IdNumberError(
                f"身份证号校验码错误：最后一位应为“{expected}”，请核对号码",
                f"The ID number's check character is wrong: the last character should be '{expected}'",
            )
    else:
        raise IdNumberError(
            "身份证号格式错误：应为18位（最后一位可为X）或15位数字",
            "The ID number is malformed: 18 characters (the last may be X) or 15 digits",
        )
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8]))
    except ValueError as exc:
        raise IdNumberError("身份证号中的出生日期无效", "The ID number holds an impossible birth date") from exc
    if birth > (today or date.today()) or birth.year < 1880:
        raise IdNumberError("身份证号中的出生日期不合理", "The ID number's birth date is out of range")
    return ResidentId(number=number, birth_date=birth, sex="M" if int(sequence) % 2 else "F",
                      address_code=number[:6])


def mask(number: str) -> str:
    """Show the first 6 and last 4 characters only (地址码 and the check part), e.g. 320102********123X."""
    number = number or ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
