"""Segments → interchange, strict on structure, counts and control numbers.

Framing is lenient (see :mod:`.tokenizer`); the envelope is not: every count
(SE01, GE01, IEA01) and every control-number pair (ST02/SE02, GS06/GE02,
ISA13/IEA02) must agree, or the read fails with the segment and element named.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import X12ParseError
from .model import Delimiters, FunctionalGroup, Interchange, Segment, TransactionSet
from .tokenizer import detect_bare_delimiters, split_segments, tokenize

_ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


def _digits(segment: Segment, position: int, *, min_len: int = 1, max_len: int = 9) -> int:
    value = segment.text(position)
    if not value.isdigit() or not min_len <= len(value) <= max_len:
        raise segment.error(
            f"{segment.tag}{position:02d} must be {min_len}-{max_len} digits, got {value!r}",
            position, code="6" if value else "1",
        )
    return int(value)


def _check_isa(isa: Segment) -> None:
    if len(isa.elements) != 16:
        raise isa.error(f"ISA must have 16 elements, has {len(isa.elements)}", code="3")
    _digits(isa, 13, min_len=9, max_len=9)
    if isa.text(14) not in ("0", "1"):
        raise isa.error("ISA14 (acknowledgment requested) must be 0 or 1", 14, code="7")
    if isa.text(15) not in ("T", "P"):
        raise isa.error("ISA15 (usage indicator) must be T or P", 15, code="7")
    if len(isa.text(12)) != 5:
        raise isa.error("ISA12 (version) must be 5 characters", 12, code="4")


class _Walker:
    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = segments
        self.pos = 0

    def peek(self) -> Segment | None:
        return self.segments[self.pos] if self.pos < len(self.segments) else None

    def take(self, expected: str, context: str) -> Segment:
        segment = self.peek()
        if segment is None:
            last = self.segments[-1] if self.segments else None
            raise X12ParseError(
                f"the document ends before {expected} ({context}): truncated",
                segment_index=len(self.segments), segment_id=last.tag if last else None,
            )
        if segment.tag != expected:
            raise segment.error(f"expected {expected} ({context}), found {segment.tag}", code="2")
        self.pos += 1
        return segment

    def transaction(self) -> TransactionSet:
        st = self.take("ST", "transaction set header")
        _digits(st, 1, min_len=3, max_len=3)
        control = st.text(2)
        if not 4 <= len(control) <= 9:
            raise st.error("ST02 (control number) must be 4-9 characters", 2, code="4")
        body: list[Segment] = []
        while True:
            segment = self.peek()
            if segment is None or segment.tag in _ENVELOPE_TAGS - {"SE"}:
                where = segment.index if segment else len(self.segments)
                raise X12ParseError(
                    f"transaction set {control} has no SE trailer",
                    segment_index=where, segment_id=segment.tag if segment else None,
                )
            self.pos += 1
            if segment.tag == "SE":
                break
            body.append(segment)
        se = segment
        count = _digits(se, 1, max_len=10)
        if count != len(body) + 2:
            raise se.error(
                f"SE01 declares {count} segments but transaction set {control} has "
                f"{len(body) + 2}", 1, code="6", set_position=len(body) + 2,
            )
        if se.text(2) != control:
            raise se.error(f"SE02 {se.text(2)!r} does not match ST02 {control!r}", 2, code="7",
                           set_position=len(body) + 2)
        return TransactionSet(st, tuple(body), se)

    def group(self) -> FunctionalGroup:
        gs = self.take("GS", "functional group header")
        if len(gs.elements) != 8:
            raise gs.error(f"GS must have 8 elements, has {len(gs.elements)}", code="3")
        control = str(_digits(gs, 6))
        transactions: list[TransactionSet] = []
        seen: set[str] = set()
        while (segment := self.peek()) is not None and segment.tag == "ST":
            ts = self.transaction()
            if ts.control_number in seen:
                raise ts.st.error(f"ST02 {ts.control_number} repeats within group {control}", 2,
                                  code="7")
            seen.add(ts.control_number)
            transactions.append(ts)
        ge = self.take("GE", f"trailer of group {control}")
        if _digits(ge, 1, max_len=6) != len(transactions):
            raise ge.error(
                f"GE01 declares {ge.text(1)} transaction sets but group {control} has "
                f"{len(transactions)}", 1, code="6",
            )
        if str(_digits(ge, 2)) != control:
            raise ge.error(f"GE02 {ge.text(2)!r} does not match GS06 {gs.text(6)!r}", 2, code="7")
        return FunctionalGroup(gs, tuple(transactions), ge)


def parse_segments(
    segments: Sequence[Segment], delimiters: Delimiters, notes: Sequence[str] = (),
) -> Interchange:
    """Build and validate an interchange from already split segments."""
    walker = _Walker(segments)
    isa = walker.take("ISA", "interchange header")
    _check_isa(isa)
    groups: list[FunctionalGroup] = []
    seen: set[str] = set()
    while (segment := walker.peek()) is not None and segment.tag == "GS":
        group = walker.group()
        if group.control_number in seen:
            raise group.gs.error(f"GS06 {group.control_number} repeats in the interchange", 6,
                                 code="7")
        seen.add(group.control_number)
        groups.append(group)
    iea = walker.take("IEA", "interchange trailer")
    if _digits(iea, 1, max_len=5) != len(groups):
        raise iea.error(
            f"IEA01 declares {iea.text(1)} groups but the interchange has {len(groups)}", 1,
            code="6",
        )
    if iea.text(2) != isa.text(13):
        raise iea.error(f"IEA02 {iea.text(2)!r} does not match ISA13 {isa.text(13)!r}", 2,
                        code="7")
    rest = walker.peek()
    if rest is not None:
        raise rest.error("data after the IEA trailer", code="2")
    return Interchange(isa, tuple(groups), iea, delimiters, tuple(notes))


def parse_interchange(data: bytes, *, encoding: str = "ascii") -> Interchange:
    """Read one ISA…IEA interchange from ``data``.

    ``encoding`` is the agreed character set (``ascii`` for the X12 basic/extended
    sets; ``latin-1`` or ``utf-8`` when a partner agreed to it).
    """
    tokens = tokenize(data, encoding=encoding)
    return parse_segments(tokens.segments, tokens.delimiters, tokens.notes)


def parse_transaction_sets(
    data: bytes, *, delimiters: Delimiters | None = None, encoding: str = "ascii",
) -> list[TransactionSet]:
    """Read a bare ST…SE sequence without ISA/GS (as some partners and guides show it)."""
    found = delimiters or detect_bare_delimiters(data)
    segments = split_segments(data.lstrip(), found, encoding=encoding, isa_first=False)
    walker = _Walker(segments)
    out: list[TransactionSet] = []
    while walker.peek() is not None:
        out.append(walker.transaction())
    if not out:
        raise X12ParseError("no transaction set found", segment_index=0)
    return out
