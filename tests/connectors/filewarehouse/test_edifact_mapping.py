"""EDIFACT mapping: orders to ORDERS, despatch advices to packages and short picks,
inventory reports to snapshots, inbound notices to despatch advices and receiving advices
to receipts; what cannot be mapped is named."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    DAMAGED,
    DESPATCHED,
    ORDERED,
    RECEIVED,
    DespatchAdvice,
    EdiDate,
    EdiLine,
    EdiPackage,
    EdiQuantity,
    EdiReference,
    EdiTransport,
    InventoryReport,
    ReceivingAdvice,
)
from marketdock.connectors.filewarehouse.edifact_mapping import (
    despatch_notice,
    inbound_advice,
    orders_message,
    receiving_receipt,
    stock_report,
    unoc_text,
)
from marketdock.connectors.ports import (
    InboundLine,
    InboundNotice,
    Receipt,
    ShortPick,
    WarehouseLine,
    WarehouseOrder,
)
from marketdock.domain import Address
from marketdock.errors import ParseError, ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
SENT = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def _order(**address: str) -> WarehouseOrder:
    return WarehouseOrder(
        reference="MD-1", lines=[WarehouseLine(line_ref="l1", sku="MUG", quantity=2)],
        ship_to=Address(**{"name": "Jörg Müller", "street": "Hauptstraße", "house_number": "5",
                           "postal_code": "10115", "city": "Berlin", "country_code": "DE",
                           **address}),
        ship_by=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))


def test_orders_message() -> None:
    message = orders_message(_order(company="Müller GmbH"), SENT, BERLIN)
    assert message.document_number == "MD-1" and message.reference("ON") == "MD-1"
    assert [(d.qualifier, d.value) for d in message.dates] == [
        ("137", "202601150900"), ("10", "20260116")]  # in the warehouse's time
    (party,) = message.parties
    assert (party.role, party.names, party.street, party.postal_code, party.country) == (
        "DP", ["Jörg Müller", "Müller GmbH"], ["Hauptstraße 5"], "10115", "DE")
    (line,) = message.lines
    assert (line.item_id, line.item_type, line.quantity(ORDERED), line.reference("LI")) == (
        "MUG", "SA", Decimal(2), "l1")
    assert message.text("DEL") == "Standard" and message.text("ZZZ") is None


def test_long_street_wraps_over_the_street_components() -> None:
    street = "Allee der Kosmonauten und Raumfahrerinnen"  # 41 characters
    (party,) = orders_message(_order(street=street, line2="Hinterhaus"), SENT, BERLIN).parties
    assert party.street == ["Allee der Kosmonauten und", "Raumfahrerinnen 5", "Hinterhaus"]


@pytest.mark.parametrize(("address", "named"), [
    ({"postal_code": "1234567890"}, "postal_code"),
    ({"city": "X" * 36}, "city"),
    ({"name": " ".join(["Wolfgang"] * 16), "company": "Fa. " * 10}, "name and company"),
    ({"line2": "a " * 30, "line3": "b " * 30}, "street and address lines"),
])
def test_what_does_not_fit_is_named(address: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=f"order MD-1: ship-to {named}"):
        orders_message(_order(**address), SENT, BERLIN)


def test_unoc_text() -> None:
    assert unoc_text("Ayşe  Łukasz ☃\tß") == "Ayse ukasz ß"


def _line(line_ref: str, despatched: int, ordered: int | None = None) -> EdiLine:
    quantities = [EdiQuantity(qualifier=DESPATCHED, quantity=Decimal(despatched))]
    if ordered is not None:
        quantities.append(EdiQuantity(qualifier=ORDERED, quantity=Decimal(ordered)))
    return EdiLine(number="1", item_id="MUG", item_type="SA", quantities=quantities,
                   references=[EdiReference(qualifier="LI", value=line_ref)])


def _advice(*packages: EdiPackage, date: str = "20260115") -> DespatchAdvice:
    return DespatchAdvice(
        document_number="SHP-9", dates=[EdiDate(qualifier="11", value=date, format="102")],
        references=[EdiReference(qualifier="ON", value="MD-1")],
        transports=[EdiTransport(carrier_id="DHL", means="Paket")], packages=list(packages))


def test_despatch_notice_packages_and_short_picks() -> None:
    notice = despatch_notice(_advice(
        EdiPackage(number="1"),
        EdiPackage(number="2", parent="1",
                   references=[EdiReference(qualifier="CN", value="JJD1")],
                   lines=[_line("l1", 1, 4), _line("l2", 1, 1)]),
        EdiPackage(number="3", parent="1", marks=[EdiReference(qualifier="BN", value="JJD2")],
                   lines=[_line("l1", 2, 4)]),
        EdiPackage(number="4", parent="1", lines=[_line("l3", 0, 2)])), BERLIN, "f.edi")
    assert notice.key == "desadv:MD-1:SHP-9"
    assert [(p.package_ref, p.tracking_number, p.carrier, p.service, dict(p.line_quantities))
            for p in notice.packages] == [
        ("SHP-9:JJD1", "JJD1", "DHL", "Paket", {"l1": 1, "l2": 1}),
        ("SHP-9:JJD2", "JJD2", "DHL", "Paket", {"l1": 2})]
    assert notice.packages[0].shipped_at == datetime(2026, 1, 15, tzinfo=BERLIN)
    assert list(notice.short_picks) == [ShortPick("MD-1", "l1", "MUG", 1),
                                        ShortPick("MD-1", "l3", "MUG", 2)]


@pytest.mark.parametrize(("advice", "named"), [
    (_advice(date="2026-01-15"), "DTM\\+11 '2026-01-15' is not a date of format 102"),
    (_advice().model_copy(update={"references": []}), "no RFF\\+ON"),
    (_advice().model_copy(update={"dates": []}), "no DTM\\+11"),
    (_advice(EdiPackage(number="1", lines=[_line("l1", 1).model_copy(
        update={"references": []})])), "LIN 1 has no RFF\\+LI"),
    (_advice(EdiPackage(number="1", lines=[_line("l1", 1).model_copy(update={"quantities": [
        EdiQuantity(qualifier=DESPATCHED, quantity=Decimal("1.5"))]})])),
     "QTY\\+12 1.5 is not a whole number"),
])
def test_unmappable_despatch_advice(advice: DespatchAdvice, named: str) -> None:
    with pytest.raises(ParseError, match=f"^f.edi: .*{named}"):
        despatch_notice(advice, BERLIN, "f.edi")


def _report(*lines: EdiLine) -> InventoryReport:
    return InventoryReport(document_number="INV-1", dates=[
        EdiDate(qualifier="137", value="202601150900", format="203"),
        EdiDate(qualifier="366", value="202601150600", format="203")], lines=list(lines))


def _stock_line(sku: str, **quantities: int) -> EdiLine:
    return EdiLine(number="1", item_id=sku, quantities=[
        EdiQuantity(qualifier=q, quantity=Decimal(n)) for q, n in quantities.items()])


def test_stock_report() -> None:
    stock = stock_report(_report(_stock_line("MUG", **{ACTUAL_STOCK: 10, "66": 3, DAMAGED: 2})),
                         tenant_id="t1", warehouse_id="wh1", zone=BERLIN, where="f.edi")
    assert (stock.key, stock.full, stock.as_of) == (
        "invrpt:INV-1", True, datetime(2026, 1, 15, 6, 0, tzinfo=BERLIN))
    (position,) = stock.positions
    assert (position.on_hand, position.allocated, position.blocked, position.available) == (
        10, 3, 2, 5)


@pytest.mark.parametrize(("report", "named"), [
    (_report(_stock_line("MUG", **{DAMAGED: 1})), "LIN 1: needs an item id and QTY\\+145"),
    (_report(_stock_line("MUG", **{ACTUAL_STOCK: 1}), _stock_line("MUG", **{ACTUAL_STOCK: 2})),
     "item MUG is reported twice"),
    (_report().model_copy(update={"dates": []}), "no DTM\\+366 or DTM\\+137"),
])
def test_unmappable_stock_report(report: InventoryReport, named: str) -> None:
    with pytest.raises(ParseError, match=f"^f.edi.*{named}"):
        stock_report(report, tenant_id="t1", warehouse_id="wh1", zone=BERLIN, where="f.edi")


def test_inbound_advice() -> None:
    notice = InboundNotice(reference="RET-7-1",
                           lines=[InboundLine("MUG", 2), InboundLine("TEA", 1)],
                           expected_at=datetime(2026, 1, 19, 23, 30, tzinfo=UTC),
                           carrier="Hermes Germany", tracking_number="H100",
                           supplier="Ayşe Müller")
    advice = inbound_advice(notice, SENT, BERLIN)
    assert (advice.document_code, advice.document_number, advice.function) == (
        "351", "RET-7-1", "9")
    assert [(d.qualifier, d.value, d.format) for d in advice.dates] == [
        ("137", "202601150900", "203"), ("17", "20260120", "102")]  # in the warehouse's time
    assert [(r.qualifier, r.value) for r in advice.references] == [("AAK", "RET-7-1"),
                                                                   ("CN", "H100")]
    assert [(p.role, p.names) for p in advice.parties] == [("SU", ["Ayse Müller"])]
    assert [(t.carrier_id, t.carrier_name) for t in advice.transports] == [
        (None, "Hermes Germany")]
    assert [(line.number, line.item_id, line.item_type, line.quantity(DESPATCHED))
            for _, line in advice.items()] == [("1", "MUG", "SA", 2), ("2", "TEA", "SA", 1)]
    assert [p.number for p in advice.packages] == ["1"] and advice.lines == []
    bare = inbound_advice(InboundNotice(reference="A", lines=[InboundLine("MUG", 1)]), SENT,
                          BERLIN)
    assert (len(bare.dates), bare.references[1:], bare.parties, bare.transports) == (
        1, [], [], [])


@pytest.mark.parametrize(("notice", "named"), [
    (InboundNotice(reference="A", lines=[InboundLine("MUG", 0)]), "SKU MUG quantity 0"),
    (InboundNotice(reference="A" * 36, lines=[InboundLine("MUG", 1)]), "reference"),
    (InboundNotice(reference="A", lines=[InboundLine("MUG", 1)], tracking_number="1" * 36),
     "tracking number"),
    (InboundNotice(reference="A", lines=[InboundLine("MUG", 1)], supplier="word " * 40),
     "supplier takes"),
])
def test_inbound_notice_that_does_not_fit(notice: InboundNotice, named: str) -> None:
    with pytest.raises(ValidationError, match=f"inbound notice A+: {named}"):
        inbound_advice(notice, SENT, BERLIN)


def _received(sku: str, units: int, damaged: int | None = None) -> EdiLine:
    quantities = [EdiQuantity(qualifier=RECEIVED, quantity=Decimal(units))]
    if damaged is not None:
        quantities.append(EdiQuantity(qualifier=DAMAGED, quantity=Decimal(damaged)))
    return EdiLine(number=sku, item_id=sku, item_type="SA", quantities=quantities)


def _recadv(*lines: EdiLine, dates: tuple[EdiDate, ...] = (
        EdiDate(qualifier="50", value="20260116", format="102"),)) -> ReceivingAdvice:
    return ReceivingAdvice(document_number="RCV-3", dates=list(dates),
                           references=[EdiReference(qualifier="AAK", value="ASN-1")],
                           lines=list(lines))


def test_receiving_receipt_good_is_received_less_damaged() -> None:
    notice = receiving_receipt(_recadv(_received("MUG", 5, 2), _received("TEA", 1),
                                       _received("MUG", 1)), BERLIN, "f.edi")
    assert notice.key == "recadv:ASN-1:RCV-3"
    assert notice.receipt == Receipt(inbound_reference="ASN-1", received={"MUG": 4, "TEA": 1},
                                     damaged={"MUG": 2}, receipt_id="RCV-3",
                                     received_at=datetime(2026, 1, 16, tzinfo=BERLIN))
    stamped = receiving_receipt(_recadv(_received("MUG", 1), dates=(
        EdiDate(qualifier="137", value="202601161430", format="203"),)), BERLIN, "f.edi")
    assert stamped.receipt.received_at == datetime(2026, 1, 16, 14, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(("advice", "named"), [
    (_recadv().model_copy(update={"references": []}), "no RFF\\+AAK"),
    (_recadv(dates=()), "no DTM\\+50 or DTM\\+137"),
    (_recadv(EdiLine(number="1", item_id="MUG")), "LIN 1: needs an item id and QTY\\+48"),
    (_recadv(_received("MUG", 1, 2)), "LIN MUG: QTY\\+124 2 damaged units are more"),
    (_recadv(EdiLine(number="1", item_id="MUG", quantities=[
        EdiQuantity(qualifier=RECEIVED, quantity=Decimal("1.5"))])), "QTY\\+48 1.5 is not"),
])
def test_unmappable_receiving_advice(advice: ReceivingAdvice, named: str) -> None:
    with pytest.raises(ParseError, match=f"^f.edi[:,] .*{named}"):
        receiving_receipt(advice, BERLIN, "f.edi")
