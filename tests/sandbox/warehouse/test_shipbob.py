"""The ShipBob-shaped simulator: contract shapes, idempotency, auth, rate limit, stock."""

from __future__ import annotations

from typing import Any

import pytest

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.warehouse.shipbob import create_app, simulator_of
from tests.sandbox.warehouse.helpers import Sim, build_sim

V = "/2026-01"


def test_order_lifecycle_matches_the_contract(sim: Sim, conforms: Any) -> None:
    sim.floor.set_stock("TASSE-1", 10)
    created = sim.create("OTTO-1001", ("TASSE-1", 2))
    assert created.status_code == 201
    order = created.json()
    conforms(order, "Orders.OrderViewModel")
    assert (order["reference_id"], order["status"]) == ("OTTO-1001", "Processing")
    assert order["recipient"]["address"]["address1"] == "Schloßstraße 12"
    sim.advance(120)
    order = sim.client.get(f"{V}/order/{order['id']}").json()
    conforms(order, "Orders.OrderViewModel")
    assert order["status"] == "Fulfilled"
    shipments = sim.client.get(f"{V}/order/{order['id']}/shipment").json()
    conforms(shipments, "Orders.Get.Api.Order.OrderId.Shipment.OK.OneOfArray")
    (shipment,) = shipments
    assert shipment["status"] == "Completed"
    assert shipment["tracking"]["scac"] == "DHLD"
    assert shipment["tracking"]["tracking_number"].startswith("00340434")
    assert shipment["products"][0]["inventory_items"][0]["quantity"] == 2
    same = sim.client.get(f"{V}/shipment/{shipment['id']}").json()
    assert same == shipment
    conforms(same, "Orders.ShipmentViewModel")


def test_duplicate_reference_is_refused_with_422(sim: Sim, conforms: Any) -> None:
    first = sim.create("AMZ-302-1", ("A", 1)).json()
    again = sim.create("AMZ-302-1", ("A", 1))
    assert again.status_code == 422
    conforms(again.json(), "Orders.Post.Api.Order.Unprocessable.Entity.Object")
    assert str(first["id"]) in again.json()["reference_id"][0]
    found = sim.client.get(f"{V}/order", params={"ReferenceIds": "AMZ-302-1"}).json()
    assert [o["id"] for o in found] == [first["id"]]


def test_bad_bodies_and_headers(sim: Sim, conforms: Any) -> None:
    missing = sim.client.post(f"{V}/order", json={"reference_id": "X"},
                              headers={"shipbob_channel_id": "4711"})
    assert missing.status_code == 400
    conforms(missing.json(), "Orders.Post.Api.Order.Bad.Request.Object")
    assert {"recipient", "products", "shipping_method", "type"} <= set(missing.json())
    no_channel = sim.client.post(f"{V}/order", json={})
    assert no_channel.status_code == 400 and "shipbob_channel_id" in no_channel.json()
    assert sim.client.get(f"{V}/order/999").status_code == 404


