"""Decode the bytes of a warehouse CSV file without guessing silently.

Accepted: UTF-8 with or without BOM, and Windows-1252 (what German Excel saves as
"CSV"). Detection is strict: bytes that are valid UTF-8 are UTF-8; otherwise the file
must decode as Windows-1252 without a single undefined byte and without UTF-8 sequences
elsewhere (a file with both is refused, not half garbled). UTF-16/32 files and
binary content are refused with the line of the offending byte. Characters are never
replaced, so an address is never silently damaged.
"""

from __future__ import annotations

import codecs
import re

from marketdock.connectors.csvfiles.errors import CsvFileError

ENCODINGS = ("utf-8", "cp1252")
# A well-formed UTF-8 sequence for a non-ASCII character. Windows-1252 text almost never
# holds one (it would read e.g. "Ã¼"), so finding one in a file that is not valid UTF-8
# means mixed encodings: decoding it all as Windows-1252 would garble those characters.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, file_name: str, encoding: str | None = None) -> tuple[str, str]:
    """``(text, encoding used)``; ``encoding`` forces ``utf-8`` or ``cp1252``.

    The encoding used is ``utf-8-sig`` when a UTF-8 BOM was stripped.
    """
    if encoding is not None and encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}, not {encoding!r}")
    if not data:
        raise CsvFileError(f"{file_name}: the file is empty", file=file_name, line=1)
    if data.startswith(_WIDE_BOMS):
        raise CsvFileError(
            f"{file_name}: UTF-16/UTF-32 files are not accepted; save as UTF-8",
            file=file_name,
            line=1,
        )
    if data.startswith(codecs.BOM_UTF8) and encoding in (None, "utf-8"):
        text, used = _strict(data[len(codecs.BOM_UTF8):], "utf-8", file_name), "utf-8-sig"
    elif encoding is not None:
        text, used = _strict(data, encoding, file_name), encoding
    else:
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            if _UTF8_SEQUENCE.search(data):
                raise _decode_error(
                    data, file_name, utf8_error, "mixed encodings (UTF-8 elsewhere in the file)"
                ) from utf8_error
            try:
                text, used = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError as exc:
                raise _decode_error(data, file_name, exc, "neither UTF-8 nor Windows-1252") from (
                    utf8_error
                )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise CsvFileError(
            f"{file_name} line {line}: NUL byte; this is not a text file (UTF-16?)",
            file=file_name,
            line=line,
        )
    return text, used


def _strict(data: bytes, encoding: str, file_name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _decode_error(data, file_name, exc, f"not valid {encoding}") from exc


def _decode_error(
    data: bytes, file_name: str, exc: UnicodeDecodeError, what: str
) -> CsvFileError:
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    byte = data[exc.start : exc.start + 1].hex()
    return CsvFileError(
        f"{file_name} line {line}, byte {column}: {what} (byte 0x{byte})",
        file=file_name,
        line=line,
    )
