"""Pieces shared by the transaction-set mappers: a segment cursor, value helpers and
the wire records that appear in several sets (N1 parties, N9 references, G62 dates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from ..errors import X12ParseError
from ..model import Segment, TransactionSet


class Wire(BaseModel):
    """Base of every X12 wire record: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Cursor:
    """Walks the body of a transaction set; knows each segment's position in the set."""

    def __init__(self, ts: TransactionSet, expected_code: str) -> None:
        if ts.code != expected_code:
            raise ts.st.error(f"expected a {expected_code} transaction set, got {ts.code}", 1,
                              code="7", set_position=1)
        self.ts = ts
        self.pos = 0
        self.skipped: list[str] = []

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self.ts.segments

    def peek(self) -> str | None:
        return self.segments[self.pos].tag if self.pos < len(self.segments) else None

    def at(self, *tags: str) -> bool:
        return self.peek() in tags

    def next(self) -> Segment:
        segment = self.segments[self.pos]
        self.pos += 1
        return segment

    def take(self, tag: str) -> Segment:
        if self.peek() != tag:
            found = self.peek() or "SE"
            where = self.segments[self.pos] if self.pos < len(self.segments) else self.ts.se
            raise X12ParseError(
                f"mandatory segment {tag} is missing (found {found})",
                segment_index=where.index if where.index >= 0 else None, segment_id=tag,
                set_position=self.pos + 2, code="3",
            )
        return self.next()

    def take_all(self, tag: str) -> list[Segment]:
        out: list[Segment] = []
        while self.peek() == tag:
            out.append(self.next())
        return out

    def skip(self) -> None:
        """Pass over a segment the mapper does not model (its tag is remembered)."""
        self.skipped.append(self.next().tag)

    def set_position(self, segment: Segment) -> int:
        for i, candidate in enumerate(self.segments):
            if candidate is segment:
                return i + 2
        return 1 if segment is self.ts.st else len(self.segments) + 2

    def fail(self, segment: Segment, reason: str, element: int | None = None,
             code: str | None = None) -> X12ParseError:
        return segment.error(reason, element, code=code, set_position=self.set_position(segment))

    # value readers ---------------------------------------------------------------
    def opt(self, segment: Segment, position: int) -> str | None:
        return segment.text(position) or None

    def req(self, segment: Segment, position: int) -> str:
        value = segment.text(position)
        if not value:
            raise self.fail(segment, f"mandatory element {segment.tag}{position:02d} is missing",
                            position, "1")
        return value

    def number(self, segment: Segment, position: int) -> Decimal | None:
        value = segment.text(position)
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.fail(segment, f"{segment.tag}{position:02d} is not a number: {value!r}",
                            position, "6") from None
        if not number.is_finite():
            raise self.fail(segment, f"{segment.tag}{position:02d} is not a number", position, "6")
        return number

    def req_number(self, segment: Segment, position: int) -> Decimal:
        number = self.number(segment, position)
        if number is None:
            raise self.fail(segment, f"mandatory element {segment.tag}{position:02d} is missing",
                            position, "1")
        return number

    def date(self, segment: Segment, position: int) -> dt.date | None:
        value = segment.text(position)
        if not value:
            return None
        try:
            if len(value) != 8 or not value.isdigit():
                raise ValueError(value)
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            raise self.fail(segment, f"{segment.tag}{position:02d} is not a CCYYMMDD date: "
                            f"{value!r}", position, "8") from None


