"""Errors of the warehouse CSV codec: where in which file, and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marketdock.errors import ParseError


@dataclass(frozen=True)
class RowError:
    """What is wrong where: ``column`` is None when the row as a whole is at fault."""

    file: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class CsvFileError(ParseError):
    """A warehouse CSV file cannot be read (or, in strict mode, has a bad row)."""

    def __init__(self, message: str, errors: Sequence[RowError] = (), **context: Any) -> None:
        super().__init__(message, **context)
        self.errors = tuple(errors)
