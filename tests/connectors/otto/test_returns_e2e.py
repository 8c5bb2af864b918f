"""Returns V3 and Receipts V3 against the OTTO simulator."""

from __future__ import annotations

from decimal import Decimal

from marketdock.connectors.otto.returns import ReturnDecision, Verdict
from marketdock.connectors.ports import CarrierChoice
from marketdock.domain import LineStatus, Money
from tests.connectors.otto.harness import START, Sim, connector, package


def test_returns_are_read_decided_and_receipted(sim: Sim) -> None:
    seeded = sim.seed(orders=[{"lines": [{"sku": "BOOT", "quantity": 4, "unitPrice": "30.00"}],
                               "status": "PROCESSABLE"}])
    otto, recorder = connector(sim)
    [order] = otto.fetch_orders(START).orders
    ids = seeded["orders"][0]["positionItemIds"]
    otto.confirm_package(order, package(order, ids, "P1", return_tracking="RET-77"),
                         CarrierChoice(code="DHL"))
    sim.advance(3600)
    sim.seed(returns=[{"positionItemId": item_id} for item_id in ids[:3]])

    announced = otto.fetch_returns()
    assert {r.line_id for r in announced} == set(ids[:3])
    assert {(r.return_carrier, r.return_tracking_numbers) for r in announced} == {
        ("DHL", ("RET-77",))}

    results = otto.decide_returns([
        ReturnDecision(ids[0], order.marketplace_order_id, Verdict.ACCEPT,
                       reason="RETURN_RECEIVED", condition="A"),
        ReturnDecision(ids[1], order.marketplace_order_id, Verdict.REJECT,
                       reason="ITEM_DAMAGED", condition="D"),
        ReturnDecision(ids[2], order.marketplace_order_id, Verdict.REJECT),
        ReturnDecision(ids[3], order.marketplace_order_id, Verdict.ACCEPT),
    ])
    assert [r.applied for r in results] == [True, True, False, False]
    assert "reason code" in results[2].reason
    assert "NOT_FOUND" in results[3].reason
    decided = [p for p in recorder.paths("POST") if p.startswith("/v3/returns/")]
    assert decided == ["/v3/returns/acceptance", "/v3/returns/rejection"]

    assert [r.line_id for r in otto.fetch_returns("ACCEPTED")] == [ids[0]]
    [rejected] = otto.fetch_returns("REJECTED")
    assert (rejected.line_id, rejected.reason, rejected.condition) == (ids[1], "ITEM_DAMAGED",
                                                                      "D")
    [after] = otto.fetch_orders(START).orders
    assert after.line(ids[0]).status is LineStatus.RETURNED

    receipts = otto.fetch_receipts(START)
    kinds = {r.kind: r for r in receipts}
    assert set(kinds) == {"PURCHASE", "REFUND"}
    assert kinds["PURCHASE"].amount_due == Money(amount=Decimal("120.00"), currency="EUR")
    assert set(kinds["PURCHASE"].line_ids) == set(ids)
    assert kinds["REFUND"].linked_receipt_number == kinds["PURCHASE"].receipt_number
    assert kinds["REFUND"].line_ids == (ids[0],)
    only_refunds = otto.fetch_receipts(START, kinds=["REFUND"])
    assert [r.kind for r in only_refunds] == ["REFUND"]


def test_many_returns_are_read_over_several_pages(sim: Sim) -> None:
    seeded = sim.seed(orders=[{"lines": [{"sku": "SOCK", "quantity": 60, "unitPrice": "2.00"}],
                               "status": "PROCESSABLE"}])
    otto, recorder = connector(sim)
    [order] = otto.fetch_orders(START).orders
    ids = seeded["orders"][0]["positionItemIds"]
    otto.confirm_package(order, package(order, ids, "P1"), CarrierChoice(code="DHL"))
    sim.seed(returns=[{"positionItemId": item_id} for item_id in ids])
    assert {r.line_id for r in otto.fetch_returns()} == set(ids)
    assert recorder.paths("GET").count("/v3/returns") == 2
