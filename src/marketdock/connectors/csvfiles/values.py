"""Cell text ↔ Python values for the warehouse CSV layouts.

Each column has a *kind* (text, int, decimal, date, datetime). Parsing turns a cell into
a value or raises :class:`CellError` with a message a warehouse operator understands;
formatting gives the one canonical spelling the writer uses.

Formula guard (CWE-1236): a cell that a spreadsheet would run as a formula (first
character ``= + - @``, tab or CR) is written with a leading apostrophe. To keep the
guard reversible, a value that already is apostrophes followed by such a character gets
one more apostrophe; reading strips exactly one apostrophe from cells of that shape.
A value like ``'s-Hertogenbosch`` is left alone both ways.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_INT = re.compile(r"[+-]?[0-9]+")
_DECIMAL_POINT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)")
_GERMAN_DATE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")


class Kind(Enum):
    """How a column's cells are spelled."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"


class CellError(ValueError):
    """A cell cannot be turned into its column's kind."""


def guard_formula(value: str) -> str:
    """The cell text for ``value`` that no spreadsheet runs as a formula."""
    return "'" + value if _GUARDED.match(value) else value


def unguard_formula(cell: str) -> str:
    """Undo :func:`guard_formula`: strip one apostrophe before a formula trigger."""
    if cell.startswith("'") and _GUARDED.match(cell, 1):
        return cell[1:]
    return cell


def parse_cell(cell: str, kind: Kind, *, decimal_comma: bool) -> object:
    """The value of a non-empty ``cell`` of ``kind``.

    ``decimal_comma`` is true for ``;``-separated files, where a decimal comma is
    accepted besides the decimal point. Thousands separators are never accepted: in
    ``1.234`` a German reader sees 1234 and an English one 1.234, so guessing would
    silently change a quantity.
    """
    if kind is Kind.TEXT:
        return cell
    text = cell.strip()
    if kind is Kind.INT:
        if not _INT.fullmatch(text):
            raise CellError(f"{_show(cell)} is not a whole number")
        return int(text)
    if kind is Kind.DECIMAL:
        return _parse_decimal(cell, text, decimal_comma)
    if kind is Kind.DATE:
        return _parse_date(cell, text)
    return _parse_datetime(cell, text)


def format_value(value: object, kind: Kind) -> str:
    """The canonical cell text of ``value`` (``None`` is the empty cell)."""
    if value is None:
        return ""
    if kind is Kind.DECIMAL:
        assert isinstance(value, Decimal)
        return format(value, "f")
    if kind is Kind.DATETIME:
        assert isinstance(value, datetime)
        return _format_datetime(value)
    if kind is Kind.DATE:
        assert isinstance(value, date)
        return value.isoformat()
    return str(value)


def _parse_decimal(cell: str, text: str, decimal_comma: bool) -> Decimal:
    if _DECIMAL_POINT.fullmatch(text):
        return Decimal(text)
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        return Decimal(text.replace(",", "."))
    if not decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        raise CellError(f"{_show(cell)} has a decimal comma; a ','-separated file needs '.'")
    raise CellError(f"{_show(cell)} is not a decimal number (no thousands separators)")


def _parse_date(cell: str, text: str) -> date:
    german = _GERMAN_DATE.fullmatch(text)
    try:
        if german:
            day, month, year = (int(part) for part in german.groups())
            return date(year, month, day)
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError as exc:
        raise CellError(f"{_show(cell)} is not a valid date: {exc}") from exc
    raise CellError(f"{_show(cell)} is not a date (expected YYYY-MM-DD)")


def _parse_datetime(cell: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CellError(
            f"{_show(cell)} is not an ISO 8601 timestamp (e.g. 2026-01-15T14:02:11Z)"
        ) from exc
    if value.tzinfo is None:
        raise CellError(f"{_show(cell)} has no UTC offset (add Z or e.g. +01:00)")
    return value


def _format_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        raise CellError(f"timestamp {value.isoformat()} has no UTC offset")
    if value.utcoffset() == timedelta(0):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _show(cell: str, limit: int = 40) -> str:
    """A cell quoted for an error message, cut to a readable length."""
    return repr(cell if len(cell) <= limit else cell[:limit] + "…")


def is_valid_gtin(code: str) -> bool:
    """True when ``code`` is a GTIN-8/12/13/14 with a correct check digit."""
    if len(code) not in (8, 12, 13, 14) or not code.isascii() or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    body = reversed(digits[:-1])
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - total % 10) % 10 == digits[-1]

