"""The ShipBob connector end to end against the in-process ShipBob simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from marketdock.connectors.http import BadResponse
from marketdock.connectors.ports import CancelOutcome, Capability, WarehouseUpdates
from marketdock.connectors.shipbob import api as shipbob_api
from marketdock.connectors.shipbob.cursor import PollCursor
from marketdock.connectors.shipbob.webhooks import WebhookRejected
from marketdock.engine.db import Database
from marketdock.errors import RateLimited, RemoteError, RemoteTimeout
from marketdock.sandbox.warehouse import LineRequest
from tests.connectors.shipbob.harness import Setup, order, setup

DAY = 86400


Make = Callable[..., Setup]


@pytest.fixture
def make(db: Database) -> Iterator[Make]:
    """``make(**floor_config)``: a connector over a stocked simulator."""
    built: list[Setup] = []

    def one(**floor: Any) -> Setup:
        made = setup(db, **floor)
        made.floor.set_stock("MUG", 50)
        made.floor.set_stock("TEE", 50)
        built.append(made)
        return made

    yield one
    for made in built:
        made.close()


@pytest.fixture
def made(make: Make) -> Setup:
    return make()


def units(updates: WarehouseUpdates) -> dict[str, int]:
    total: dict[str, int] = {}
    for package in updates.packages:
        for line_ref, count in package.line_quantities.items():
            total[line_ref] = total.get(line_ref, 0) + count
    return total


def test_capabilities(made: Setup) -> None:
    assert made.connector.supports(Capability.FETCH_UPDATES)
    assert made.connector.supports(Capability.SEND_INBOUND)
    assert not made.connector.supports(Capability.DECIDE_RETURN)


def test_order_goes_out_under_the_hubs_reference(made: Setup) -> None:
    remote_id = made.connector.send_order(order("H-1", ("L1", "MUG", 2), ("L2/TEE", "TEE", 1)))
    placed = made.floor.order("H-1")
    assert str(placed.order_id) == remote_id
    assert [(line.sku, line.quantity) for line in placed.lines] == [("MUG", 2), ("TEE", 1)]
    assert made.connector.find_order("H-1") == remote_id
    assert made.connector.find_order("H-2") is None


def test_duplicate_after_a_timeout_is_resolved_by_reading_back(made: Setup) -> None:
    made.faults.set("timeout_after", count=1, path="/2026-01/order", method="POST")
    with pytest.raises(RemoteTimeout):
        made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    again = made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    assert [o.reference for o in made.floor.orders()] == ["H-1"]
    assert again == str(made.floor.order("H-1").order_id)


def test_an_unreadable_answer_to_a_create_is_resolved_the_same_way(made: Setup) -> None:
    made.faults.set("malformed", count=1, path="/2026-01/order", method="POST")
    with pytest.raises(BadResponse):
        made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    assert made.connector.send_order(order("H-1", ("L1", "MUG", 1))) == \
        str(made.floor.order("H-1").order_id)
    assert len(made.floor.orders()) == 1


def test_other_refusals_are_remote_errors_with_the_field(made: Setup) -> None:
    with pytest.raises(RemoteError) as caught:
        made.connector.send_order(order("H-1", ("L1", " ", 1)))
    assert (caught.value.status, caught.value.code) == (422, "products")
    assert "order H-1 refused: products: order 'H-1' line 1: SKU is empty" in str(caught.value)
    assert made.floor.orders() == []


def test_cancel_before_shipping_and_after(made: Setup) -> None:
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    made.connector.send_order(order("H-2", ("L1", "MUG", 1)))
    assert made.connector.cancel_order("H-1") is CancelOutcome.CANCELLED
    assert made.floor.order("H-1").status == "cancelled"
    assert made.connector.cancel_order("H-1") is CancelOutcome.CANCELLED
    made.advance(DAY)
    assert made.connector.cancel_order("H-2") is CancelOutcome.ALREADY_SHIPPED
    assert made.connector.cancel_order("H-3") is CancelOutcome.NOT_FOUND


def test_cancel_refused_once_packed_counts_as_shipped(made: Setup) -> None:
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    made.advance(600 + 300)  # picked and packed, not yet gone
    assert made.floor.order("H-1").status == "packed"
    assert made.connector.cancel_order("H-1") is CancelOutcome.ALREADY_SHIPPED


def test_split_shipment_reports_every_package_with_its_lines(make: Make) -> None:
    made = make(split_probability=1.0)
    made.connector.send_order(order("H-1", ("L1", "MUG", 3), ("L2/TEE", "TEE", 2)))
    made.advance(DAY)
    updates = made.connector.fetch_updates(None)
    assert len(updates.packages) > 1
    assert len({p.package_ref for p in updates.packages}) == len(updates.packages)
    assert units(updates) == {"L1": 3, "L2/TEE": 2}
    parcels = made.floor.order("H-1").parcels
    assert {p.tracking_number for p in updates.packages} == \
        {p.tracking_number for p in parcels}
    assert updates.short_picks == [] and updates.quarantined == []


def test_short_picks_report_the_units_closed_short(make: Make) -> None:
    made = make(short_pick_rate=1.0)
    made.connector.send_order(order("H-1", ("L1", "MUG", 4), ("L2", "TEE", 3)))
    made.advance(DAY)
    updates = made.connector.fetch_updates(None)
    shipped = units(updates)
    missing = {s.line_ref: s.missing for s in updates.short_picks}
    assert missing  # every line comes up short on this floor
    for line in made.floor.order("H-1").lines:
        ref = "L1" if line.sku == "MUG" else "L2"
        assert shipped.get(ref, 0) + missing.get(ref, 0) == line.quantity
        assert missing.get(ref, 0) == line.short
    assert {s.sku for s in updates.short_picks} <= {"MUG", "TEE"}
    assert made.connector.fetch_updates(updates.cursor).short_picks == []


def test_repeated_polls_never_repeat_a_package(made: Setup) -> None:
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    first = made.connector.fetch_updates(None)
    assert first.packages == []
    made.advance(DAY)
    second = made.connector.fetch_updates(first.cursor)
    assert [p.order_reference for p in second.packages] == ["H-1"]
    third = made.connector.fetch_updates(second.cursor)
    assert third.packages == [] and third.short_picks == []
    made.connector.send_order(order("H-2", ("L1", "TEE", 2)))
    made.advance(DAY)
    fourth = made.connector.fetch_updates(third.cursor)
    assert [p.order_reference for p in fourth.packages] == ["H-2"]
    assert made.connector.fetch_updates(fourth.cursor).packages == []


def test_orders_at_the_cursor_edge_are_read_again_but_not_reported(made: Setup) -> None:
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    made.advance(DAY)
    first = made.connector.fetch_updates(None)
    assert len(first.packages) == 1
    second = made.connector.fetch_updates(first.cursor)
    assert second.packages == []
    remembered = PollCursor.decode(second.cursor).orders
    assert remembered[made.connector.find_order("H-1") or ""].keys == \
        [first.packages[0].package_ref]


def test_polls_follow_every_page(made: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shipbob_api, "ORDER_PAGE", 2)
    for number in range(5):
        made.connector.send_order(order(f"H-{number}", ("L1", "MUG", 1)))
    made.advance(DAY)
    updates = made.connector.fetch_updates(None)
    assert sorted(p.order_reference for p in updates.packages) == [f"H-{n}" for n in range(5)]


def test_a_broken_record_is_quarantined_and_the_rest_goes_on(made: Setup) -> None:
    made.floor.receive_order("FOREIGN-1", [LineRequest(sku="MUG", quantity=1)])
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    made.advance(DAY)
    updates = made.connector.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["H-1"]
    (bad,) = updates.quarantined
    assert bad.reference == "FOREIGN-1" and "not created by marketdock" in bad.reason
    assert bad.source == "shipbob GET /order" and "FOREIGN-1" in bad.excerpt
    again = made.connector.fetch_updates(updates.cursor)
    assert again.quarantined == [] and again.packages == []


def test_stock_snapshot_is_full_and_reports_what_can_be_picked(made: Setup) -> None:
    made.floor.adjust_stock("TEE", 0, blocked=4)
    made.connector.send_order(order("H-1", ("L1", "MUG", 5)))
    snapshot = made.connector.fetch_stock()
    assert snapshot.full and snapshot.as_of == made.clock.now()
    got = {p.sku: (p.on_hand, p.allocated, p.available, p.blocked) for p in snapshot.positions}
    for sku in ("MUG", "TEE"):
        level = made.floor.stock(sku)
        assert got[sku] == (level.on_hand, level.allocated, level.available, level.blocked)
    assert got["MUG"][1] == 5


def test_webhook_deliveries_verify_and_match_the_poll(made: Setup) -> None:
    made.subscribe("order.shipped", "order.shipment.cancelled")
    made.faults.set("webhook_duplicate", count=1)
    made.connector.send_order(order("H-1", ("L1", "MUG", 2)))
    made.advance(DAY)
    received = [made.connector.receive_webhook(headers, body)
                for headers, body in made.hooks.calls]
    assert len(received) == 2 and received[0] == received[1]  # one message, sent twice
    polled = made.connector.fetch_updates(None).packages
    assert list(received[0].packages) == list(polled)
    headers, body = made.hooks.calls[0]
    with pytest.raises(WebhookRejected):
        made.connector.receive_webhook(headers, body.replace(b'"quantity":2', b'"quantity":1'))


def test_webhooks_of_other_topics_report_no_package(made: Setup) -> None:
    made.subscribe("order.shipment.cancelled")
    made.connector.send_order(order("H-1", ("L1", "MUG", 2)))
    made.connector.cancel_order("H-1")
    ((headers, body),) = made.hooks.calls
    receipt = made.connector.receive_webhook(headers, body)
    assert (receipt.topic, list(receipt.packages)) == ("order.shipment.cancelled", [])


def test_429_blocks_the_shared_bucket(make: Make) -> None:
    made = make(rate_limit=2)
    made.connector.find_order("H-1")  # GET /order
    made.connector.find_order("H-1")
    with pytest.raises(RateLimited) as caught:
        made.connector.fetch_updates(None)
    assert caught.value.retry_after is not None and caught.value.retry_after > 30
    # the bucket is blocked for the remote's Retry-After: no request goes out
    sent = len(made.sent)
    with pytest.raises(RateLimited, match="no quota"):
        made.connector.fetch_stock()
    assert len(made.sent) == sent


def test_a_429_from_a_proxy_is_rate_limited_too(made: Setup) -> None:
    made.faults.set("429", count=1, retry_after=2)
    with pytest.raises(RateLimited) as caught:
        made.connector.fetch_stock()
    assert caught.value.retry_after == 2


def test_the_channel_is_found_once_when_the_config_names_none(made: Setup) -> None:
    assert made.connector.settings.channel_id is None
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))
    made.connector.send_order(order("H-2", ("L1", "MUG", 1)))
    assert made.connector.channel_id() == made.simulator.channel_id
    assert made.floor.order("H-2").channel == str(made.simulator.channel_id)


def test_an_order_closed_short_counts_as_cancelled(make: Make) -> None:
    made = make(short_pick_rate=1.0)
    made.connector.send_order(order("H-1", ("L1", "MUG", 1)))  # one unit: all of it short
    made.advance(DAY)
    assert made.floor.order("H-1").status == "short_closed"
    assert made.connector.cancel_order("H-1") is CancelOutcome.CANCELLED
    updates = made.connector.fetch_updates(None)
    assert updates.packages == []
    assert [(s.line_ref, s.sku, s.missing) for s in updates.short_picks] == [("L1", "MUG", 1)]
