"""Warehouse line references stay short and lead back to the marketplace line."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from marketdock.domain import (
    Address,
    ChannelKind,
    KitComponent,
    LineStatus,
    Listing,
    ListingKind,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.flows import routing

ADDRESS = Address(name="Erika Muster", street="Hauptstr.", house_number="1",
                  postal_code="10115", city="Berlin", country_code="DE")


def otto_order(*lines: tuple[str, str]) -> Order:
    return Order(tenant_id="t", channel_account_id="otto", channel=ChannelKind.OTTO,
                 marketplace_order_id="o-1", status=OrderStatus.RELEASABLE,
                 marketplace_status="PROCESSABLE", ordered_at=datetime(2026, 1, 5, tzinfo=UTC),
                 shipping_address=ADDRESS,
                 lines=tuple(OrderLine(line_id=line_id, sku=sku, quantity=1,
                                       status=LineStatus.RELEASABLE) for line_id, sku in lines))


def listing(sku: str, *components: tuple[str, int]) -> Listing:
    return Listing(tenant_id="t", channel_account_id="otto", channel_sku=sku,
                   kind=ListingKind.KIT if components else ListingKind.SINGLE,
                   warehouse_sku=None if components else f"W-{sku}",
                   components=tuple(KitComponent(warehouse_sku=s, quantity=q)
                                    for s, q in components))


def test_long_line_ids_go_by_rank_and_come_back() -> None:
    ids = sorted(str(uuid.UUID(int=n)) for n in (3, 1, 2))
    order = otto_order((ids[2], "MUG"), (ids[0], "SET"), (ids[1], "MUG"), ("i9", "MUG"))
    listings = {"MUG": listing("MUG"), "SET": listing("SET", ("W-TEA", 2), ("W-CUP", 1))}
    lines = routing.warehouse_lines(order, listings)
    refs = {line.line_ref: (line.sku, line.quantity) for line in lines}
    assert refs == {"#3": ("W-MUG", 1), "#1/W-TEA": ("W-TEA", 2), "#1/W-CUP": ("W-CUP", 1),
                    "#2": ("W-MUG", 1), "i9": ("W-MUG", 1)}
    assert all(len(ref) <= 30 for ref in refs)
    # ranks follow the sorted ids, not the marketplace's listing order
    reordered = order.evolve(lines=tuple(reversed(order.lines)))
    assert {ln.line_ref for ln in routing.warehouse_lines(reordered, listings)} == set(refs)
    shipped = routing.marketplace_units(order, listings, {"#3": 1, "#1/W-TEA": 2,
                                                          "#1/W-CUP": 1, "i9": 1, "#7": 1})
    assert shipped == {ids[2]: 1, ids[0]: 1, "i9": 1}
    assert routing.line_for_reference(order, "#1/W-TEA").line_id == ids[0]  # type: ignore[union-attr]
    assert routing.line_for_reference(order, "nope") is None
