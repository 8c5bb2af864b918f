"""Broken files: every error names file, line and column; good rows still come back."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from marketdock.connectors.csvfiles import CsvFileError, RowError, read_csv
from marketdock.errors import ParseError

CONTRACT = Path(__file__).resolve().parents[4] / "shared" / "contracts" / "wms" / "csv"
SHIP = "shipments_20260115T180500Z_000045.csv"
INV = "inventory_20260116T050000Z_full.csv"
ORDERS = "orders_20260115T163000Z_000123.csv"


def lines(name: str) -> list[str]:
    return (CONTRACT / name).read_bytes().decode("utf-8").split("\r\n")


def build(rows: list[str]) -> bytes:
    return "\r\n".join(rows).encode("utf-8")


def with_cell(name: str, row: int, column: str, value: str) -> bytes:
    """The contract file with one cell of data row ``row`` (1-based) replaced."""
    all_lines = lines(name)
    header = all_lines[0].split(";")
    cells = all_lines[row].split(";")
    cells[header.index(column)] = value
    all_lines[row] = ";".join(cells)
    return build(all_lines)


def only_error(data: bytes, name: str) -> RowError:
    result = read_csv(data, name)
    assert len(result.errors) == 1, result.errors
    assert len(result.rows) == 1  # the other row is still returned
    return result.errors[0]


def test_truncated_last_line_names_the_line_and_keeps_the_rest() -> None:
    data = (CONTRACT / SHIP).read_bytes()
    cut = data[: data.rindex(b";PKG-1;")]  # the transfer stopped mid-row
    error = only_error(cut, SHIP)
    assert (error.file, error.line, error.column) == (SHIP, 3, None)
    assert "has 10 fields, the header has 19" in error.message
    assert str(error).startswith(f"{SHIP} line 3: has 10 fields")


def test_truncated_inside_a_quoted_value() -> None:
    data = (CONTRACT / ORDERS).read_bytes()
    cut = data[: data.index(b'"T-Shirt blau') + 8]
    result = read_csv(cut, ORDERS)
    assert [r.line for r in result.rows] == [2]
    assert [(e.line, e.column) for e in result.errors] == [(3, None)]
    assert "broken quoting" in result.errors[0].message


def test_broken_quoting_mid_file_does_not_stop_later_rows() -> None:
    rows = lines(SHIP)
    bad = rows[1].replace(";PKG-1;", ';"PKG"-1;')
    data = build([rows[0], bad, rows[2]])
    error = only_error(data, SHIP)
    assert (error.line, error.column) == (2, None)
    assert "broken quoting" in error.message


def test_extra_field_is_a_wrong_column_count() -> None:
    rows = lines(SHIP)
    data = build([rows[0], rows[1] + ";surplus", rows[2]])
    error = only_error(data, SHIP)
    assert (error.line, error.column) == (2, None)
    assert "has 20 fields, the header has 19" in error.message


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("qty_shipped", "zwei", "'zwei' is not a whole number"),
        ("qty_shipped", "2.0", "is not a whole number"),
        ("weight_kg", "1.234,5", "not a decimal number"),
        ("weight_kg", "0,55kg", "not a decimal number"),
        ("weight_kg", "-1", "greater than or equal to 0"),
        ("shipped_at", "2026-01-15 17:58:03", "has no UTC offset"),
        ("shipped_at", "15.01.2026 17:58", "not an ISO 8601 timestamp"),
        ("qty_short", "5", "exceed qty_ordered 2"),
        ("order_id", "", "a value is required"),
        ("record_type", "ORDER_LINE", "is not 'SHIPMENT_LINE'"),
    ],
)
def test_bad_cell_names_line_and_column(column: str, value: str, needle: str) -> None:
    error = only_error(with_cell(SHIP, 1, column, value), SHIP)
    assert (error.file, error.line, error.column) == (SHIP, 2, column)
    assert needle in error.message
    assert f"{SHIP} line 2, column {column}: " in str(error)


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("ean", "4,00638E+12", "not a valid EAN/GTIN"),
        ("ean", "4006381333932", "not a valid EAN/GTIN"),
        ("available", "121", "available 121 exceeds on_hand 120"),
        ("best_before", "2026-02-30", "not a valid date"),
        ("best_before", "31.02.2026", "not a valid date"),
    ],
)
def test_bad_stock_cells(column: str, value: str, needle: str) -> None:
    error = only_error(with_cell(INV, 1, column, value), INV)
    assert (error.line, error.column) == (2, column)
    assert needle in error.message


def test_decimal_comma_is_refused_in_a_comma_separated_file() -> None:
    data = with_cell(SHIP, 1, "weight_kg", '"0,55"').replace(b";", b",")
    error = only_error(data, SHIP)
    assert (error.line, error.column) == (2, "weight_kg")
    assert "decimal comma" in error.message


def test_several_errors_in_one_row_are_all_reported() -> None:
    data = with_cell(SHIP, 2, "qty_ordered", "x").replace(b"2026-01-15T17:58:03+01:00", b"now")
    result = read_csv(data, SHIP)
    assert result.records == []
    assert {(e.line, e.column) for e in result.errors} == {
        (2, "shipped_at"), (3, "qty_ordered"), (3, "shipped_at"),
    }


def test_duplicate_business_key_names_the_first_line() -> None:
    rows = lines(ORDERS)
    data = build([rows[0], rows[1], rows[2], rows[1]])
    result = read_csv(data, ORDERS)
    assert len(result.rows) == 2
    (error,) = result.errors
    assert (error.line, error.column) == (4, None)
    assert "duplicate of line 2" in error.message


def test_a_stock_file_holds_one_snapshot() -> None:
    data = with_cell(INV, 2, "snapshot_id", "inv-other")
    error = only_error(data, INV)
    assert (error.line, error.column) == (3, "snapshot_id")
    assert "one snapshot" in error.message


def test_strict_mode_rejects_the_whole_file() -> None:
    data = with_cell(INV, 2, "on_hand", "zwölf")
    assert len(read_csv(data, INV).rows) == 1
    with pytest.raises(CsvFileError) as caught:
        read_csv(data, INV, strict=True)
    assert isinstance(caught.value, ParseError)
    assert caught.value.errors[0].line == 3
    assert f"{INV} rejected: {INV} line 3, column on_hand" in str(caught.value)
    assert read_csv((CONTRACT / INV).read_bytes(), INV, strict=True).errors == ()


def test_missing_and_unknown_columns_are_named() -> None:
    rows = lines(SHIP)
    header = rows[0].replace("tracking_number", "tracking_no").replace(";serial", "")
    with pytest.raises(CsvFileError) as caught:
        read_csv(build([header, *rows[1:]]), SHIP)
    problems = {(e.line, e.column, e.message.split(" ")[0]) for e in caught.value.errors}
    assert problems == {
        (1, "tracking_no", "unknown"),
        (1, "tracking_number", "missing"),
        (1, "serial", "missing"),
    }
    assert "tracking_no: unknown column for shipments" in str(caught.value)


def test_columns_are_mapped_by_name_not_position() -> None:
    rows = [row.split(";") for row in lines(INV) if row]
    swapped = [";".join([r[1], r[0], *r[2:]]) for r in rows]
    result = read_csv(build(swapped), INV)
    assert result.errors == ()
    assert result.records == read_csv((CONTRACT / INV).read_bytes(), INV).records


def test_duplicate_header_column() -> None:
    rows = lines(INV)
    with pytest.raises(CsvFileError, match="lot: column appears twice"):
        read_csv(build([rows[0] + ";lot", *rows[1:]]), INV)


def test_blank_lines_and_empty_separator_rows_are_skipped() -> None:
    rows = lines(INV)
    data = build([rows[0], "", rows[1], ";" * 12, rows[2], ""])
    result = read_csv(data, INV)
    assert result.errors == ()
    assert [r.line for r in result.rows] == [3, 5]


def test_header_only_file_has_no_rows_and_an_empty_file_is_an_error() -> None:
    assert read_csv(build([lines(INV)[0]]), INV).rows == ()
    with pytest.raises(CsvFileError, match="the file is empty"):
        read_csv(b"", INV)


def test_unknown_file_name_needs_an_explicit_layout() -> None:
    with pytest.raises(CsvFileError, match="not a warehouse CSV file name"):
        read_csv((CONTRACT / INV).read_bytes(), "export.csv")
    with pytest.raises(CsvFileError, match="no layout named 'returns'"):
        read_csv(b"x", "returns_20260116T050000Z_000001.csv")


class TestEncoding:
    def test_cp1252_forced_as_utf8_names_line_and_byte(self) -> None:
        data = (CONTRACT / ORDERS).read_bytes().decode("utf-8").encode("cp1252")
        with pytest.raises(CsvFileError) as caught:
            read_csv(data, ORDERS, encoding="utf-8")
        assert caught.value.context["line"] == 2
        assert f"{ORDERS} line 2, byte " in str(caught.value)
        assert "not valid utf-8 (byte 0xdf)" in str(caught.value)

    def test_neither_utf8_nor_cp1252(self) -> None:
        data = (CONTRACT / ORDERS).read_bytes().replace("ß".encode(), b"\x81")
        with pytest.raises(CsvFileError, match=r"line 2, byte \d+: neither UTF-8 nor Windows-1252"):
            read_csv(data, ORDERS)

    def test_mixed_utf8_and_cp1252_is_refused(self) -> None:
        data = (CONTRACT / ORDERS).read_bytes()  # "ß" as UTF-8 in both rows
        data = data.replace(b"T-Shirt rot", "T-Shirt grün".encode("cp1252"))
        with pytest.raises(CsvFileError, match=r"line 2, byte \d+: mixed encodings"):
            read_csv(data, ORDERS)

    def test_utf16_is_refused(self) -> None:
        data = codecs.BOM_UTF16_LE + (CONTRACT / INV).read_text("utf-8").encode("utf-16-le")
        with pytest.raises(CsvFileError, match="UTF-16/UTF-32 files are not accepted"):
            read_csv(data, INV)

    def test_utf16_without_bom_is_refused_as_binary(self) -> None:
        data = (CONTRACT / INV).read_text("utf-8").encode("utf-16-le")
        with pytest.raises(CsvFileError, match="line 1: NUL byte"):
            read_csv(data, INV)

    def test_utf8_is_preferred_over_cp1252(self) -> None:
        assert read_csv((CONTRACT / ORDERS).read_bytes(), ORDERS).encoding == "utf-8"
        data = (CONTRACT / ORDERS).read_bytes().decode().encode("cp1252")
        result = read_csv(data, ORDERS)
        assert result.encoding == "cp1252"
        first = result.records[0]
        assert getattr(first, "ship_to_street1") == "Musterstraße 1"  # noqa: B009
