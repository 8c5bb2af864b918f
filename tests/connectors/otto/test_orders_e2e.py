"""fetch_orders against the OTTO simulator: statuses, paging, quarantine."""

from __future__ import annotations

from decimal import Decimal

from marketdock.domain import LineStatus, Money, OrderStatus
from tests.connectors.otto.harness import START, Sim, connector


def test_announced_order_is_pending_then_releasable(sim: Sim) -> None:
    seeded = sim.seed(orders=[{"lines": [{"sku": "SHIRT", "quantity": 2, "unitPrice": "19.99",
                                          "unitDiscount": "2.00"}], "deliveryFee": "4.95"}])
    order_id = seeded["orders"][0]["salesOrderId"]
    otto, _ = connector(sim)

    first = otto.fetch_orders(START)
    [pending] = first.orders
    assert pending.marketplace_order_id == order_id
    assert pending.status is OrderStatus.PENDING
    assert {line.status for line in pending.lines} == {LineStatus.PENDING}
    assert pending.shipping_address is None  # OTTO withholds it while announced
    assert [line.quantity for line in pending.lines] == [1, 1]

    sim.advance(31 * 60)
    [released] = otto.fetch_orders(START).orders
    assert released.status is OrderStatus.RELEASABLE
    assert released.marketplace_status == "PROCESSABLE"
    assert released.shipping_address is not None
    assert released.shipping_address.country_code == "DE"
    assert released.shipping_address.name == "Erika Mustermann"
    line = released.lines[0]
    assert line.price_total == Money(amount=Decimal("19.99"), currency="EUR")
    assert line.discount_total == Money(amount=Decimal("2.00"), currency="EUR")
    assert released.shipping_total == Money(amount=Decimal("4.95"), currency="EUR")
    assert {line.line_id for line in released.lines} == set(
        seeded["orders"][0]["positionItemIds"])


def test_every_page_is_followed_and_the_window_applies(sim: Sim) -> None:
    sim.seed(orders=[{"lines": [{"sku": f"SKU-{n}", "unitPrice": "5.00"}],
                      "status": "PROCESSABLE"} for n in range(7)])
    otto, recorder = connector(sim, page_size=3)
    batch = otto.fetch_orders(START)
    assert len(batch.orders) == 7
    assert len({o.marketplace_order_id for o in batch.orders}) == 7
    order_gets = [r for r in recorder.requests if r.url.path == "/v4/orders"]
    assert len(order_gets) == 3
    assert "nextcursor" in order_gets[1].url.params  # the next link, followed as given
    sim.advance(3600)
    assert otto.fetch_orders(sim.clock.now()).orders == []


def test_a_repeated_page_yields_each_order_once(sim: Sim) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}], "status": "PROCESSABLE"}
                     for _ in range(4)])
    sim.faults.set("duplicate_page", count=3)
    otto, _ = connector(sim, page_size=2)
    assert len(otto.fetch_orders(START).orders) == 4


def test_cancelled_and_partly_shipped_statuses(sim: Sim) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}],
                      "status": "CANCELLED_BY_MARKETPLACE"}])
    otto, _ = connector(sim)
    [cancelled] = otto.fetch_orders(START).orders
    assert cancelled.status is OrderStatus.CANCELLED
    assert cancelled.lines[0].quantity_cancelled == 1


def test_a_broken_order_is_quarantined_and_the_page_goes_on(sim: Sim) -> None:
    seeded = sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}],
                               "status": "PROCESSABLE"} for _ in range(3)])
    broken = seeded["orders"][1]
    sim.state.items[broken["positionItemIds"][0]].status = "LOST_IN_SPACE"
    otto, _ = connector(sim)
    batch = otto.fetch_orders(START)
    assert len(batch.orders) == 2
    [bad] = batch.quarantined
    assert bad.reference == broken["salesOrderId"]
    assert "LOST_IN_SPACE" in bad.reason
    assert "Mustermann" not in bad.excerpt