def fmt_number(value: Decimal | int | None) -> str | None:
    """X12 numeric text: no exponent, no trailing zeros after the point."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def fmt_date(value: dt.date | None) -> str | None:
    return value.strftime("%Y%m%d") if value else None


class ProductId(Wire):
    """A product/service id with its qualifier (``VN`` vendor item, ``SK`` SKU, ``UP`` UPC,
    ``EN`` EAN, ``BP`` buyer part, ``UK`` GTIN-14 …)."""

    qualifier: str
    value: str


def product_ids(cursor: Cursor, segment: Segment, positions: Iterable[int]) -> list[ProductId]:
    out: list[ProductId] = []
    for position in positions:
        qualifier, value = segment.text(position), segment.text(position + 1)
        if qualifier and value:
            out.append(ProductId(qualifier=qualifier, value=value))
        elif qualifier or value:
            missing = position + 1 if qualifier else position
            raise cursor.fail(segment, f"{segment.tag}{position:02d}/{position + 1:02d} must come "
                              "as qualifier and id together", missing, "1")
    return out


def id_pairs(ids: list[ProductId], slots: int) -> list[str | None]:
    if len(ids) > slots:
        raise ValueError(f"at most {slots} product ids fit here, got {len(ids)}")
    flat: list[str | None] = []
    for pid in ids:
        flat += [pid.qualifier, pid.value]
    return flat + [None] * (2 * slots - len(flat))


class Reference(Wire):
    """N9 (or REF): qualifier, value, free-form description."""

    qualifier: str
    value: str | None = None
    description: str | None = None


def read_reference(cursor: Cursor, segment: Segment) -> Reference:
    reference = Reference(qualifier=cursor.req(segment, 1), value=cursor.opt(segment, 2),
                          description=cursor.opt(segment, 3))
    if reference.value is None and reference.description is None:
        raise cursor.fail(segment, f"{segment.tag}02 or {segment.tag}03 is required", 2, "2")
    return reference


def write_reference(reference: Reference, tag: str = "N9") -> Segment:
    return Segment.of(tag, reference.qualifier, reference.value, reference.description)


class DateRef(Wire):
    """G62: date qualifier (``10`` requested ship, ``02`` delivery, ``11`` shipped), date,
    time qualifier and time (HHMM)."""

    qualifier: str
    date: dt.date | None = None
    time_qualifier: str | None = None
    time: str | None = None


def read_g62(cursor: Cursor, segment: Segment) -> DateRef:
    return DateRef(qualifier=cursor.req(segment, 1), date=cursor.date(segment, 2),
                   time_qualifier=cursor.opt(segment, 3), time=cursor.opt(segment, 4))


def write_g62(value: DateRef) -> Segment:
    return Segment.of("G62", value.qualifier, fmt_date(value.date), value.time_qualifier,
                      value.time)


class Note(Wire):
    """NTE: reference code (``WHI`` warehouse instruction …) and text."""

    code: str | None = None
    text: str


class Communication(Wire):
    qualifier: str
    number: str


class Contact(Wire):
    """PER: contact function (``IC`` information contact), name, up to three channels."""

    function: str
    name: str | None = None
    channels: list[Communication] = []


class Party(Wire):
    """N1 loop: N1, N2, N3 (address lines), N4, PER."""

    entity: str
    name: str | None = None
    id_qualifier: str | None = None
    id: str | None = None
    extra_names: list[str] = []
    address_lines: list[str] = []
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    contacts: list[Contact] = []


_PARTY_MEMBERS = ("N2", "N3", "N4", "PER")


def read_parties(cursor: Cursor) -> list[Party]:
    parties: list[Party] = []
    while cursor.at("N1"):
        n1 = cursor.next()
        fields: dict[str, object] = {
            "entity": cursor.req(n1, 1), "name": cursor.opt(n1, 2),
            "id_qualifier": cursor.opt(n1, 3), "id": cursor.opt(n1, 4),
        }
        names: list[str] = []
        lines: list[str] = []
        contacts: list[Contact] = []
        while cursor.at(*_PARTY_MEMBERS):
            segment = cursor.next()
            if segment.tag == "N2":
                names += [v for v in (segment.text(1), segment.text(2)) if v]
            elif segment.tag == "N3":
                lines += [v for v in (segment.text(1), segment.text(2)) if v]
            elif segment.tag == "N4":
                fields |= {"city": cursor.opt(segment, 1), "state": cursor.opt(segment, 2),
                           "postal_code": cursor.opt(segment, 3),
                           "country": cursor.opt(segment, 4)}
            else:
                channels = [Communication(qualifier=segment.text(p), number=segment.text(p + 1))
                            for p in (3, 5, 7) if segment.text(p) and segment.text(p + 1)]
                contacts.append(Contact(function=cursor.req(segment, 1),
                                        name=cursor.opt(segment, 2), channels=channels))
        parties.append(Party.model_validate(
            fields | {"extra_names": names, "address_lines": lines, "contacts": contacts}))
    return parties


def write_parties(parties: Iterable[Party]) -> list[Segment]:
    out: list[Segment] = []
    for party in parties:
        out.append(Segment.of("N1", party.entity, party.name, party.id_qualifier, party.id))
        for i in range(0, len(party.extra_names), 2):
            out.append(Segment.of("N2", *party.extra_names[i:i + 2]))
        for i in range(0, len(party.address_lines), 2):
            out.append(Segment.of("N3", *party.address_lines[i:i + 2]))
        if party.city or party.state or party.postal_code or party.country:
            out.append(Segment.of("N4", party.city, party.state, party.postal_code,
                                  party.country))
        for contact in party.contacts:
            flat: list[str | None] = []
            for channel in contact.channels[:3]:
                flat += [channel.qualifier, channel.number]
            out.append(Segment.of("PER", contact.function, contact.name, *flat))
    return out


class Totals(Wire):
    """W76 / W03: total quantity, weight with unit, volume with unit."""

    quantity: Decimal
    weight: Decimal | None = None
    weight_unit: str | None = None
    volume: Decimal | None = None
    volume_unit: str | None = None


def read_totals(cursor: Cursor, segment: Segment) -> Totals:
    return Totals(quantity=cursor.req_number(segment, 1), weight=cursor.number(segment, 2),
                  weight_unit=cursor.opt(segment, 3), volume=cursor.number(segment, 4),
                  volume_unit=cursor.opt(segment, 5))


def write_totals(tag: str, totals: Totals) -> Segment:
    return Segment.of(tag, fmt_number(totals.quantity), fmt_number(totals.weight),
                      totals.weight_unit, fmt_number(totals.volume), totals.volume_unit)


class Carrier(Wire):
    """W27 (945/943): transport method (``U`` parcel, ``M`` motor, ``H`` pickup), SCAC,
    routing/service text, payment method (``PP``/``CC``/``TP``)."""

    transport_method: str
    scac: str
    routing: str | None = None
    payment: str | None = None


def read_w27(cursor: Cursor, segment: Segment) -> Carrier:
    return Carrier(transport_method=cursor.req(segment, 1), scac=cursor.req(segment, 2),
                   routing=cursor.opt(segment, 3), payment=cursor.opt(segment, 4))


def write_w27(carrier: Carrier) -> Segment:
    return Segment.of("W27", carrier.transport_method, carrier.scac, carrier.routing,
                      carrier.payment)
