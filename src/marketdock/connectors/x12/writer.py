"""Interchange → bytes, and building envelopes with counts and control numbers.

X12 has no release character, so a value that contains a delimiter cannot be
written; the writer refuses it (naming segment and element) instead of producing a
document the partner would split wrongly. :func:`clean_text` prepares free text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import X12WriteError
from .model import Delimiters, Element, FunctionalGroup, Interchange, Segment, TransactionSet
from .partner import MAX_CONTROL_NUMBER, ControlNumbers, TradingPartner

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE",
                         "ß": "ss", "ẞ": "SS"})


def clean_text(value: str, delimiters: Delimiters, *, replacement: str = " ") -> str:
    """Make free text writable: transliterate German letters, drop other accents,
    replace delimiters, control characters and non-ASCII by ``replacement``."""
    text = unicodedata.normalize("NFKD", value.translate(_GERMAN))
    out: list[str] = []
    for char in text:
        if unicodedata.combining(char):
            continue
        bad = char in delimiters.characters() or not char.isprintable() or ord(char) > 126
        out.append(replacement if bad else char)
    return " ".join("".join(out).split())


@dataclass(frozen=True, slots=True)
class TransactionDraft:
    """A transaction set body (without ST/SE) waiting for its control number."""

    code: str
    segments: Sequence[Segment]


def _check(segment: Segment, position: int, value: str, forbidden: tuple[str, ...],
           encoding: str) -> None:
    for char in forbidden:
        if char in value:
            raise X12WriteError(
                f"{segment.tag}{position:02d} value {value!r} contains the delimiter {char!r}",
                segment_id=segment.tag, element=position,
            )
    if "\r" in value or "\n" in value:
        raise X12WriteError(f"{segment.tag}{position:02d} contains a line break",
                            segment_id=segment.tag, element=position)
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        raise X12WriteError(
            f"{segment.tag}{position:02d} value {value!r} is not writable as {encoding}",
            segment_id=segment.tag, element=position,
        ) from exc


def _render(segment: Segment, delimiters: Delimiters, encoding: str) -> str:
    if segment.tag == "ISA":
        return delimiters.element.join(("ISA", *(str(e) for e in segment.elements)))
    if delimiters.component is None:
        raise X12WriteError("cannot write without a component separator")
    forbidden = delimiters.characters()
    parts = [segment.tag]
    for position, value in enumerate(segment.elements, start=1):
        components: tuple[str, ...] = value if isinstance(value, tuple) else (value,)
        for component in components:
            _check(segment, position, component, forbidden, encoding)
        parts.append(delimiters.component.join(components))
    return delimiters.element.join(parts)


def serialize(interchange: Interchange, *, line_break: str = "\n",
              encoding: str = "ascii") -> bytes:
    """Write ``interchange`` with its own delimiters; ``line_break`` follows each terminator."""
    delimiters = interchange.delimiters
    end = delimiters.segment + line_break
    segments: list[Segment] = [interchange.isa]
    for group in interchange.groups:
        segments.append(group.gs)
        for ts in group.transactions:
            segments.extend((ts.st, *ts.segments, ts.se))
        segments.append(group.ge)
    segments.append(interchange.iea)
    return "".join(_render(s, delimiters, encoding) + end for s in segments).encode(encoding)


def _control(value: int, what: str) -> int:
    if not 1 <= value <= MAX_CONTROL_NUMBER:
        raise X12WriteError(f"{what} control number {value} is outside 1..{MAX_CONTROL_NUMBER}")
    return value


def _isa(partner: TradingPartner, control: int, at: datetime) -> Segment:
    delimiters = partner.delimiters
    elements: tuple[Element, ...] = (
        "00", " " * 10, "00", " " * 10,
        partner.sender_qualifier, partner.sender_id.ljust(15),
        partner.receiver_qualifier, partner.receiver_id.ljust(15),
        at.strftime("%y%m%d"), at.strftime("%H%M"), "U", partner.isa_version,
        f"{control:09d}", "1" if partner.ack_requested else "0", partner.usage,
        delimiters.component or "",
    )
    return Segment("ISA", elements)


def build_interchange(
    partner: TradingPartner,
    numbers: ControlNumbers,
    functional_id: str,
    drafts: Sequence[TransactionDraft],
    *,
    at: datetime,
) -> Interchange:
    """One interchange with one functional group holding ``drafts`` in order.

    ST02/SE02, SE01, GS06/GE02, GE01, ISA13/IEA02 and IEA01 are computed here;
    the numbers come from ``numbers``.
    """
    if not drafts:
        raise X12WriteError("an interchange needs at least one transaction set")
    isa_control = _control(numbers.next_interchange(), "interchange")
    group_control = _control(numbers.next_group(), "group")
    transactions: list[TransactionSet] = []
    for draft in drafts:
        control = f"{_control(numbers.next_transaction(), 'transaction'):04d}"
        body = tuple(draft.segments)
        for segment in body:
            if segment.tag in {"ISA", "IEA", "GS", "GE", "ST", "SE"}:
                raise X12WriteError(f"envelope segment {segment.tag} inside a transaction body")
        transactions.append(TransactionSet(
            Segment.of("ST", draft.code, control), body,
            Segment.of("SE", str(len(body) + 2), control),
        ))
    gs = Segment.of("GS", functional_id, partner.gs_sender, partner.gs_receiver,
                    at.strftime("%Y%m%d"), at.strftime("%H%M"), str(group_control), "X",
                    partner.version)
    ge = Segment.of("GE", str(len(transactions)), str(group_control))
    group = FunctionalGroup(gs, tuple(transactions), ge)
    isa = _isa(partner, isa_control, at)
    iea = Segment.of("IEA", "1", f"{isa_control:09d}")
    return Interchange(isa, (group,), iea, partner.delimiters)


def write_interchange(
    partner: TradingPartner,
    numbers: ControlNumbers,
    functional_id: str,
    drafts: Sequence[TransactionDraft],
    *,
    at: datetime,
) -> bytes:
    """:func:`build_interchange` then :func:`serialize` with the partner's settings."""
    interchange = build_interchange(partner, numbers, functional_id, drafts, at=at)
    return serialize(interchange, line_break=partner.line_break, encoding=partner.encoding)
