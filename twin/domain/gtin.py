"""GS1 GTIN-14 check digit (mod-10, weights 3,1,3,… from the right, excluding the check digit).

Digits are ASCII 0-9 only: ``str.isdigit`` and ``int`` also accept other scripts' digits
(Arabic-Indic ``٠٦٩``, full-width ``０``), which no barcode carries.
"""

import re

_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits 0-9 (and nothing else)."""
    return _DIGITS.fullmatch(text) is not None


def gtin_check_digit(body: str) -> int:
    """Check digit for the first 13 digits of a GTIN-14."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def make_gtin14(body: str) -> str:
    """Complete a 13-digit body with its check digit."""
    if len(body) != 13 or not ascii_digits(body):
        raise ValueError(f"GTIN body must be 13 digits, got {body!r}")
    return body + str(gtin_check_digit(body))


def gtin_problem(gtin: str) -> str | None:
    """Why ``gtin`` is not a valid GTIN-14, or ``None`` if it is."""
    if len(gtin) != 14 or not ascii_digits(gtin):
        return f"GTIN-14 must be exactly 14 digits (ASCII 0-9), got {gtin!r}"
    expected = gtin_check_digit(gtin[:13])
    if int(gtin[13]) != expected:
        return f"GTIN {gtin} has check digit {gtin[13]}, expected {expected} (GS1 mod-10)"
    return None
