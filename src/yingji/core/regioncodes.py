"""GB/T 2260 administrative-division codes (行政区划代码) — pure rules, no Django.

Six digits for province → prefecture → county, nine digits for a street/town (乡镇街道) below a county
(or directly below a prefecture-level city without districts, such as 东莞市).
"""

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    PROVINCE = 1
    PREFECTURE = 2
    COUNTY = 3
    TOWN = 4


@dataclass(frozen=True)
class CodeError(ValueError):
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


def level_of(code: str) -> Level:
    """The level a well-formed code denotes; raises CodeError when the code is malformed."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit() or len(code) not in (6, 9):
        raise CodeError(
            f"行政区划代码“{code}”格式错误：应为6位（省/市/县）或9位（乡镇街道）数字",
            f"Region code '{code}' is malformed: expected 6 digits (province/prefecture/county) or 9 (town)",
        )
    if len(code) == 9:
        if code[6:] == "000":
            raise CodeError(
                f"乡镇街道代码“{code}”的后三位不能为000", f"Town code '{code}' must not end in 000"
            )
        return Level.TOWN
    if code[0] == "0":
        raise CodeError(f"行政区划代码“{code}”的省级代码无效", f"Region code '{code}' has an invalid province part")
    if code[2:] == "0000":
        return Level.PROVINCE
    if code[4:] == "00":
        return Level.PREFECTURE
    if code[2:4] == "00":
        raise CodeError(
            f"县级代码“{code}”的地市部分不能为00", f"County code '{code}' must not have 00 as its prefecture part"
        )
    return Level.COUNTY


def parent_candidates(code: str) -> tuple[str, ...]:
    """Codes the parent may have, nearest first (a town may hang under a prefecture-level city without counties)."""
    level = level_of(code)
    if level == Level.PROVINCE:
        return ()
    if level == Level.PREFECTURE:
        return (code[:2] + "0000",)
    if level == Level.COUNTY:
        return (code[:4] + "00",)
    return (code[:6],)


def subtree_prefix(code: str) -> str:
    """The code prefix every region below (and including) this one shares."""
    level = level_of(code)
    return {Level.PROVINCE: code[:2], Level.PREFECTURE: code[:4], Level.COUNTY: code[:6], Level.TOWN: code}[level]


def is_within(code: str, ancestor: str) -> bool:
    return code.startswith(subtree_prefix(ancestor))
