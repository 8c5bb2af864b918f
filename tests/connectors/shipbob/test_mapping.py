"""Golden tests: requests built from port types, recorded ShipBob answers parsed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from marketdock.connectors.ports import ShortPick, WarehouseLine, WarehouseOrder
from marketdock.connectors.shipbob import mapping, wire
from marketdock.domain import Address
from marketdock.errors import ParseError, ValidationError
from tests.connectors.shipbob.conftest import load
from tests.connectors.shipbob.harness import BERLIN, order

AS_OF = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_create_order_request_matches_the_recorded_body(conforms: Any) -> None:
    built = mapping.order_request(order("OTTO-7-1", ("L1", "MUG", 2), ("L2/TEE", "TEE", 3),
                                        method="Express"))
    body = built.model_dump(mode="json", exclude_none=True)
    assert body == load("create_order_request.json")
    conforms(body, "Orders.CreateOrderModel")


def test_company_name_goes_with_a_person_and_alone_becomes_the_name() -> None:
    with_person = BERLIN.model_copy(update={"company": "Acme GmbH"})
    assert mapping.recipient("R", with_person).address.company_name == "Acme GmbH"
    company_only = Address(company="Acme GmbH", street="Lagerweg", house_number="1",
                           postal_code="20095", city="Hamburg", country_code="DEU")
    built = mapping.recipient("R", company_only)
    assert (built.name, built.address.company_name, built.address.country) == \
        ("Acme GmbH", None, "DE")


def test_an_order_without_street_or_lines_is_refused_before_sending() -> None:
    no_street = Address(name="X", city="Berlin", country_code="DE")
    with pytest.raises(ValidationError, match="order R: ship-to address lacks street"):
        mapping.recipient("R", no_street)
    with pytest.raises(ValidationError, match="has no lines"):
        mapping.order_request(WarehouseOrder(reference="R", lines=[], ship_to=BERLIN))
    with pytest.raises(ValidationError, match="line L1: quantity 0"):
        mapping.order_request(WarehouseOrder(
            reference="R", lines=[WarehouseLine("L1", "MUG", 0)], ship_to=BERLIN))


def test_duplicate_reference_answer_is_recognised() -> None:
    assert mapping.duplicate_reference(load("create_order_duplicate_422.json"))
    assert not mapping.duplicate_reference({"products": ["unknown product"]})
    assert not mapping.duplicate_reference(["reference_id"])


def test_split_shipment_gives_one_package_per_shipment_keyed_by_line_ref() -> None:
    found = mapping.outcome(wire.ShipBobOrder.model_validate(load("order_split_shipped.json")))
    assert [(p.package_ref, dict(p.line_quantities)) for p in found.packages] == [
        ("500001", {"L1": 2}), ("500002", {"L2/TEE": 2}), ("500003", {"L2/TEE": 1})]
    first = found.packages[0]
    assert (first.order_reference, first.carrier, first.service, first.tracking_number) == \
        ("OTTO-7-1", "DHL Paket", "DHL Paket", "00340434919074833788")
    assert first.shipped_at == datetime(2026, 3, 2, 6, 20, tzinfo=UTC)
    assert found.short_picks == () and found.final
    assert found.updated_at == datetime(2026, 3, 2, 6, 20, tzinfo=UTC)


def test_partially_fulfilled_order_reports_what_was_closed_short() -> None:
    found = mapping.outcome(
        wire.ShipBobOrder.model_validate(load("order_partially_fulfilled.json")))
    assert [dict(p.line_quantities) for p in found.packages] == [{"A": 4}]
    assert found.short_picks == (ShortPick("AMZ-9-1", "A", "MUG", 1),
                                 ShortPick("AMZ-9-1", "B", "TEE", 4))


def test_short_closed_order_is_final_with_every_unit_missing() -> None:
    found = mapping.outcome(wire.ShipBobOrder.model_validate(load("order_short_closed.json")))
    assert found.packages == () and found.final
    assert found.short_picks == (ShortPick("AMZ-9-1", "A", "MUG", 3),
                                 ShortPick("AMZ-9-1", "B", "TEE", 2))


def test_an_order_still_in_the_warehouse_reports_nothing_and_is_not_final() -> None:
    raw = load("order_split_shipped.json")
    raw["status"] = "Processing"
    for shipment in raw["shipments"]:
        shipment["status"] = "LabeledCreated"
    found = mapping.outcome(wire.ShipBobOrder.model_validate(raw))
    assert (found.packages, found.short_picks, found.final) == ((), (), False)


def test_same_sku_on_two_lines_fills_the_lines_in_order() -> None:
    raw = load("order_split_shipped.json")
    raw["products"][1]["reference_id"] = raw["products"][1]["sku"] = "MUG"
    for shipment in raw["shipments"][1:]:
        shipment["products"][0]["reference_id"] = shipment["products"][0]["sku"] = "MUG"
    found = mapping.outcome(wire.ShipBobOrder.model_validate(raw))
    assert [dict(p.line_quantities) for p in found.packages] == [
        {"L1": 2}, {"L2/TEE": 2}, {"L2/TEE": 1}]


def test_unknown_fields_and_statuses_are_tolerated() -> None:
    raw = load("order_split_shipped.json")
    raw["brand_new_field"] = {"x": 1}
    raw["status"] = "SomethingNew"
    raw["shipments"][0]["tracking"]["future"] = True
    found = mapping.outcome(wire.ShipBobOrder.model_validate(raw))
    assert len(found.packages) == 3 and not found.final


@pytest.mark.parametrize(("change", "message"), [
    (lambda o: o.update(tags=None), "carries no marketdock line reference"),
    (lambda o: o["shipments"][0]["tracking"].update(carrier=None, scac=None),
     "names no carrier"),
    (lambda o: o["shipments"][0]["products"][0]["inventory_items"].clear(),
     "units of a warehouse bundle cannot be counted"),
    (lambda o: o["shipments"][0]["products"][0]["inventory_items"][0].update(quantity=9),
     "ships 7 more units of MUG than the order holds"),
])
def test_broken_orders_are_refused_with_a_reason(change: Any, message: str) -> None:
    raw = load("order_split_shipped.json")
    change(raw)
    with pytest.raises((ParseError, ValidationError), match=message):
        mapping.outcome(wire.ShipBobOrder.model_validate(raw))


def test_inventory_levels_become_stock_positions() -> None:
    page = wire.InventoryPage.model_validate(load("inventory_levels.json"))
    positions = [mapping.stock_position(wire.InventoryLevel.model_validate(item),
                                        tenant_id="acme", warehouse_id="hh", as_of=AS_OF)
                 for item in page.items]
    assert [(p.sku, p.on_hand, p.allocated, p.available, p.blocked) for p in positions] == [
        ("MUG", 40, 6, 31, 3), ("TEE-M", 0, 0, 0, 0)]
    assert {p.as_of for p in positions} == {AS_OF}


def test_first_channel_that_may_write_orders_is_chosen() -> None:
    channels = [wire.Channel(id=1, scopes=["orders_read"]),
                wire.Channel(id=2, scopes=["orders_read", "orders_write"])]
    assert mapping.first_writable_channel(channels) == 2
    assert mapping.first_writable_channel(channels[:1]) is None


def test_partly_fulfilled_order_with_a_shipment_still_open_reports_no_short_pick() -> None:
    raw = load("order_partially_fulfilled.json")
    still_open = {**raw["shipments"][0], "id": 500009, "status": "Processing",
                  "tracking": None}
    raw["shipments"].append(still_open)
    found = mapping.outcome(wire.ShipBobOrder.model_validate(raw))
    assert len(found.packages) == 1 and found.short_picks == () and not found.final
