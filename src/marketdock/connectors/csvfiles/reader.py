"""Read a warehouse CSV file into typed records, row by row.

A file-level problem (undecodable bytes, no header, missing or unknown columns) raises
:class:`CsvFileError`: nothing in the file can be trusted. A row-level problem becomes a
:class:`RowError` naming file, line and column, and the good rows are still returned, so
one bad line never blocks a batch. ``strict=True`` rejects the whole file instead, for
callers that apply a file atomically (a full stock snapshot).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from typing import Any

import pydantic

from marketdock.connectors.csvfiles.encoding import decode
from marketdock.connectors.csvfiles.errors import CsvFileError, RowError
from marketdock.connectors.csvfiles.layouts import RECORD_TYPE, Layout, layout_for_file
from marketdock.connectors.csvfiles.records import CsvRecord
from marketdock.connectors.csvfiles.rules import FileRules
from marketdock.connectors.csvfiles.values import CellError, Kind, parse_cell, unguard_formula

SEPARATORS = (";", ",")


@dataclass(frozen=True)
class CsvRow:
    """A good row: where it was, what it holds, the key it is deduplicated by."""

    line: int
    record: CsvRecord
    key: tuple[str, ...]


@dataclass(frozen=True)
class CsvFile:
    """The result of reading one file."""

    file_name: str
    layout: Layout
    encoding: str
    separator: str
    content_hash: str
    rows: tuple[CsvRow, ...]
    errors: tuple[RowError, ...]

    @property
    def records(self) -> list[CsvRecord]:
        return [row.record for row in self.rows]

    @property
    def business_keys(self) -> tuple[tuple[str, ...], ...]:
        """Business keys of the good rows, in file order (unique within the file)."""
        return tuple(row.key for row in self.rows)


def content_hash(data: bytes) -> str:
    """SHA-256 (hex) of a file's bytes, the content half of file deduplication."""
    return hashlib.sha256(data).hexdigest()


def read_csv(
    data: bytes,
    file_name: str,
    *,
    layout: Layout | None = None,
    strict: bool = False,
    encoding: str | None = None,
    separator: str | None = None,
) -> CsvFile:
    """Read ``data`` (the bytes of ``file_name``) as a warehouse CSV file.

    ``layout`` defaults to the one the file name names. ``encoding`` (``utf-8`` or
    ``cp1252``) and ``separator`` (``;`` or ``,``) are detected unless given.
    """
    layout = layout or layout_for_file(file_name)
    if separator is not None and separator not in SEPARATORS:
        raise ValueError(f"separator must be one of {SEPARATORS}, not {separator!r}")
    text, used_encoding = decode(data, file_name, encoding)
    sep = separator or _sniff_separator(text, layout)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header = _read_header(reader, file_name, layout)
    rows: list[CsvRow] = []
    errors: list[RowError] = []
    rules = FileRules(layout)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(file_name, line, None, f"broken quoting: {exc}"))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row_errors, record = _read_row(cells, header, layout, file_name, line, sep == ";")
        if record is not None:
            broken = rules.check(record, line)
            if broken is None:
                rows.append(CsvRow(line, record, layout.business_key(record)))
                continue
            row_errors = [RowError(file_name, line, broken[0], broken[1])]
        errors.extend(row_errors)
    if strict and errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CsvFileError(
            f"{file_name} rejected: {errors[0]}{more}", errors, file=file_name
        )
    return CsvFile(
        file_name=file_name,
        layout=layout,
        encoding=used_encoding,
        separator=sep,
        content_hash=content_hash(data),
        rows=tuple(rows),
        errors=tuple(errors),
    )


def _sniff_separator(text: str, layout: Layout) -> str:
    """The separator that splits the header line into the most known column names."""
    first_line = text.split("\n", 1)[0].rstrip("\r")
    known = set(layout.header)

    def hits(sep: str) -> int:
        return sum(1 for name in first_line.split(sep) if name.strip().strip('"') in known)

    return max(SEPARATORS, key=hits)


def _read_header(reader: Any, file_name: str, layout: Layout) -> list[str]:
    try:
        cells = next(reader)
    except StopIteration:
        raise CsvFileError(f"{file_name}: no header row", file=file_name, line=1) from None
    except csv.Error as exc:
        raise CsvFileError(
            f"{file_name} line 1: header has broken quoting: {exc}", file=file_name, line=1
        ) from exc
    header = [cell.strip() for cell in cells]
    expected = set(layout.header)
    errors: list[RowError] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(RowError(file_name, 1, name, "column appears twice"))
        elif name not in expected:
            errors.append(RowError(file_name, 1, name, f"unknown column for {layout.name}"))
        seen.add(name)
    for name in layout.header:
        if name not in seen:
            errors.append(RowError(file_name, 1, name, f"missing column for {layout.name}"))
    if errors:
        raise CsvFileError(
            f"{file_name} line 1: header does not match the {layout.name} layout: "
            + "; ".join(f"{e.column}: {e.message}" for e in errors),
            errors,
            file=file_name,
            line=1,
        )
    return header


def _read_row(
    cells: list[str],
    header: list[str],
    layout: Layout,
    file_name: str,
    line: int,
    decimal_comma: bool,
) -> tuple[list[RowError], CsvRecord | None]:
    """The row's errors, and its record when it has none."""
    if len(cells) != len(header):
        message = (
            f"has {len(cells)} fields, the header has {len(header)} "
            "(a truncated line, or a separator inside an unquoted value?)"
        )
        return [RowError(file_name, line, None, message)], None
    by_name = dict(zip(header, cells, strict=True))
    errors: list[RowError] = []
    if by_name[RECORD_TYPE] != layout.record_type:
        errors.append(
            RowError(
                file_name, line, RECORD_TYPE,
                f"{by_name[RECORD_TYPE]!r} is not {layout.record_type!r}",
            )
        )
    values: dict[str, object] = {}
    for column in layout.columns[1:]:
        cell = unguard_formula(by_name[column.name])
        if cell == "" or (column.kind is not Kind.TEXT and not cell.strip()):
            if column.required:
                errors.append(RowError(file_name, line, column.name, "a value is required"))
            continue
        try:
            values[column.name] = parse_cell(cell, column.kind, decimal_comma=decimal_comma)
        except CellError as exc:
            errors.append(RowError(file_name, line, column.name, str(exc)))
    if errors:
        return errors, None
    try:
        return [], layout.model.model_validate(values)
    except pydantic.ValidationError as exc:
        return [_row_error(err, by_name, file_name, line) for err in exc.errors()], None


def _row_error(err: Any, by_name: dict[str, str], file_name: str, line: int) -> RowError:
    column = str(err["loc"][0]) if err["loc"] else None
    message = str(err["msg"]).removeprefix("Value error, ")
    if column in by_name:
        message = f"{unguard_formula(by_name[column])!r}: {message}"
    return RowError(file_name, line, column, message)
