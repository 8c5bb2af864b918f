"""Admin routes: seed over HTTP (all or nothing), inspect, advance, reset, marketplace events."""

from __future__ import annotations

from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import processable_order, ship, statuses


def test_seed_over_http_answers_the_new_ids(sim: Sim) -> None:
    response = sim.admin.post("/_admin/seed", json={
        "products": [{"sku": "SOFA", "deliveryType": "FORWARDER_CURBSIDE", "vatRate": 7}],
        "orders": [{"lines": [{"sku": "SOFA", "quantity": 2, "unitPrice": 499}],
                    "orderNumber": "abcde12345"}],
    })  # fmt: skip
    assert response.status_code == 201
    (order,) = response.json()["orders"]
    assert order["orderNumber"] == "abcde12345" and order["skus"] == ["SOFA", "SOFA"]
    product = sim.api.get("/v4/orders/abcde12345").json()["positionItems"][0]["product"]
    assert product["vatRate"] == 7.0


def test_bad_seed_is_refused_whole_with_a_clear_message(sim: Sim) -> None:
    typo = sim.admin.post("/_admin/seed", json={"orders": [{"lines": [{"sku": "A", "price": 1}]}]})
    assert typo.status_code == 400
    assert "unitPrice" in typo.json()["error"] and "price" in typo.json()["error"]
    clash = sim.admin.post("/_admin/seed", json={"orders": [
        {"lines": [{"sku": "A", "unitPrice": 1}]},
        {"lines": [{"sku": "A", "unitPrice": 1}], "partnerId": "nobody"},
    ]})  # fmt: skip
    assert clash.status_code == 400 and "nobody" in clash.json()["error"]
    assert sim.admin.get("/_admin/state").json()["orders"] == []


def test_returns_can_only_be_seeded_for_sent_items(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    item = order["positionItemIds"][0]
    refused = sim.admin.post("/_admin/seed", json={"returns": [{"positionItemId": item}]})
    assert refused.status_code == 400 and "PROCESSABLE" in refused.json()["error"]
    ship(sim, order)
    misdirected = {"returns": [{"positionItemId": item, "status": "MISDIRECTED"}]}
    assert sim.admin.post("/_admin/seed", json=misdirected).status_code == 201
    listed = sim.api.get("/v3/returns?status=MISDIRECTED").json()["positionItems"]
    assert listed[0]["details"]["orderNumber"] == order["orderNumber"]


def test_state_advance_and_reset(sim: Sim) -> None:
    order = sim.order(("A", 1))
    moved = sim.admin.post("/_admin/advance", json={"seconds": 1800})
    assert moved.json() == {"now": "2025-03-10T08:30:00.000Z"}
    sim.api.authorize()  # the old token has just expired
    state = sim.admin.get("/_admin/state").json()
    assert state["orders"][0]["positionItems"][0]["status"] == "PROCESSABLE"
    assert sim.admin.post("/_admin/advance", json={"seconds": -1}).status_code == 400
    assert sim.admin.post("/_admin/reset").json() == {"reset": True}
    assert sim.admin.get("/_admin/state").json()["orders"] == []
    assert sim.api.get(f"/v4/orders/{order['salesOrderId']}").status_code == 404  # token kept


def test_marketplace_cancellation_of_an_announced_order(sim: Sim) -> None:
    order = sim.order(("A", 2), paymentMethod="PREPAYMENT", neverProcessable=True)
    url = f"/_admin/orders/{order['salesOrderId']}/marketplace-cancellation"
    response = sim.admin.post(url, json={"reason": "PAYMENT_ABORTED"})
    assert response.json()["cancelled"] == order["positionItemIds"]
    assert statuses(sim, order) == ["CANCELLED_BY_MARKETPLACE"] * 2
    assert sim.admin.post(url, json={"reason": "BORED"}).status_code == 400
    unknown = "/_admin/orders/none/marketplace-cancellation"
    assert sim.admin.post(unknown, json={}).status_code == 404
