"""Returns V3 decisions and the receipts that shipments and acceptances produce."""

from __future__ import annotations

from typing import Any

from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import processable_order, ship, statuses


def shipped_with_return(sim: Sim, units: int = 1, number: str = "T1") -> dict[str, Any]:
    order = processable_order(sim, ("A", units))
    ship(sim, order, number=number, return_key=("DHL", f"R-{number}"))
    sim.seed(returns=[{"positionItemId": i} for i in order["positionItemIds"]])
    return order


def decision(order: dict[str, Any], item: str, **fields: str) -> dict[str, Any]:
    return {"positionItems": [{"positionItemId": item, "salesOrderId": order["salesOrderId"],
                               **fields}]}  # fmt: skip


def test_announced_return_carries_the_return_tracking_key(sim: Sim) -> None:
    order = shipped_with_return(sim)
    listed = sim.api.get("/v3/returns?status=announced").json()["positionItems"]
    assert listed[0]["positionItemId"] == order["positionItemIds"][0]
    assert listed[0]["details"]["returnTrackingKey"] == {
        "carrier": "DHL",
        "trackingNumbers": ["R-T1"],
    }


def test_acceptance_returns_the_item_and_issues_a_refund_receipt(sim: Sim) -> None:
    order = shipped_with_return(sim)
    item = order["positionItemIds"][0]
    body = decision(order, item, condition="A", reason="RETURN_RECEIVED")
    response = sim.api.post("/v3/returns/acceptance", json=body)
    assert response.status_code == 200
    assert statuses(sim, order) == ["RETURNED"]
    accepted = sim.api.get("/v3/returns?status=ACCEPTED").json()["positionItems"]
    assert accepted[0]["details"] == {"condition": "A", "reason": "RETURN_RECEIVED"}
    refunds = sim.api.get("/v3/receipts?receiptTypes=REFUND").json()["resources"]
    purchase = sim.api.get("/v3/receipts?receiptTypes=PURCHASE").json()["resources"][0]
    assert refunds[0]["linkedReceiptNumber"] == purchase["receiptNumber"]
    assert refunds[0]["amountDue"]["amount"] == -purchase["amountDue"]["amount"]
    reject = decision(order, item, reason="ITEM_DAMAGED")
    assert sim.api.post("/v3/returns/rejection", json=reject).status_code == 422


def test_rejected_return_can_still_be_accepted(sim: Sim) -> None:
    order = shipped_with_return(sim)
    item = order["positionItemIds"][0]
    reject = decision(order, item, condition="D", reason="ITEM_DAMAGED")
    assert sim.api.post("/v3/returns/rejection", json=reject).status_code == 200
    assert statuses(sim, order) == ["SENT"]
    assert sim.api.post("/v3/returns/acceptance", json=decision(order, item)).status_code == 200


def test_rejection_needs_a_valid_reason_and_decisions_are_per_item(sim: Sim) -> None:
    order = shipped_with_return(sim, units=2)
    first, second = order["positionItemIds"]
    no_reason = decision(order, first)
    assert (
        sim.api.post("/v3/returns/rejection", json=no_reason, invalid_request=True).status_code
        == 422
    )
    body = decision(order, first, reason="WRONG_ITEM")
    body["positionItems"].append({"positionItemId": second, "salesOrderId": order["salesOrderId"],
                                  "reason": "NOT_A_REASON"})  # fmt: skip
    response = sim.api.post("/v3/returns/rejection", json=body, invalid_request=True)
    assert response.status_code == 207
    assert [r["positionItemId"] for r in response.json()["results"]] == [first]
    assert "NOT_A_REASON" in response.json()["errors"][0]["detail"]


def test_page_numbered_listing_skips_items_decided_while_paging(sim: Sim) -> None:
    order = shipped_with_return(sim, units=3)
    first_page = sim.api.get("/v3/returns?status=ANNOUNCED&limit=2").json()
    assert len(first_page["positionItems"]) == 2
    for entry in first_page["positionItems"]:
        sim.api.post("/v3/returns/acceptance", json=decision(order, entry["positionItemId"]))
    second_page = sim.api.get(first_page["links"][0]["href"]).json()
    assert second_page["positionItems"] == []  # the third item slid onto page 1
    assert len(sim.api.get("/v3/returns?status=ANNOUNCED").json()["positionItems"]) == 1


def test_a_purchase_receipt_per_order_and_shipment_with_fees_once(sim: Sim) -> None:
    seeded = sim.seed(orders=[{
        "status": "PROCESSABLE", "deliveryFee": "4.95",
        "lines": [{"sku": "A", "quantity": 2, "unitPrice": "19.99", "unitDiscount": "2.00"}],
    }])["orders"][0]  # fmt: skip
    first, second = seeded["positionItemIds"]
    ship(sim, seeded, items=[first], number="P1")
    sim.advance(60)
    ship(sim, seeded, items=[second], number="P2")
    receipts = sim.api.get(f"/v3/receipts?salesOrderId={seeded['salesOrderId']}").json()
    newest, oldest = receipts["resources"]
    assert oldest["amountDue"]["amount"] == 22.94
    assert len(oldest["lineItems"]["deliveryCosts"]) == 1
    assert newest["amountDue"]["amount"] == 17.99 and newest["lineItems"]["deliveryCosts"] == []
    position = newest["lineItems"]["itemPositions"][0]
    assert position["positionItemIds"] == [second]
    assert position["priceModifications"][0]["priceModificationType"] == "PARTNER_DISCOUNT"
    one = sim.api.get(f"/v3/receipts/{oldest['receiptNumber']}").json()
    assert one == oldest
    assert sim.api.get("/v3/receipts/0").status_code == 404


def test_receipt_list_pages_with_next_and_keeps_filters(sim: Sim) -> None:
    for n in range(3):
        order = processable_order(sim, ("A", 1))
        ship(sim, order, number=f"N{n}")
        sim.advance(1)
    first = sim.api.get("/v3/receipts?receiptTypes=PURCHASE&limit=2").json()
    second = sim.api.get(first["links"][0]["href"]).json()
    numbers = [r["receiptNumber"] for r in first["resources"] + second["resources"]]
    assert len(set(numbers)) == 3 and second["links"] == []
    assert numbers == sorted(numbers, reverse=True)
