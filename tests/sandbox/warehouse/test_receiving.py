"""Goods in on the floor: inbound notices with discrepancies, and graded returns."""

from __future__ import annotations

import pytest

from marketdock.sandbox.warehouse import (
    Condition,
    DuplicateReference,
    Floor,
    FloorConfig,
    FloorError,
    InboundStatus,
    LineRequest,
    NotCancellable,
    OrderStatus,
    ReturnItem,
)
from marketdock.sandbox.warehouse import events as ev


def test_inbound_notice_shows_as_inbound_then_receipt_books_stock() -> None:
    f = Floor()
    f.announce_inbound("ASN-1", {"A": 10, "B": 5}, po_number="PO-9")
    assert f.stock("A").inbound == 10 and f.stock("A").on_hand == 0
    inbound = f.receive_inbound("ASN-1", {"A": 8, "B": 5, "C": 2}, damaged={"B": 1})
    assert inbound.status is InboundStatus.RECEIVED
    by_sku = {line.sku: line for line in inbound.receipt}
    assert {sku: line.discrepancy for sku, line in by_sku.items()} == {
        "A": "short", "B": "over", "C": "unexpected",
    }
    b = f.stock("B")
    assert (b.on_hand, b.blocked, b.available, b.inbound) == (6, 1, 5, 0)
    received = [e for e in f.events() if isinstance(e, ev.InboundReceived)]
    assert received[0].lines == inbound.receipt


def test_receipt_defaults_to_the_notice_less_damage() -> None:
    f = Floor()
    f.announce_inbound("ASN-1", {"A": 4})
    line = f.receive_inbound("ASN-1", damaged={"A": 1}).receipt[0]
    assert (line.received, line.damaged, line.discrepancy) == (3, 1, "damaged")


def test_inbound_rules() -> None:
    f = Floor()
    f.announce_inbound("ASN-1", {"A": 1})
    with pytest.raises(DuplicateReference):
        f.announce_inbound("ASN-1", {"A": 1})
    with pytest.raises(FloorError, match="quantity 0"):
        f.announce_inbound("ASN-2", {"A": 0})
    f.cancel_inbound("ASN-1")
    assert f.stock("A").inbound == 0
    with pytest.raises(FloorError, match="cancelled"):
        f.receive_inbound("ASN-1")
    with pytest.raises(NotCancellable):
        f.cancel_inbound("ASN-1")


def test_automatic_receipt_on_the_clock_releases_backorders() -> None:
    f = Floor(FloorConfig(inbound_receive_delay=3600, pick_delay=10))
    f.receive_order("R1", [LineRequest(sku="A", quantity=2)])
    assert f.order("R1").status is OrderStatus.BACKORDERED
    f.announce_inbound("ASN-1", {"A": 5})
    f.advance(3599)
    assert f.inbound("ASN-1").status is InboundStatus.AWAITING
    f.advance(1)
    assert f.inbound("ASN-1").status is InboundStatus.RECEIVED
    assert f.order("R1").status is OrderStatus.ALLOCATED


def test_automatic_receipt_discrepancies_follow_the_seeded_rates() -> None:
    def run(seed: int) -> list[str]:
        f = Floor(FloorConfig(seed=seed, inbound_receive_delay=0, inbound_short_rate=0.5,
                              inbound_damage_rate=0.2))
        f.announce_inbound("ASN-1", {f"S{i:03}": 10 for i in range(100)})
        return [line.discrepancy for line in f.inbound("ASN-1").receipt]

    kinds = run(5)
    assert kinds == run(5)
    assert 35 <= kinds.count("short") <= 65
    assert kinds.count("damaged") > 0


def test_graded_return_against_an_announcement() -> None:
    f = Floor()
    f.set_stock("A", 0)
    f.expect_return("RMA-1", "R1", {"A": 2, "B": 1})
    receipt = f.receive_return("RMA-1", [
        ReturnItem(sku="A", quantity=1, condition=Condition.SELLABLE),
        ReturnItem(sku="A", quantity=1, condition=Condition.DAMAGED),
        ReturnItem(sku="C", quantity=1, condition=Condition.DISPOSED),
    ])
    assert receipt.order_reference == "R1"
    assert receipt.discrepancies() == {"B": -1, "C": 1}
    a = f.stock("A")
    assert (a.on_hand, a.blocked, a.available) == (2, 1, 1)
    with pytest.raises(FloorError):
        f.stock("C")  # disposed: never entered stock
    event = [e for e in f.events() if isinstance(e, ev.ReturnReceived)][0]
    assert event.discrepancies == (("B", -1), ("C", 1))
    with pytest.raises(DuplicateReference):
        f.receive_return("RMA-1", [ReturnItem(sku="A", quantity=1)])


def test_unannounced_return_is_booked() -> None:
    f = Floor()
    receipt = f.receive_return("RMA-9", [ReturnItem(sku="A", quantity=3)], order_reference="R7")
    assert receipt.discrepancies() == {} and f.stock("A").available == 3
    with pytest.raises(FloorError, match="no items"):
        f.receive_return("RMA-10", [])
