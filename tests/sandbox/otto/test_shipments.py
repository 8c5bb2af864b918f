"""Shipments V1: validation per OTTO's rules, 409s, multi-parcel, corrections, reconciliation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.sandbox.otto.contract import CONTRACTS
from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import get_order, processable_order, ship, shipment_body, statuses

EXAMPLES = CONTRACTS / "examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def test_parcel_shipment_marks_items_sent(sim: Sim) -> None:
    order = processable_order(sim, ("A", 2))
    response = ship(sim, order)
    assert response.status_code == 201
    shipment_id = response.json()["shipmentId"]
    items = get_order(sim, order)["positionItems"]
    assert {i["fulfillmentStatus"] for i in items} == {"SENT"}
    assert items[0]["trackingInfo"] == {"carrier": "DHL", "trackingNumber": "00340434161094042557"}
    assert items[0]["sentDate"] == "2025-03-10T14:05:00.000Z"
    shipment = sim.api.get(f"/v1/shipments/{shipment_id}").json()
    assert [p["positionItemId"] for p in shipment["positionItems"]] == order["positionItemIds"]
    assert shipment["states"][0]["state"] == "SENT"


def test_missing_tracking_key_is_the_documented_400(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    body = shipment_body(order)
    del body["trackingKey"]
    response = sim.api.post("/v1/shipments", json=body, invalid_request=True)
    assert response.status_code == 400
    assert response.json() == example("shipment-create.400-tracking-key-mandatory.response.json")


@pytest.mark.parametrize("carrier", ["DHL", "DHL_EXPRESS", "GLS", "HERMES", "DPD", "UPS"])
def test_parcel_carriers_need_a_tracking_number(sim: Sim, carrier: str) -> None:
    order = processable_order(sim, ("A", 1))
    response = ship(sim, order, carrier=carrier, number=None)
    assert response.status_code == 400
    assert response.json()["errors"][0]["jsonPath"] == "trackingKey.trackingNumber"


def test_forwarder_without_tracking_number_is_accepted(sim: Sim) -> None:
    sim.seed(products=[{"sku": "SOFA", "deliveryType": "FORWARDER_HEAVYDUTY"}])
    order = processable_order(sim, ("SOFA", 1))
    response = ship(sim, order, carrier="OTHER_FORWARDER", number=None, return_key=None)
    assert response.status_code == 201
    shipment = sim.api.get(f"/v1/shipments/{response.json()['shipmentId']}").json()
    assert shipment["trackingKey"] == {"carrier": "OTHER_FORWARDER"}


def test_unknown_carrier_is_refused(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    body = shipment_body(order, carrier="DEUTSCHE_POST")
    response = sim.api.post("/v1/shipments", json=body, invalid_request=True)
    assert response.status_code == 400
    assert response.json()["errors"][0]["jsonPath"] == "trackingKey.carrier"


def test_parcel_items_need_a_return_tracking_key(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    response = ship(sim, order, return_key=None)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["title"], error["jsonPath"]) == (
        "PROPERTY_IS_MANDATORY", "positionItems[0].returnTrackingKey")  # fmt: skip
    assert statuses(sim, order) == ["PROCESSABLE"]


def test_return_carrier_must_be_valid_and_match_opc(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    body = shipment_body(order, return_key=("HES", "123"))
    assert sim.api.post("/v1/shipments", json=body, invalid_request=True).status_code == 400
    sim.state.partners["1000001"].return_carrier = "GLS"
    assert ship(sim, order, return_key=("DHL", "123")).status_code == 400
    assert ship(sim, order, return_key=("GLS", "123")).status_code == 201


def test_alpha2_country_code_is_refused(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    body = shipment_body(order)
    body["shipFromAddress"]["countryCode"] = "DE"
    response = sim.api.post("/v1/shipments", json=body, invalid_request=True)
    assert response.json()["errors"][0]["jsonPath"] == "shipFromAddress.countryCode"


def test_foreign_item_is_the_documented_insufficient_permission(sim: Sim) -> None:
    sim.admin.post(
        "/_admin/partners", json={"partnerId": "2", "clientId": "b", "clientSecret": "s"}
    )
    theirs = processable_order(sim, ("A", 1), partnerId="2")
    response = ship(sim, theirs)
    assert response.status_code == 400
    assert response.json() == example("shipment-create.400-insufficient-permission.response.json")


def test_announced_and_cancelled_items_cannot_be_shipped(sim: Sim) -> None:
    announced = sim.order(("A", 1))
    assert ship(sim, announced).status_code == 400
    cancelled = processable_order(sim, ("A", 1))
    sim.api.post(f"/v4/orders/{cancelled['salesOrderId']}/cancellation")
    assert ship(sim, cancelled).status_code == 400


def test_reused_tracking_key_is_the_documented_409(sim: Sim) -> None:
    first, second = processable_order(sim, ("A", 1)), processable_order(sim, ("A", 1))
    assert ship(sim, first).status_code == 201
    response = ship(sim, second)
    assert response.status_code == 409
    assert response.json() == example("shipment-create.409-duplicate-tracking-key.response.json")
    assert statuses(sim, second) == ["PROCESSABLE"]


def test_item_in_another_shipment_is_409_and_can_be_reconciled(sim: Sim) -> None:
    order = processable_order(sim, ("A", 2))
    created = ship(sim, order).json()["shipmentId"]
    retry = ship(sim, order, number="OTHER-NUMBER")
    assert retry.status_code == 409
    assert retry.json()["errors"][0]["title"] == "POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT"
    found = sim.api.get("/v1/shipments/carriers/DHL/trackingnumbers/00340434161094042557").json()
    assert found["shipmentId"] == created
    listed = sim.api.get("/v1/shipments?datefrom=2025-03-10").json()
    assert [s["shipmentId"] for s in listed["resources"]] == [created]
    unknown = sim.api.get("/v1/shipments/carriers/DHL/trackingnumbers/nope")
    assert unknown.status_code == 404


def test_one_shipment_may_hold_items_of_several_orders(sim: Sim) -> None:
    first, second = processable_order(sim, ("A", 1)), processable_order(sim, ("B", 1))
    body = shipment_body(first)
    body["positionItems"] += shipment_body(second)["positionItems"]
    assert sim.api.post("/v1/shipments", json=body).status_code == 201
    assert statuses(sim, first) == statuses(sim, second) == ["SENT"]


def test_multiparcel_spreads_one_item_over_several_tracking_keys(sim: Sim) -> None:
    order = processable_order(sim, ("WARDROBE", 1))
    parcels = [shipment_body(order, number=n, return_key=("DHL", f"R{n}")) for n in ("P1", "P2")]
    response = sim.api.post("/v1/multiparcel-shipments", json=parcels)
    assert response.status_code == 201
    assert "multiParcelShipmentId" in response.json()
    for number in ("P1", "P2"):
        url = f"/v1/shipments/carriers/DHL/trackingnumbers/{number}"
        shipment = sim.api.get(url).json()
        assert shipment["positionItems"][0]["positionItemId"] == order["positionItemIds"][0]
    assert statuses(sim, order) == ["SENT"]
    again = sim.api.post("/v1/multiparcel-shipments", json=[shipment_body(order, number="P3")])
    assert again.status_code == 409


def test_add_items_correction_by_id_and_by_tracking_key(sim: Sim) -> None:
    order = processable_order(sim, ("A", 3))
    first, second, third = order["positionItemIds"]
    shipment_id = ship(sim, order, items=[first]).json()["shipmentId"]
    forgotten = shipment_body(order, items=[second])["positionItems"]
    assert (
        sim.api.post(f"/v1/shipments/{shipment_id}/positionitems", json=forgotten).status_code
        == 200
    )
    by_key = "/v1/shipments/carriers/DHL/trackingnumbers/00340434161094042557/positionitems"
    late = shipment_body(order, items=[third])["positionItems"]
    assert sim.api.post(by_key, json=late).status_code == 200
    shipment = sim.api.get(f"/v1/shipments/{shipment_id}").json()
    assert [p["positionItemId"] for p in shipment["positionItems"]] == [first, second, third]
    again = sim.api.post(f"/v1/shipments/{shipment_id}/positionitems", json=forgotten)
    assert again.status_code == 409
    expected = example("shipment-append-items.409-position-item-in-other-shipment.response.json")
    expected["errors"][0]["path"] = f"/shipments/{shipment_id}/positionitems"
    assert again.json() == expected
    missing = sim.api.post("/v1/shipments/999/positionitems", json=forgotten)
    assert missing.status_code == 404


def test_other_partners_shipment_is_forbidden(sim: Sim) -> None:
    sim.admin.post(
        "/_admin/partners", json={"partnerId": "2", "clientId": "b", "clientSecret": "s"}
    )
    order = processable_order(sim, ("A", 1), partnerId="2")
    sim.api.authorize(client_id="b", client_secret="s")
    shipment_id = ship(sim, order).json()["shipmentId"]
    sim.api.authorize()
    assert sim.api.get(f"/v1/shipments/{shipment_id}").status_code == 403


def test_list_needs_datefrom_and_pages(sim: Sim) -> None:
    assert sim.api.get("/v1/shipments").status_code == 400
    created = []
    for n in range(3):
        order = processable_order(sim, ("A", 1))
        created.append(ship(sim, order, number=f"T{n}").json()["shipmentId"])
    seen, url = [], "/v1/shipments?datefrom=2025-03-10T00:00:00Z&limit=2"
    while url:
        page = sim.api.get(url).json()
        seen += [s["shipmentId"] for s in page["resources"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), "")
    assert seen == created
    assert sim.api.get("/v1/shipments?datefrom=2025-03-11").json()["resources"] == []


def test_tracking_states_follow_the_clock(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    shipment_id = ship(sim, order).json()["shipmentId"]
    sim.advance(3 * 24 * 3600)
    states = sim.api.get(f"/v1/shipments/{shipment_id}").json()["states"]
    assert [s["state"] for s in states] == ["SENT", "ON_THE_WAY", "DELIVERED"]
