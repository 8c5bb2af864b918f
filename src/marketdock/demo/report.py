"""What the demo shows: counts read from the simulators and the hub, never from the flows'
own bookkeeping alone, so a lost or doubled order or package shows up as a difference.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from marketdock.demo.seeding import AMAZON_ACCOUNT, OTTO_ACCOUNT, TENANT
from marketdock.demo.world import World
from marketdock.domain import OrderStatus
from marketdock.engine.db import Database
from marketdock.engine.schema import orders as orders_table
from marketdock.engine.schema import packages, published_stock, sync_state
from marketdock.flows.store import orders as order_store
from marketdock.monitor import exceptions

MARKETS = ("otto", "amazon")
ACCOUNTS = {OTTO_ACCOUNT: "otto", AMAZON_ACCOUNT: "amazon"}
RELEASABLE_ONCE = {"PROCESSABLE", "SENT", "RETURNED"}


def _per_market() -> dict[str, int]:
    return dict.fromkeys(MARKETS, 0)


@dataclass
class Outcome:
    orders_placed: dict[str, int]
    orders_releasable: dict[str, int]
    orders_at_warehouse: dict[str, int]
    orders_held: dict[str, int]
    """Held by the hub with an open exception that says what to fix."""
    warehouse_duplicates: int
    warehouse_open: int
    marketplace_waiting: int
    """Orders the marketplace has not yet made releasable (nor cancelled)."""
    packages_shipped: dict[str, int]
    packages_confirmed: dict[str, int]
    packages_in_kits: dict[str, int]
    """Parcels that carried only parts of kits: the marketplace hears of a kit once, with
    the parcel that completes it, or an exception says its unit was cancelled
    (``partial_kit_shipped``)."""
    marketplace_duplicates: int
    open_exceptions: dict[str, int]
    listings_in_drift: int

    @property
    def settled(self) -> bool:
        """Every releasable order is at the warehouse (or held with a reason) and finished
        there, and every package that left the warehouse is confirmed on its marketplace
        (or is an exception: parts of a kit whose unit was cancelled)."""
        handled = {market: self.orders_at_warehouse[market] + self.orders_held[market]
                   for market in MARKETS}
        told = {m: self.packages_confirmed[m] + self.packages_in_kits[m] for m in MARKETS}
        return (self.marketplace_waiting == 0
                and handled == self.orders_releasable
                and self.warehouse_open == 0
                and told == self.packages_shipped)

    def as_dict(self) -> dict[str, object]:
        return {key: value for key, value in vars(self).items()
                if key not in ("warehouse_open", "marketplace_waiting")}


def _names(package_ref: str) -> set[str]:
    """What a hub package reference may name a floor parcel by: the parcel id (REST), or
    one of its ``:``-separated parts (files: ``<shipment>:<tracking number or parcel>``)."""
    return {package_ref, *package_ref.split(":")}


def measure(world: World, db: Database, placed: dict[str, int]) -> Outcome:
    now = world.clock.now()
    world.amazon_state.settle(now)
    releasable = _per_market()
    waiting = 0
    with world.otto_state.lock:
        for otto_order in world.otto_state.orders.values():
            if any(item.processable_date is not None or item.status in RELEASABLE_ONCE
                   for item in otto_order.items):
                releasable["otto"] += 1
            waiting += all(item.status == "ANNOUNCED" for item in otto_order.items)
        otto_tracking = [shipment.tracking_number for shipment in
                         world.otto_state.shipments.values()]
        # the boxes of one multi-parcel shipment confirm one package
        otto_packages = {shipment.multiparcel_id or shipment.shipment_id for shipment in
                         world.otto_state.shipments.values()}
        otto_quantities = {sku: q.quantity for (_, sku), q in
                           world.otto_state.quantities.items()}
    amazon_orders = list(world.amazon_state.orders.values())
    waiting += sum(o.status in ("Pending", "PendingAvailability") for o in amazon_orders)
    releasable["amazon"] = sum(o.status in ("Unshipped", "PartiallyShipped", "Shipped")
                               for o in amazon_orders)
    amazon_tracking = [(o.order_id, p.tracking_number) for o in amazon_orders
                       for p in o.packages]
    confirmed = {"otto": len(otto_packages), "amazon": len(amazon_tracking)}
    duplicates = (len(otto_tracking) - len(set(otto_tracking))
                  + len(amazon_tracking) - len(set(amazon_tracking)))

    with db.read() as conn:
        market_of = {row.id: ACCOUNTS.get(row.account_id, row.account_id) for row in
                     conn.execute(sa.select(orders_table.c.id, orders_table.c.account_id))}
        held = _per_market()
        for account_id, count in conn.execute(
                sa.select(orders_table.c.account_id, sa.func.count())
                .where(orders_table.c.status == OrderStatus.HELD.value)
                .group_by(orders_table.c.account_id)):
            held[ACCOUNTS.get(account_id, account_id)] += count
        order_key = {row.id: (row.account_id, row.marketplace_order_id) for row in
                     conn.execute(sa.select(orders_table.c.id, orders_table.c.account_id,
                                            orders_table.c.marketplace_order_id))}
        open_exceptions = exceptions.open_counts(conn, TENANT)
        stored = {(row.order_id, name) for row in conn.execute(
            sa.select(packages.c.order_id, packages.c.package_ref))
            for name in _names(row.package_ref)}
        kit_parts: set[str] = set()
        for (value,) in conn.execute(sa.select(sync_state.c.value).where(
                sync_state.c.key.like("kit_parts:%"))):
            for key in json.loads(value)["packages"]:
                kit_parts.update(_names(key.partition(":")[2]))
        published = list(conn.execute(sa.select(
            published_stock.c.account_id, published_stock.c.channel_sku,
            published_stock.c.quantity).where(published_stock.c.tenant_id == TENANT)))

    shipped, in_kits = _per_market(), _per_market()
    keys: Counter[tuple[str, str]] = Counter()
    unique: dict[str, set[tuple[str, str]]] = {market: set() for market in MARKETS}
    open_at_warehouse = 0
    for placed_order in world.floor.orders():
        order_id = order_store.order_id_from_reference(placed_order.reference)
        market = market_of.get(order_id) if order_id is not None else None
        if market is None or order_id is None:
            continue
        keys[order_key[order_id]] += 1
        unique.setdefault(market, set()).add(order_key[order_id])
        open_at_warehouse += not placed_order.status.final
        for parcel in placed_order.parcels:
            if parcel.shipped_at is None:
                continue
            shipped[market] += 1
            refs = {str(parcel.parcel_id), parcel.tracking_number}
            in_kits[market] += (not any((order_id, ref) in stored for ref in refs)
                                and bool(refs & kit_parts))

    amazon_quantities = {listing.sku: listing.quantity
                         for listing in world.amazon_state.listings.values()}
    drift = 0
    for account_id, sku, quantity in published:
        shown = (otto_quantities if ACCOUNTS.get(account_id) == "otto"
                 else amazon_quantities).get(sku)
        drift += shown != quantity
    return Outcome(
        orders_placed=dict(placed), orders_releasable=releasable,
        orders_at_warehouse={market: len(found) for market, found in unique.items()},
        orders_held=held,
        warehouse_duplicates=sum(n - 1 for n in keys.values()),
        warehouse_open=open_at_warehouse, marketplace_waiting=waiting, packages_shipped=shipped,
        packages_confirmed=confirmed, packages_in_kits=in_kits, marketplace_duplicates=duplicates,
        open_exceptions=open_exceptions, listings_in_drift=drift)
