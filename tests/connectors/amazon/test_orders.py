"""fetch_orders against the simulator: statuses, windows, pages and marketplaces."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketdock.domain import FulfilmentChannel, LineStatus, OrderStatus
from marketdock.errors import RemoteError
from tests.connectors.amazon.conftest import DE, FR, START, UK, Sandbox


def test_pending_order_is_reserved_then_releasable_with_address_and_prices(
        sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    [order_id] = sandbox.seed(orders=[{
        "status": "Pending", "isPrime": True, "isBusinessOrder": True,
        "latestShipDate": "2026-03-03T18:00:00Z",
        "items": [{"sku": "MUG-1", "quantity": 2, "price": "9.50", "orderItemId": "11111"}],
    }])["orders"]
    sandbox.advance(300)
    batch = connector.fetch_orders(START - timedelta(hours=1))
    [pending] = batch.orders
    assert pending.marketplace_order_id == order_id
    assert (pending.status, pending.marketplace_status) == (OrderStatus.PENDING, "PENDING")
    assert [line.status for line in pending.lines] == [LineStatus.PENDING]
    assert pending.shipping_address is None and pending.lines[0].price_total is None
    assert pending.is_prime and pending.is_business
    assert pending.ship_by is not None
    assert pending.ship_by.isoformat() == "2026-03-03T18:00:00+00:00"

    sandbox.advance(900)
    [ready] = connector.fetch_orders(START).orders
    assert (ready.status, ready.marketplace_status) == (OrderStatus.RELEASABLE, "UNSHIPPED")
    line = ready.lines[0]
    assert (line.line_id, line.sku, line.quantity, line.status) == \
        ("11111", "MUG-1", 2, LineStatus.RELEASABLE)
    assert line.price_total is not None and str(line.price_total.amount) == "19.00"
    assert ready.shipping_address is not None and ready.shipping_address.country_code == "DE"
    assert ready.marketplace_id == DE and ready.fulfilment is FulfilmentChannel.MERCHANT


def test_window_ends_two_minutes_before_now_and_is_reported(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.seed(orders=[{"items": [{"sku": "A"}]}])
    sandbox.advance(60)
    # placed a minute ago: outside the window Amazon allows yet
    early = connector.fetch_orders(START - timedelta(hours=1), sandbox.clock.now())
    assert early.orders == ()
    assert early.until is not None
    assert early.until <= sandbox.clock.now() - timedelta(minutes=2)
    sandbox.advance(120)
    later = connector.fetch_orders(early.until - timedelta(minutes=5), sandbox.clock.now())
    assert len(later.orders) == 1


def test_window_not_yet_open_asks_nothing(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    since = sandbox.clock.now() - timedelta(seconds=30)
    batch = connector.fetch_orders(since)
    assert batch.orders == () and batch.until == since


def test_several_marketplaces_merchant_orders_only(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.seed(orders=[
        {"marketplace": "DE", "items": [{"sku": "A"}]},
        {"marketplace": "UK", "items": [{"sku": "B"}]},
        {"marketplace": "FR", "items": [{"sku": "C"}]},
        {"marketplace": "DE", "fulfillmentChannel": "AFN", "items": [{"sku": "D"}]},
    ])
    sandbox.advance(300)
    batch = connector.fetch_orders(START - timedelta(hours=1))
    assert sorted((o.lines[0].sku, o.marketplace_id) for o in batch.orders) == \
        [("A", DE), ("B", UK)]
    assert FR not in {o.marketplace_id for o in batch.orders}
    assert batch.quarantined == ()


def test_every_page_is_followed_and_a_repeated_order_kept_once(sandbox: Sandbox) -> None:
    connector = sandbox.connector(page_size=2)
    sandbox.seed(orders=[{"items": [{"sku": f"S{i}"}]} for i in range(5)])
    sandbox.advance(300)
    sandbox.faults.set("duplicate_page", count=1)
    batch = connector.fetch_orders(START - timedelta(hours=1))
    assert sorted(o.lines[0].sku for o in batch.orders) == ["S0", "S1", "S2", "S3", "S4"]


def test_cancelled_and_partially_shipped_orders(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.seed(orders=[
        {"status": "Canceled", "items": [{"sku": "GONE", "quantity": 2}]},
        {"items": [{"sku": "HALF", "quantity": 3, "quantityCanceled": 1}]},
    ])
    sandbox.advance(300)
    orders = {o.lines[0].sku: o for o in connector.fetch_orders(START - timedelta(hours=1))
              .orders}
    gone = orders["GONE"]
    assert gone.status is OrderStatus.CANCELLED
    assert (gone.lines[0].status, gone.lines[0].quantity_cancelled) == (LineStatus.CANCELLED, 2)
    half = orders["HALF"].lines[0]
    assert (half.quantity_cancelled, half.open_quantity, half.status) == \
        (1, 2, LineStatus.RELEASABLE)


def test_search_refused_by_amazon_is_a_remote_error(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.advance(3600)
    sandbox.state.config.before_lag_seconds = 600  # stricter than the connector's lag
    with pytest.raises(RemoteError) as caught:
        connector.fetch_orders(START)
    assert caught.value.status == 400 and caught.value.code == "InvalidInput"