def test_bearer_token_is_required() -> None:
    client = client_for(create_app(sender=lambda *a: 200))
    assert client.get(f"{V}/order").status_code == 401
    wrong = client.get(f"{V}/order", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_rate_limit_answers_429_with_headers_until_the_window_slides(sim: Sim) -> None:
    statuses = [sim.client.get(f"{V}/channel") for _ in range(150)]
    assert statuses[-1].status_code == 200
    assert statuses[0].headers["x-remaining-calls"] == "149"
    assert statuses[-1].headers["x-remaining-calls"] == "0"
    limited = sim.client.get(f"{V}/channel")
    assert limited.status_code == 429
    assert limited.headers["x-retry-after"] == "60"
    assert limited.headers["x-remaining-calls"] == "0"
    sim.advance(60)
    assert sim.client.get(f"{V}/channel").status_code == 200


def test_cancel_before_packing_and_refusal_after(sim: Sim, conforms: Any) -> None:
    sim.floor.set_stock("A", 5)
    early = sim.create("R-1", ("A", 1)).json()
    late = sim.create("R-2", ("A", 1)).json()
    cancelled = sim.client.post(f"{V}/order/{early['id']}:cancel")
    assert cancelled.status_code == 200
    conforms(cancelled.json(), "Orders.CanceledOrderViewModel")
    assert cancelled.json()["order"]["status"] == "Cancelled"
    sim.advance(90)  # R-2 packed: labels printed
    refused = sim.client.post(f"{V}/order/{late['id']}:cancel")
    assert refused.status_code == 422
    conforms(refused.json(), "Orders.Post.Api.Order.OrderId.Cancel.Unprocessable.Entity.Object")
    level = sim.client.get(f"{V}/inventory-level").json()["items"][0]
    assert level["total_committed_quantity"] == 1


def test_split_order_shows_one_shipment_per_parcel() -> None:
    sim = build_sim(max_items_per_parcel=2)
    with sim.client:
        sim.floor.set_stock("A", 10)
        order = sim.create("R-1", ("A", 5)).json()
        pending = sim.client.get(f"{V}/order/{order['id']}/shipment").json()
        sim.advance(7200)
        shipments = sim.client.get(f"{V}/order/{order['id']}/shipment").json()
        assert len(shipments) == 3 and shipments[0]["id"] == pending[0]["id"]
        assert sum(s["products"][0]["inventory_items"][0]["quantity"] for s in shipments) == 5
        assert len({s["tracking"]["tracking_number"] for s in shipments}) == 3


def test_short_pick_shows_partially_fulfilled() -> None:
    sim = build_sim(short_pick_rate=1.0, seed=4)
    with sim.client:
        sim.floor.set_stock("A", 10)
        order = sim.create("R-1", ("A", 3)).json()
        sim.advance(7200)
        view = sim.client.get(f"{V}/order/{order['id']}").json()
        picked = sim.floor.order("R-1").lines[0].picked
        assert view["status"] == ("PartiallyFulfilled" if picked else "Exception")
        level = sim.client.get(f"{V}/inventory-level").json()["items"][0]
        assert level["total_fulfillable_quantity"] == 0


def test_inventory_levels_page_and_match_the_contract(sim: Sim, conforms: Any) -> None:
    for i in range(5):
        sim.client.put("/_admin/stock", json={"sku": f"SKU-{i}", "on_hand": i + 1,
                                              "name": f"Größe {i}"}).raise_for_status()
    first = sim.client.get(f"{V}/inventory-level", params={"PageSize": 2}).json()
    conforms(first, "Inventory.InventoryQuantityResponsePagedResponse")
    assert [i["sku"] for i in first["items"]] == ["SKU-0", "SKU-1"]
    second = sim.client.get(first["next"]).json()
    assert [i["sku"] for i in second["items"]] == ["SKU-2", "SKU-3"]
    one = sim.client.get(f"{V}/inventory-level/{first['items'][1]['inventory_id']}").json()
    conforms(one, "Inventory.InventoryQuantityResponse")
    assert one["total_fulfillable_quantity"] == 2
    searched = sim.client.get(f"{V}/inventory-level", params={"SearchBy": "sku-4"}).json()
    assert [i["sku"] for i in searched["items"]] == ["SKU-4"]


def test_backordered_order_is_an_exception_until_stock_arrives(sim: Sim) -> None:
    order = sim.create("R-1", ("A", 2)).json()
    assert order["status"] == "Exception"
    assert order["shipments"][0]["status_details"][0]["name"] == "OutOfStock"
    level = sim.client.get(f"{V}/inventory-level").json()["items"][0]
    assert level["total_backordered_quantity"] == 2
    sim.client.put("/_admin/stock", json={"items": [{"sku": "A", "on_hand": 2}]})
    assert sim.client.get(f"{V}/order/{order['id']}").json()["status"] == "Processing"


def test_receiving_order_flow(sim: Sim, conforms: Any) -> None:
    inv = sim.floor.ensure_sku("A", "Becher").inventory_id
    body = {
        "box_packaging_type": "OneSkuPerBox", "package_type": "Package",
        "expected_arrival_date": "2026-01-20T10:00:00Z", "fulfillment_center": {"id": 1},
        "purchase_order_number": "PO-77",
        "boxes": [{"tracking_number": "1Z999", "box_items": [{"inventory_id": inv,
                                                              "quantity": 10}]}],
    }
    created = sim.client.post(f"{V}/receiving", json=body)
    assert created.status_code == 201
    wro = created.json()
    conforms(wro, "Receiving.V2.WarehouseReceivingOrderViewModel")
    assert wro["status"] == "Awaiting"
    level = sim.client.get(f"{V}/inventory-level/{inv}").json()
    assert level["total_awaiting_quantity"] == 10
    done = sim.client.post(f"/_admin/receiving/{wro['id']}:receive",
                           json={"received": {"A": 8}, "damaged": {"A": 1}}).json()
    assert done["status"] == "Completed"
    assert done["inventory_quantities"][0] == {
        "inventory_id": inv, "sku": "A", "expected_quantity": 10,
        "received_quantity": 9, "stowed_quantity": 8,
    }
    listed = sim.client.get(f"{V}/receiving", params={"Statuses": "Completed"}).json()
    conforms(listed, "Receiving.V2.WarehouseReceivingOrderViewModelArray")
    assert [w["id"] for w in listed] == [wro["id"]]
    bad = dict(body, boxes=[{"tracking_number": None,
                             "box_items": [{"inventory_id": 1, "quantity": 1}]}])
    assert sim.client.post(f"{V}/receiving", json=bad).status_code == 400


def test_admin_state_reset_and_simulator_handle(sim: Sim) -> None:
    sim.floor.set_stock("A", 1)
    sim.create("R-1", ("A", 1))
    state = sim.client.get("/_admin/state").json()
    assert state["orders"][0]["reference"] == "R-1" and state["stock"][0]["available"] == 0
    sim.client.post("/_admin/reset").raise_for_status()
    assert sim.client.get(f"{V}/order").json() == []
    assert sim.create("R-1", ("A", 1)).status_code == 201


def test_simulator_of_needs_a_created_app() -> None:
    app = create_app(sender=lambda *a: 200)
    assert simulator_of(app).rate_limit == 150
    with pytest.raises(TypeError):
        simulator_of(object())  # type: ignore[arg-type]
