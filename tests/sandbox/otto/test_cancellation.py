"""Partner cancellation: only PROCESSABLE items, all or nothing, safe to retry."""

from __future__ import annotations

from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import get_order, processable_order, ship, statuses


def cancel(sim: Sim, order: dict[str, str], *item_ids: str) -> int:
    url = f"/v4/orders/{order['salesOrderId']}/positionItems/{','.join(item_ids)}/cancellation"
    return sim.api.post(url).status_code


def test_cancel_one_unit_of_two(sim: Sim) -> None:
    order = processable_order(sim, ("A", 2))
    first, _ = order["positionItemIds"]
    assert cancel(sim, order, first) == 200
    items = get_order(sim, order)["positionItems"]
    assert [i["fulfillmentStatus"] for i in items] == ["CANCELLED_BY_PARTNER", "PROCESSABLE"]
    assert items[0]["cancellationReason"] == "CANCELLED_ON_PARTNER_WISH"
    assert cancel(sim, order, first) == 200  # already cancelled by us: ignored
    assert statuses(sim, order) == ["CANCELLED_BY_PARTNER", "PROCESSABLE"]


def test_any_item_in_another_state_rejects_the_whole_request(sim: Sim) -> None:
    order = processable_order(sim, ("A", 2))
    sent, open_ = order["positionItemIds"]
    ship(sim, order, items=[sent])
    response = sim.api.post(
        f"/v4/orders/{order['salesOrderId']}/positionItems/{sent},{open_}/cancellation"
    )
    assert response.status_code == 409
    assert "SENT" in response.json()["errors"][0]["detail"]
    assert statuses(sim, order) == ["SENT", "PROCESSABLE"]


def test_announced_items_cannot_be_cancelled_by_the_partner(sim: Sim) -> None:
    order = sim.order(("A", 1))
    assert cancel(sim, order, *order["positionItemIds"]) == 409
    assert statuses(sim, order) == ["ANNOUNCED"]


def test_race_with_a_marketplace_cancellation(sim: Sim) -> None:
    order = processable_order(sim, ("A", 2))
    first, second = order["positionItemIds"]
    url = f"/_admin/orders/{order['salesOrderId']}/marketplace-cancellation"
    assert sim.admin.post(url, json={"positionItemIds": [first]}).json() == {"cancelled": [first]}
    assert cancel(sim, order, first, second) == 409
    assert cancel(sim, order, second) == 200
    assert statuses(sim, order) == ["CANCELLED_BY_MARKETPLACE", "CANCELLED_BY_PARTNER"]


def test_unknown_items_and_orders(sim: Sim) -> None:
    order = processable_order(sim, ("A", 1))
    assert cancel(sim, order, "00000000-0000-4000-8000-000000000000") == 400
    missing = {"salesOrderId": "00000000-0000-4000-8000-000000000001"}
    assert cancel(sim, missing, *order["positionItemIds"]) == 404


def test_order_level_cancellation_takes_processable_items_only(sim: Sim) -> None:
    order = processable_order(sim, ("A", 3))
    ship(sim, order, items=order["positionItemIds"][:1])
    url = f"/v4/orders/{order['salesOrderId']}/cancellation"
    assert sim.api.post(url).status_code == 200
    assert statuses(sim, order) == ["SENT", "CANCELLED_BY_PARTNER", "CANCELLED_BY_PARTNER"]
    assert sim.api.post(url).status_code == 409
