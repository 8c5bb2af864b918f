"""997 Functional Acknowledgment: read the partner's, and build ours for a received group.

A 997 confirms syntax only. :func:`acknowledge_group` checks every transaction set
of a received group against the element rules of :mod:`..schema` (plus any extra
issues the caller found, e.g. from a mapper) and accepts or rejects each set with
AK3/AK4 detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import X12ParseError
from ..model import FunctionalGroup, Segment, TransactionSet
from ..schema import validate_transaction
from .common import Cursor, Wire

CODE = "997"
FUNCTIONAL_ID = "FA"
ACCEPTED = "A"
ACCEPTED_WITH_ERRORS = "E"
PARTIALLY_ACCEPTED = "P"
REJECTED = "R"
SEGMENTS_IN_ERROR = "5"  # AK502 / AK304 family: one or more segments in error
SEGMENT_HAS_ELEMENT_ERRORS = "8"


class ElementNote(Wire):
    """AK4: element position (and component), element reference number, error code,
    copy of the bad value."""

    position: int
    component: int | None = None
    reference_number: str | None = None
    error_code: str
    bad_value: str | None = None


class SegmentNote(Wire):
    """AK3: segment id, position in the transaction set, loop id, segment error code."""

    segment_id: str
    position: int
    loop_id: str | None = None
    error_code: str | None = None
    elements: list[ElementNote] = []


class TransactionAck(Wire):
    """AK2 loop: the acknowledged set (ST01, ST02), its notes, AK5 status and codes."""

    code: str
    control_number: str
    segments: list[SegmentNote] = []
    status: str
    error_codes: list[str] = []


class FunctionalAck997(Wire):
    """AK1 (GS01, GS06) … AK9 (status, sets included, received, accepted, codes)."""

    functional_id: str
    group_control_number: str
    transactions: list[TransactionAck] = []
    status: str
    included: int
    received: int
    accepted: int
    error_codes: list[str] = []

    @property
    def fully_accepted(self) -> bool:
        return self.status == ACCEPTED


def encode_997(ack: FunctionalAck997) -> list[Segment]:
    out = [Segment.of("AK1", ack.functional_id, ack.group_control_number)]
    for ts in ack.transactions:
        out.append(Segment.of("AK2", ts.code, ts.control_number))
        for note in ts.segments:
            out.append(Segment.of("AK3", note.segment_id, str(note.position), note.loop_id,
                                  note.error_code))
            for element in note.elements:
                position: str | tuple[str, ...] = (
                    (str(element.position), str(element.component)) if element.component
                    else str(element.position))
                out.append(Segment.of("AK4", position, element.reference_number,
                                      element.error_code, element.bad_value))
        out.append(Segment.of("AK5", ts.status, *ts.error_codes[:5]))
    out.append(Segment.of("AK9", ack.status, str(ack.included), str(ack.received),
                          str(ack.accepted), *ack.error_codes[:5]))
    return out


def _int(cursor: Cursor, segment: Segment, position: int) -> int:
    value = cursor.req(segment, position)
    if not value.isdigit():
        raise cursor.fail(segment, f"{segment.tag}{position:02d} must be a number", position,
                          "6")
    return int(value)


def _codes(segment: Segment, positions: range) -> list[str]:
    return [segment.text(p) for p in positions if segment.text(p)]


def _transaction(cursor: Cursor) -> TransactionAck:
    ak2 = cursor.take("AK2")
    notes: list[SegmentNote] = []
    while cursor.at("AK3"):
        ak3 = cursor.next()
        elements: list[ElementNote] = []
        while cursor.at("AK4"):
            ak4 = cursor.next()
            position = ak4.components(1)
            if not position[0].isdigit() or (len(position) > 1 and not position[1].isdigit()):
                raise cursor.fail(ak4, "AK401 must be an element position", 1, "6")
            elements.append(ElementNote(
                position=int(position[0]),
                component=int(position[1]) if len(position) > 1 and position[1] else None,
                reference_number=cursor.opt(ak4, 2), error_code=cursor.req(ak4, 3),
                bad_value=cursor.opt(ak4, 4)))
        notes.append(SegmentNote(segment_id=cursor.req(ak3, 1), position=_int(cursor, ak3, 2),
                                 loop_id=cursor.opt(ak3, 3), error_code=cursor.opt(ak3, 4),
                                 elements=elements))
    ak5 = cursor.take("AK5")
    return TransactionAck(code=cursor.req(ak2, 1), control_number=cursor.req(ak2, 2),
                          segments=notes, status=cursor.req(ak5, 1),
                          error_codes=_codes(ak5, range(2, 7)))


def decode_997(ts: TransactionSet) -> FunctionalAck997:
    cursor = Cursor(ts, CODE)
    ak1 = cursor.take("AK1")
    transactions: list[TransactionAck] = []
    while cursor.at("AK2"):
        transactions.append(_transaction(cursor))
    ak9 = cursor.take("AK9")
    if cursor.peek() is not None:
        segment = cursor.next()
        raise cursor.fail(segment, f"unexpected {segment.tag} after AK9", code="2")
    return FunctionalAck997(
        functional_id=cursor.req(ak1, 1), group_control_number=cursor.req(ak1, 2),
        transactions=transactions, status=cursor.req(ak9, 1), included=_int(cursor, ak9, 2),
        received=_int(cursor, ak9, 3), accepted=_int(cursor, ak9, 4),
        error_codes=_codes(ak9, range(5, 10)),
    )


def _notes(issues: Sequence[X12ParseError]) -> list[SegmentNote]:
    by_segment: dict[tuple[int, str], list[X12ParseError]] = {}
    for issue in issues:
        key = (issue.set_position or 0, issue.segment_id or "")
        by_segment.setdefault(key, []).append(issue)
    notes: list[SegmentNote] = []
    for (position, segment_id), found in sorted(by_segment.items()):
        elements = [
            ElementNote(position=i.element, component=i.component, error_code=i.code or "1",
                        bad_value=(i.bad_value or None) and i.bad_value[:99])
            for i in found if i.element is not None
        ]
        segment_code = next((i.code for i in found if i.element is None and i.code), None)
        notes.append(SegmentNote(
            segment_id=segment_id, position=position,
            error_code=segment_code or (SEGMENT_HAS_ELEMENT_ERRORS if elements else None),
            elements=elements[:99]))
    return notes


def build_997(group: FunctionalGroup,
              issues: Mapping[str, Sequence[X12ParseError]]) -> FunctionalAck997:
    """The 997 for ``group``: a set with issues (keyed by ST02) is rejected with AK3/AK4
    notes, every other set is accepted; AK9 is A, P (some rejected) or R (all rejected)."""
    acks: list[TransactionAck] = []
    for ts in group.transactions:
        found = issues.get(ts.control_number, ())
        acks.append(TransactionAck(
            code=ts.code, control_number=ts.control_number, segments=_notes(found),
            status=REJECTED if found else ACCEPTED,
            error_codes=[SEGMENTS_IN_ERROR] if found else []))
    accepted = sum(1 for a in acks if a.status == ACCEPTED)
    status = (ACCEPTED if accepted == len(acks)
              else REJECTED if accepted == 0 else PARTIALLY_ACCEPTED)
    return FunctionalAck997(
        functional_id=group.functional_id, group_control_number=group.control_number,
        transactions=acks, status=status, included=len(group.transactions),
        received=len(group.transactions), accepted=accepted,
    )


def acknowledge_group(
    group: FunctionalGroup,
    extra_issues: Mapping[str, Sequence[X12ParseError]] | None = None,
) -> FunctionalAck997:
    """Check every set of ``group`` against the element rules and build the 997."""
    issues: dict[str, list[X12ParseError]] = {}
    for ts in group.transactions:
        found = validate_transaction(ts) + list((extra_issues or {}).get(ts.control_number, ()))
        if found:
            issues[ts.control_number] = found
    return build_997(group, issues)
