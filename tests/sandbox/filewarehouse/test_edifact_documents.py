"""The file warehouse in EDIFACT: ORDERS and inbound DESADV in, DESADV, INVRPT and RECADV
out, applied to the floor."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    COMMITTED,
    DAMAGED,
    DESPATCHED,
    ORDERED,
    RECEIVED,
    DespatchAdvice,
    EdiDate,
    EdiLine,
    EdiParty,
    EdiQuantity,
    EdiReference,
    EdiText,
    OrdersMessage,
    desadv_draft,
    invrpt_draft,
    orders_draft,
    parse_edifact,
    read_desadv,
    read_invrpt,
    read_recadv,
    write_edifact,
)
from marketdock.sandbox.filewarehouse import edifact_documents

from .test_file_warehouse import AT, make, outbound


def orders(reference: str, *lines: tuple[str, str, int]) -> OrdersMessage:
    return OrdersMessage(
        document_number=reference, texts=[EdiText(qualifier="DEL", text="Express")],
        parties=[EdiParty(role="DP", names=["Jörg Müller", "Müller GmbH"],
                          street=["Hauptstraße 5", "Hinterhaus"], city="Berlin",
                          postal_code="10115", country="DE")],
        lines=[EdiLine(number=str(n), item_id=sku, item_type="SA",
                       quantities=[EdiQuantity(qualifier=ORDERED, quantity=Decimal(qty))],
                       references=[EdiReference(qualifier="LI", value=line_ref)])
               for n, (line_ref, sku, qty) in enumerate(lines, start=1)])


def upload(drop_root: Path, name: str, *drafts: object) -> bytes:
    data = write_edifact(list(drafts), sender=edifact_documents.HUB_ID,  # type: ignore[arg-type]
                         recipient=edifact_documents.WAREHOUSE_ID, control_reference="5",
                         at=AT).encode("latin-1")
    (drop_root / "inbound" / name).write_bytes(data)
    return data


def test_orders_in_despatch_advice_out(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "edifact")
    upload(tmp_path, "ORDERS_1.edi", orders_draft(orders("MD-1", ("i1", "MUG", 2))),
           orders_draft(orders("MD-2", ("i1", "TEA", 1))))
    warehouse.step()
    assert [o.reference for o in floor.orders()] == ["MD-1", "MD-2"]
    placed = floor.order("MD-1")
    assert placed.shipping_method == "Express" and placed.ship_to is not None
    assert (placed.ship_to.name, placed.ship_to.company, placed.ship_to.street1,
            placed.ship_to.street2) == ("Jörg Müller", "Müller GmbH", "Hauptstraße 5",
                                        "Hinterhaus")
    warehouse.advance(4 * 3600)
    advices = [read_desadv(m) for data in outbound(drop, "DESADV")
               for m in parse_edifact(data).messages]
    assert sorted(a.reference("ON") or "" for a in advices) == ["MD-1", "MD-2"]
    advice = next(a for a in advices if a.reference("ON") == "MD-1")
    consignment, parcel = advice.packages
    assert (consignment.number, consignment.lines, parcel.parent) == ("1", [], "1")
    assert parcel.tracking_number == floor.order("MD-1").parcels[0].tracking_number
    (line,) = parcel.lines
    assert (line.item_id, line.quantity(DESPATCHED), line.quantity(ORDERED),
            line.reference("LI")) == ("MUG", 2, 2, "i1")
    assert advice.transports[0].carrier_id == floor.order("MD-1").parcels[0].carrier.code


def test_lines_not_shipped_are_a_group_of_their_own(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "edifact", short_pick_rate=1.0)
    upload(tmp_path, "ORDERS_2.edi", orders_draft(orders("MD-3", ("i1", "MUG", 3),
                                                         ("i2", "TEA", 1))))
    warehouse.step()
    warehouse.advance(24 * 3600)
    assert floor.order("MD-3").parcels == ()  # nothing was found at pick
    (advice,) = [read_desadv(m) for data in outbound(drop, "DESADV")
                 for m in parse_edifact(data).messages]
    consignment, unshipped = advice.packages
    assert consignment.lines == [] and unshipped.tracking_number is None
    assert [(line.reference("LI"), line.quantity(DESPATCHED), line.quantity(ORDERED))
            for line in unshipped.lines] == [("i1", 0, 3), ("i2", 0, 1)]


def test_inventory_report(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "edifact")
    upload(tmp_path, "ORDERS_3.edi", orders_draft(orders("MD-4", ("i1", "MUG", 3))))
    warehouse.step()
    floor.advance(60)
    warehouse.publish_stock()
    data = outbound(drop, "INVRPT")[-1]
    (report,) = [read_invrpt(m) for m in parse_edifact(data).messages]
    assert report.date("366") is not None
    mug = next(line for line in report.lines if line.item_id == "MUG")
    assert (mug.quantity(ACTUAL_STOCK), mug.quantity(COMMITTED)) == (10, 3)


def test_a_message_not_orders_rejects_the_whole_file(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "edifact")
    upload(tmp_path, "ORDERS_4.edi", orders_draft(orders("MD-5", ("i1", "MUG", 1))),
           invrpt_draft(edifact_documents.inventory_report(floor.stock_levels(), AT)))
    data = upload(tmp_path, "ORDERS_5.edi", orders_draft(orders("MD-6", ("i1", "MUG", 1))))
    (tmp_path / "inbound" / "ORDERS_6.edi").write_bytes(data[: len(data) // 2])
    warehouse.step()
    assert "expected a ORDERS message" in warehouse.state.rejected["ORDERS_4.edi"]
    assert "segment" in warehouse.state.rejected["ORDERS_6.edi"]
    assert [o.reference for o in floor.orders()] == ["MD-6"]


def inbound_advice(reference: str, *lines: tuple[str, int]) -> DespatchAdvice:
    return DespatchAdvice(
        document_number=reference, dates=[EdiDate(qualifier="17", value="20260120",
                                                  format="102")],
        references=[EdiReference(qualifier="AAK", value=reference)],
        lines=[EdiLine(number=str(n), item_id=sku, item_type="SA",
                       quantities=[EdiQuantity(qualifier=DESPATCHED, quantity=Decimal(qty))])
               for n, (sku, qty) in enumerate(lines, start=1)])


def test_inbound_despatch_advice_in_receiving_advice_out(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "edifact")
    upload(tmp_path, "DESADV_1.edi", desadv_draft(inbound_advice("ASN-1", ("MUG", 5),
                                                                 ("TEA", 2))))
    warehouse.step()
    inbound = floor.inbound("ASN-1")
    assert dict(inbound.expected) == {"MUG": 5, "TEA": 2}
    assert inbound.expected_at == datetime(2026, 1, 20, tzinfo=UTC)
    upload(tmp_path, "DESADV_2.edi", desadv_draft(inbound_advice("ASN-1", ("MUG", 9))))
    warehouse.step()
    assert dict(floor.inbound("ASN-1").expected) == {"MUG": 5, "TEA": 2}  # taken once
    warehouse.receive_inbound("ASN-1", {"MUG": 3, "TEA": 2}, damaged={"MUG": 2})
    (data,) = outbound(drop, "RECADV")
    (advice,) = [read_recadv(m) for m in parse_edifact(data).messages]
    assert advice.reference("AAK") == "ASN-1" and advice.date("50") is not None
    assert [(line.item_id, line.quantity(RECEIVED), line.quantity(DAMAGED))
            for line in advice.lines] == [("MUG", 5, 2), ("TEA", 2, None)]


def test_an_inbound_line_without_units_rejects_the_file(tmp_path: Path) -> None:
    warehouse, _, floor = make(tmp_path, "edifact")
    advice = inbound_advice("ASN-2", ("MUG", 1))
    broken = advice.model_copy(update={"lines": [*advice.lines, EdiLine(number="2",
                                                                         item_id="TEA")]})
    upload(tmp_path, "DESADV_3.edi", desadv_draft(broken))
    warehouse.step()
    assert "LIN 2 needs an item id and QTY+12" in warehouse.state.rejected["DESADV_3.edi"]
    assert floor.inbounds() == []
