"""The base of every domain record, shared field types, and validation-error wording.

Records are pydantic models that are frozen (no attribute can be set after construction)
and reject unknown fields. A change produces a new value through :meth:`Record.evolve`,
which validates the result again, so an invalid record can never exist.

Constructing a record directly raises pydantic's ``ValidationError``; code at the edge of
the system (connector mapping, the store) uses :meth:`Record.create` or
:meth:`Record.evolve`, which raise :class:`marketdock.errors.ValidationError` with a
message naming every offending field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Self

import pydantic
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from marketdock.errors import ValidationError

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
]
"""An id chosen by the operator (tenant, channel account, warehouse): lower-case letters,
digits, ``_``, ``.`` and ``-``, starting with a letter or digit, at most 64 characters."""

NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Text that must not be empty or blank; surrounding white space is removed."""

Instant = AwareDatetime
"""A point in time with its UTC offset. Naive datetimes are rejected."""


class Record(BaseModel):
    """Base of all domain records: immutable, strict about unknown fields.

    Validation errors never carry the offending input (``hide_input_in_errors``): records
    hold personal data, and an error message may end up in a log.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, hide_input_in_errors=True
    )

    @classmethod
    def create(cls, **fields: Any) -> Self:
        """Build a record, raising :class:`marketdock.errors.ValidationError` when invalid."""
        try:
            return cls.model_validate(fields)
        except pydantic.ValidationError as exc:
            raise ValidationError(
                f"invalid {cls.__name__}: {describe_errors(exc)}",
                record=cls.__name__,
                errors=error_lines(exc),
            ) from exc

    def evolve(self, **changes: Any) -> Self:
        """Return a copy with ``changes`` applied, validated like a new record.

        Unlike ``model_copy(update=...)``, a change that breaks a rule raises
        :class:`marketdock.errors.ValidationError` instead of producing an invalid value.
        """
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise ValidationError(
                f"{type(self).__name__} has no field(s) {', '.join(unknown)}",
                record=type(self).__name__,
            )
        current = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).create(**{**current, **changes})


def format_loc(loc: Iterable[int | str], prefix: str = "") -> str:
    """Render a pydantic error location as a key path: ``tenants[0].warehouses[1].cutoff``."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def error_lines(exc: pydantic.ValidationError, prefix: str = "") -> list[str]:
    """One ``path: problem`` line per error. Input values are never included, because the
    input may be a secret."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        message = error["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        where = format_loc(error["loc"], prefix)
        lines.append(f"{where}: {message}" if where else message)
    return lines


def describe_errors(exc: pydantic.ValidationError, prefix: str = "") -> str:
    """All errors of ``exc`` joined on one line with ``; ``."""
    return "; ".join(error_lines(exc, prefix))


def ensure_unique(values: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming the first value that occurs twice."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} occurs more than once")
        seen.add(value)


def require_aware(moment: datetime, name: str = "time") -> datetime:
    """Return ``moment`` if it carries a UTC offset; raise ``ValueError`` otherwise."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got a naive datetime")
    return moment

