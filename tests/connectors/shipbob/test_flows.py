"""The hub's order and shipment flows, run by a real worker, with ShipBob as the warehouse.

The marketplace is the flows' fake; the warehouse is this connector over the ShipBob
simulator, so the line references travel out in the order and come back in packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from marketdock.config import parse_config
from marketdock.connectors.ports import MarketplacePort, WarehousePort
from marketdock.domain import (
    CarrierMapping,
    ChannelKind,
    KitComponent,
    LineStatus,
    Listing,
    ListingKind,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.engine import outbox
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.flows.orders import FLOW as ORDERS
from marketdock.flows.orders import OrderFlow
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.shipments import ShipmentFlow
from marketdock.flows.store import carriers, listings
from marketdock.flows.store import orders as order_store
from tests.configs import AMAZON_CHANNEL, TENANT, warehouse
from tests.connectors.shipbob.harness import BERLIN, START, Setup, setup
from tests.flows.fakes import FakeMarketplace

CONFIG = TENANT + AMAZON_CHANNEL + warehouse("hh", "rest")


@dataclass
class Ports:
    market: FakeMarketplace
    shipbob: Setup

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        return self.market

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort:
        return self.shipbob.connector


@dataclass
class Hub:
    db: Database
    ports: Ports
    registry: TaskRegistry
    worker: Worker

    def run(self, task: str, payload: dict[str, Any]) -> None:
        clock = self.ports.shipbob.clock
        with self.db.begin() as conn:
            self.registry.defer(conn, clock.now(), task, "acme", payload)
        for _ in range(20):
            self.worker.run(until_idle=True)
            with self.db.read() as conn:
                if outbox.counts(conn)["todo"] == 0:
                    return
            clock.advance(seconds=120)

    def status(self, number: str) -> OrderStatus:
        with self.db.read() as conn:
            stored = order_store.find(conn, "acme", "amazon", number)
        assert stored is not None
        return stored.status


def make_hub(db: Database, **floor: Any) -> Hub:
    shipbob = setup(db, **floor)
    for sku in ("W-MUG", "W-TEA"):
        shipbob.floor.set_stock(sku, 50)
    ports = Ports(FakeMarketplace(), shipbob)
    config = parse_config(CONFIG, {})
    registry = TaskRegistry()
    OrderFlow(config, ports).register(registry)
    ShipmentFlow(config, ports).register(registry)
    worker = Worker(db, registry, clock=shipbob.clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    now = shipbob.clock.now()
    with db.begin() as conn:
        carriers.save(conn, CarrierMapping(tenant_id="acme", channel=ChannelKind.AMAZON,
                                           warehouse_carrier="DHL Paket",
                                           marketplace_code="DHL"), now)
        listings.upsert(conn, Listing(tenant_id="acme", channel_account_id="amazon-eu",
                                      channel_sku="MUG", warehouse_sku="W-MUG",
                                      kind=ListingKind.SINGLE), now)
        listings.upsert(conn, Listing(
            tenant_id="acme", channel_account_id="amazon-eu", channel_sku="GIFTSET",
            warehouse_sku=None, kind=ListingKind.KIT,
            components=(KitComponent(warehouse_sku="W-MUG", quantity=2),
                        KitComponent(warehouse_sku="W-TEA", quantity=1))), now)
    return Hub(db, ports, registry, worker)


@pytest.fixture
def hubs(db: Database) -> Iterator[list[Hub]]:
    made: list[Hub] = []
    yield made
    for hub in made:
        hub.ports.shipbob.close()


def order(number: str, *lines: tuple[str, str, int]) -> Order:
    return Order(
        tenant_id="acme", channel_account_id="amazon-eu", channel=ChannelKind.AMAZON,
        marketplace_id="A1PA6795UKMFR9", marketplace_order_id=number,
        status=OrderStatus.RELEASABLE, marketplace_status="Unshipped", ordered_at=START,
        ship_by=START + timedelta(days=2), shipping_address=BERLIN,
        lines=tuple(OrderLine(line_id=line_id, sku=sku, quantity=qty,
                              status=LineStatus.RELEASABLE) for line_id, sku, qty in lines))


def confirmed_units(hub: Hub, number: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for package in hub.ports.market.confirmed.get(number, []):
        for line_id, units in package.line_quantities.items():
            total[line_id] = total.get(line_id, 0) + units
    return total


def test_a_split_order_is_confirmed_parcel_by_parcel(db: Database, hubs: list[Hub]) -> None:
    hub = make_hub(db, split_probability=1.0)
    hubs.append(hub)
    hub.ports.market.put(order("A-1", ("i1", "MUG", 3), ("i2", "MUG", 2)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-1") is OrderStatus.RELEASED
    hub.ports.shipbob.advance(86400)
    hub.run(SHIPMENTS, {"warehouse": "hh"})
    hub.run(SHIPMENTS, {"warehouse": "hh"})  # the next poll reports nothing again
    assert hub.status("A-1") is OrderStatus.SHIPPED
    (sent,) = hub.ports.shipbob.floor.orders()
    confirmed = hub.ports.market.confirmed["A-1"]
    assert len(sent.parcels) > 1 and len(confirmed) == len(sent.parcels)
    assert confirmed_units(hub, "A-1") == {"i1": 3, "i2": 2}
    assert {p.carrier_code for p in confirmed} == {"DHL"}


def test_a_kit_goes_out_as_components_and_is_confirmed_as_kits(
        db: Database, hubs: list[Hub]) -> None:
    hub = make_hub(db)
    hubs.append(hub)
    hub.ports.market.put(order("A-3", ("i1", "GIFTSET", 2)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    (sent,) = hub.ports.shipbob.floor.orders()
    assert sorted((line.sku, line.quantity) for line in sent.lines) == [
        ("W-MUG", 4), ("W-TEA", 2)]
    hub.ports.shipbob.advance(86400)
    hub.run(SHIPMENTS, {"warehouse": "hh"})
    assert hub.status("A-3") is OrderStatus.SHIPPED
    assert confirmed_units(hub, "A-3") == {"i1": 2}


def test_a_kit_split_over_parcels_is_confirmed_once_complete(
        db: Database, hubs: list[Hub]) -> None:
    hub = make_hub(db, split_probability=1.0, max_items_per_parcel=1)
    hubs.append(hub)
    hub.ports.market.put(order("A-4", ("i1", "GIFTSET", 1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.ports.shipbob.advance(86400)
    hub.run(SHIPMENTS, {"warehouse": "hh"})
    assert confirmed_units(hub, "A-4") == {"i1": 1}


def test_units_the_warehouse_closed_short_are_cancelled_on_the_marketplace(
        db: Database, hubs: list[Hub]) -> None:
    hub = make_hub(db, short_pick_rate=1.0)
    hubs.append(hub)
    hub.ports.market.put(order("A-2", ("i1", "MUG", 1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.ports.shipbob.advance(86400)
    hub.run(SHIPMENTS, {"warehouse": "hh"})
    hub.run(SHIPMENTS, {"warehouse": "hh"})
    assert hub.ports.market.cancelled == [("A-2", {"i1": 1})]
    assert "A-2" not in hub.ports.market.confirmed
