"""Bytes → segments: delimiter detection from the ISA and framing tolerance.

Tolerated, because the meaning stays clear (each one is recorded as a note):

* a UTF-8 byte-order mark or whitespace before the ISA;
* line breaks (LF or CRLF) or blanks after each segment terminator;
* a newline used as the segment terminator, with or without CR;
* no terminator after the last segment;
* an ISA that is not fixed-width (padding collapsed): the element separator is
  counted instead of byte offsets;
* an ISA whose ISA16 was lost so that the terminator sits in ISA16 and a newline
  follows it: the terminator is taken from ISA16 and no component separator is set.

Everything else (empty segments, bad segment ids, undecodable bytes) is a
:class:`X12ParseError` naming the segment index and, where known, the element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import X12ParseError
from .model import Delimiters, Element, Segment

_TAG = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
_WS = b" \t\r\n"
_ISA_FIXED_TERMINATOR_OFFSET = 105


@dataclass(frozen=True, slots=True)
class Tokens:
    segments: list[Segment]
    delimiters: Delimiters
    notes: tuple[str, ...]


def _strip_prefix(data: bytes) -> tuple[bytes, list[str]]:
    notes: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:8].count(b"\x00") >= 2:
        raise X12ParseError(
            "the document is UTF-16/UTF-32 encoded; X12 must be an 8-bit encoding",
            segment_index=0,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("UTF-8 byte-order mark before ISA ignored")
    stripped = data.lstrip(_WS)
    if len(stripped) != len(data):
        notes.append("whitespace before ISA ignored")
    return stripped, notes


def detect_delimiters(data: bytes) -> tuple[Delimiters, list[str]]:
    """Read the delimiters from the ISA at the start of ``data``."""
    data, notes = _strip_prefix(data)
    if not data.startswith(b"ISA"):
        raise X12ParseError("the document does not start with an ISA segment", segment_index=0)
    if len(data) < 4:
        raise X12ParseError("the ISA segment is truncated", segment_index=0, segment_id="ISA")
    element = chr(data[3])
    seps = [i for i, byte in enumerate(data[:400]) if byte == data[3]]
    if len(seps) < 16 or len(data) < seps[15] + 3:
        raise X12ParseError(
            "the ISA segment is truncated: it needs 16 elements and a terminator",
            segment_index=0, segment_id="ISA",
        )
    isa16 = chr(data[seps[15] + 1])
    terminator = chr(data[seps[15] + 2])
    if seps[15] + 2 != _ISA_FIXED_TERMINATOR_OFFSET:
        notes.append("ISA is not fixed-width; delimiters taken by counting separators")
    component: str | None = isa16
    if terminator in "\r\n" and not isa16.isspace():
        following = data[seps[15] + 2:].lstrip(_WS).split(b"\n", 1)[0].rstrip(b"\r")
        if following.endswith(isa16.encode("latin-1")):
            notes.append("ISA16 is missing; the segment terminator is taken from ISA16")
            terminator, component = isa16, None
    version = data[seps[11] + 1:seps[12]].decode("latin-1")
    isa11 = chr(data[seps[10] + 1]) if seps[11] == seps[10] + 2 else ""
    repetition = isa11 if version >= "00402" and isa11 and not isa11.isalnum() else None
    try:
        delimiters = Delimiters(
            element=element, component=component, segment=terminator, repetition=repetition,
        )
    except ValueError as exc:
        raise X12ParseError(
            f"the ISA declares unusable delimiters: {exc}", segment_index=0, segment_id="ISA",
        ) from exc
    return delimiters, notes


def _split_pieces(data: bytes, terminator: bytes) -> list[bytes]:
    if terminator == b"\n":
        data = data.replace(b"\r\n", b"\n")
    pieces = data.split(terminator)
    return [piece.lstrip(_WS) for piece in pieces]


def _decode(raw: bytes, encoding: str, index: int, tag: str, element_sep: bytes) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        position = raw[: exc.start].count(element_sep)
        raise X12ParseError(
            f"byte 0x{raw[exc.start]:02X} is not valid {encoding}",
            segment_index=index, segment_id=tag, element=position or None, code="6",
        ) from exc


def split_segments(
    data: bytes, delimiters: Delimiters, *, encoding: str = "ascii", isa_first: bool = True,
) -> list[Segment]:
    """Split ``data`` (starting at its first segment) into segments."""
    terminator = delimiters.segment.encode("latin-1")
    element_sep = delimiters.element.encode("latin-1")
    pieces = _split_pieces(data, terminator)
    if pieces and pieces[-1].strip(_WS) == b"":
        pieces.pop()
    elif pieces:
        pieces[-1] = pieces[-1].rstrip(_WS)
    segments: list[Segment] = []
    for index, piece in enumerate(pieces):
        if not piece:
            raise X12ParseError("empty segment (two terminators in a row)", segment_index=index)
        tag_raw = piece.split(element_sep, 1)[0]
        tag = tag_raw.decode("latin-1")
        if not _TAG.match(tag):
            raise X12ParseError(f"invalid segment id {tag[:10]!r}", segment_index=index)
        text = _decode(piece, encoding, index, tag, element_sep)
        values = text.split(delimiters.element)[1:]
        if isa_first and index == 0:
            segments.append(Segment(tag, tuple(values), index))
            continue
        segments.append(Segment(tag, _components(values, delimiters.component), index))
    return segments


def _components(values: list[str], component: str | None) -> tuple[Element, ...]:
    if component is None:
        return tuple(values)
    return tuple(tuple(v.split(component)) if component in v else v for v in values)


def tokenize(data: bytes, *, encoding: str = "ascii") -> Tokens:
    """Split an ISA-framed document into segments with the delimiters it declares."""
    delimiters, notes = detect_delimiters(data)
    body, _ = _strip_prefix(data)
    segments = split_segments(body, delimiters, encoding=encoding)
    terminator = delimiters.segment.encode("latin-1")
    if segments and not body.rstrip(_WS.replace(terminator, b"")).endswith(terminator):
        notes.append("no terminator after the last segment")
    return Tokens(segments, delimiters, tuple(notes))


def detect_bare_delimiters(data: bytes) -> Delimiters:
    """Delimiters of a bare ST..SE document (no ISA): element separator after ``ST``,
    terminator = first character after ST02 that is not a letter, digit or blank."""
    data = data.lstrip(_WS)
    if not data.startswith(b"ST") or len(data) < 4:
        raise X12ParseError("the document starts neither with ISA nor with ST", segment_index=0)
    element = chr(data[2])
    for byte in data[3:40]:
        char = chr(byte)
        if not (char.isalnum() or char == " " or char == element):
            return Delimiters(element=element, component=None, segment=char)
    raise X12ParseError("cannot find the segment terminator after ST", segment_index=0,
                        segment_id="ST")
