"""Resident identity numbers (居民身份证号码, GB 11643-1999).

An 18-character number: 6-digit area code, 8-digit birth date, 3-digit sequence and an ISO 7064
MOD 11-2 check character. Customs rejects a list whose buyer's number fails these checks.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_OLDEST_PLAUSIBLE_AGE_YEARS = 120


class IdProblem(str, Enum):
    """Why an identity number is not acceptable."""

    FORMAT = "format"
    CHECK_DIGIT = "check_digit"
    BIRTH_DATE = "birth_date"


def check_character(first17: str) -> str:
    """The check character for the first 17 digits of an identity number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def birth_date(id_number: str) -> dt.date | None:
    """The birth date an identity number encodes, or None when it is not a real date."""
    digits = id_number[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:  # not strptime: customs checks every list's buyer, and strptime is several times slower
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def problem(id_number: str, today: dt.date | None = None) -> IdProblem | None:
    """What is wrong with `id_number`, or None when it passes every check."""
    if len(id_number) != 18 or not id_number[:17].isdigit() or id_number[17] not in "0123456789Xx":
        return IdProblem.FORMAT
    if id_number[17].upper() != check_character(id_number[:17]):
        return IdProblem.CHECK_DIGIT
    born = birth_date(id_number)
    today = today or dt.date.today()
    if born is None or born > today or today.year - born.year > _OLDEST_PLAUSIBLE_AGE_YEARS:
        return IdProblem.BIRTH_DATE
    return None


def make_id_number(area_code: str, born: dt.date, sequence: int) -> str:
    """A valid identity number for the given area, birth date and 3-digit sequence."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
