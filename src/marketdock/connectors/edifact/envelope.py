"""EDIFACT interchange reading and writing on top of pydifact.

pydifact tokenises (UNA service string, ``?`` release character) and serialises
(escaping, UNT segment count). marketdock adds what a warehouse exchange needs on
top: the envelope checks (UNT01 count, UNH01 = UNT02, UNZ01 message count,
UNB05 = UNZ02) with errors that name the segment, and typed access to elements.
A missing UNZ is tolerated (recorded in ``notes``), as in some partners' files.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydifact.exceptions import EDISyntaxError, MissingImplementationWarning
from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange as PydifactInterchange
from pydifact.segmentcollection import Message as PydifactMessage
from pydifact.segments import Segment as PydifactSegment

from marketdock.errors import ParseError

Value = str | list[str]


class EdifactParseError(ParseError):
    """An EDIFACT document cannot be read."""

    def __init__(self, reason: str, *, segment_index: int | None = None,
                 segment_tag: str | None = None, element: int | None = None) -> None:
        where = [f"segment {segment_index}" + (f" ({segment_tag})" if segment_tag else "")
                 ] if segment_index is not None else []
        if element is not None:
            where.append(f"element {element}")
        super().__init__(f"{reason} ({', '.join(where)})" if where else reason,
                         segment_index=segment_index, segment_tag=segment_tag, element=element)
        self.segment_index = segment_index
        self.segment_tag = segment_tag
        self.element = element


@dataclass(frozen=True, slots=True)
class EdifactSegment:
    """One segment; ``elements[0]`` is the first data element, a composite is a list."""

    tag: str
    elements: tuple[Value, ...]
    index: int = field(default=-1, compare=False)

    def component(self, element: int, component: int = 1) -> str:
        """Element ``element`` (1-based), component ``component`` (1-based), ``""`` if absent."""
        if element > len(self.elements):
            return ""
        value = self.elements[element - 1]
        parts = value if isinstance(value, list) else [value]
        return parts[component - 1] if component <= len(parts) else ""

    def error(self, reason: str, element: int | None = None) -> EdifactParseError:
        return EdifactParseError(reason, segment_index=self.index, segment_tag=self.tag,
                                 element=element)


@dataclass(frozen=True, slots=True)
class EdifactMessage:
    """UNH … UNT: message reference, type identifier (e.g. ORDERS:D:96A:UN:EAN008), body."""

    reference: str
    identifier: tuple[str, ...]
    segments: tuple[EdifactSegment, ...]

    @property
    def type(self) -> str:
        return self.identifier[0]


@dataclass(frozen=True, slots=True)
class EdifactInterchange:
    syntax: tuple[str, ...]
    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    control_reference: str
    messages: tuple[EdifactMessage, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)


def _parts(value: Value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _tokenize(text: str) -> list[EdifactSegment]:
    """The segments of ``text``; a syntax error names the segment it was found in (the one
    after the last segment read)."""
    segments: list[EdifactSegment] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingImplementationWarning)
            for raw in Parser().parse(text):
                if raw.tag != "UNA":
                    segments.append(EdifactSegment(raw.tag, tuple(raw.elements), len(segments)))
    except EDISyntaxError as exc:
        after = f" after {segments[-1].tag}" if segments else ""
        raise EdifactParseError(f"EDIFACT syntax error{after}: {exc}",
                                segment_index=len(segments)) from exc
    return segments


def parse_edifact(data: str | bytes, *, encoding: str = "latin-1") -> EdifactInterchange:
    """Read an UNB … UNZ interchange and check its counts and references."""
    try:
        text = data.decode(encoding) if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise EdifactParseError(f"byte 0x{data[exc.start]:02X} at offset {exc.start} is not "
                                f"valid {encoding}") from exc
    segments = _tokenize(text.strip())
    if not segments or segments[0].tag != "UNB":
        raise EdifactParseError("the document does not start with UNB", segment_index=0)
    unb = segments[0]
    messages: list[EdifactMessage] = []
    notes: list[str] = []
    pos = 1
    while pos < len(segments) and segments[pos].tag == "UNH":
        unh = segments[pos]
        end = next((i for i in range(pos + 1, len(segments))
                    if segments[i].tag in ("UNT", "UNH", "UNZ")), len(segments))
        if end == len(segments) or segments[end].tag != "UNT":
            where = segments[end] if end < len(segments) else segments[-1]
            raise where.error(f"message {unh.component(1)} has no UNT trailer")
        unt = segments[end]
        count = unt.component(1)
        if not count.isdigit() or int(count) != end - pos + 1:
            raise unt.error(f"UNT01 declares {count} segments, message has {end - pos + 1}", 1)
        if unt.component(2) != unh.component(1):
            raise unt.error(f"UNT02 {unt.component(2)!r} does not match UNH01 "
                            f"{unh.component(1)!r}", 2)
        messages.append(EdifactMessage(unh.component(1), _parts(unh.elements[1]),
                                       tuple(segments[pos + 1:end])))
        pos = end + 1
    if pos == len(segments):
        notes.append("no UNZ trailer")
    else:
        unz = segments[pos]
        if unz.tag != "UNZ":
            raise unz.error(f"expected UNH or UNZ, found {unz.tag}")
        if unz.component(1) != str(len(messages)):
            raise unz.error(f"UNZ01 declares {unz.component(1)} messages, found "
                            f"{len(messages)}", 1)
        if unz.component(2) != unb.component(5):
            raise unz.error(f"UNZ02 {unz.component(2)!r} does not match UNB05", 2)
        if pos + 1 < len(segments):
            raise segments[pos + 1].error("data after UNZ")
    if not messages:
        raise unb.error("the interchange holds no message")
    return EdifactInterchange(_parts(unb.elements[0]), _parts(unb.elements[1]),
                              _parts(unb.elements[2]), unb.component(5), tuple(messages),
                              tuple(notes))


@dataclass(frozen=True, slots=True)
class MessageDraft:
    """A message body (without UNH/UNT) with its type identifier."""

    identifier: tuple[str, ...]
    segments: Sequence[EdifactSegment]


def write_edifact(drafts: Sequence[MessageDraft], *, sender: Sequence[str],
                  recipient: Sequence[str], control_reference: str, at: datetime,
                  syntax: tuple[str, int] = ("UNOC", 3)) -> str:
    """Serialise ``drafts`` as one interchange; message references are 1, 2, …"""
    interchange = PydifactInterchange(sender=list(sender), recipient=list(recipient),
                                      control_reference=control_reference,
                                      syntax_identifier=syntax, timestamp=at)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingImplementationWarning)
        for number, draft in enumerate(drafts, start=1):
            message = PydifactMessage(str(number), draft.identifier)
            for segment in draft.segments:
                message.add_segment(PydifactSegment(segment.tag, *segment.elements))
            interchange.add_message(message)
        return interchange.serialize()
