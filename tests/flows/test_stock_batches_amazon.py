"""The stock flow against the Amazon simulator: feeds followed to their processing report,
a stuck feed's SKUs sent again through patchListingsItem."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from marketdock.config import parse_config
from marketdock.connectors.amazon import AmazonConnector
from marketdock.connectors.ports import MarketplacePort, StockPosition, StockSnapshot
from marketdock.domain import Listing
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.flows import stock
from marketdock.flows.stock import FLOW, StockFlow
from marketdock.flows.store import listings
from marketdock.flows.store import stock as stock_store
from marketdock.monitor import exceptions
from tests.connectors.amazon.conftest import Sandbox, SimClock
from tests.flows.fakes import FakeWarehouse
from tests.flows.test_stock_flow import CONFIG


@dataclass
class AmazonPorts:
    amazon: AmazonConnector
    main: FakeWarehouse

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        return self.amazon

    def warehouse(self, tenant_id: str, warehouse_id: str) -> FakeWarehouse:
        return self.main


@dataclass
class World:
    sandbox: Sandbox
    worker: Worker
    registry: TaskRegistry
    main: FakeWarehouse

    def listed(self, *skus: str, at_amazon: tuple[str, ...]) -> None:
        """Listings in the hub, and those of ``at_amazon`` in the simulator too."""
        with self.sandbox.db.begin() as conn:
            for sku in skus:
                listings.upsert(conn, Listing(tenant_id="acme", channel_account_id="amazon-eu",
                                              channel_sku=sku, warehouse_sku=f"W-{sku}"),
                                self.sandbox.clock.now())
        self.sandbox.seed(listings=[{"sku": sku, "quantity": 1, "marketplaces": ["DE", "UK"]}
                                    for sku in at_amazon])

    def sync(self, **available: int) -> None:
        now = self.sandbox.clock.now()
        self.main.snapshot = StockSnapshot(positions=[
            StockPosition(tenant_id="acme", warehouse_id="main", sku=f"W-{sku}",
                          on_hand=units, available=units, as_of=now)
            for sku, units in available.items()], full=True, as_of=now)
        with self.sandbox.db.begin() as conn:
            self.registry.defer(conn, now, FLOW, "acme", {})
        self.worker.run(until_idle=True)

    def later(self, minutes: int) -> None:
        self.sandbox.advance(minutes * 60)
        self.worker.run(until_idle=True)

    def quantity(self, sku: str) -> int:
        return next(li.quantity for (_, s), li in self.sandbox.state.listings.items()
                    if s == sku)

    def status(self, sku: str) -> str:
        with self.sandbox.db.read() as conn:
            published = stock_store.get(conn, "acme", "amazon-eu", sku)
        assert published is not None
        return published.status


@pytest.fixture
def world(sandbox: Sandbox) -> Iterator[World]:
    main = FakeWarehouse()
    registry = TaskRegistry()
    amazon = sandbox.connector()
    # stuck after half an hour rather than two: fewer checks, the same path
    amazon.settings = replace(amazon.settings, feed_stuck_after=timedelta(minutes=30))
    StockFlow(parse_config(CONFIG, {}), AmazonPorts(amazon, main)).register(registry)
    worker = Worker(sandbox.db, registry, clock=SimClock(sandbox.clock), poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    yield World(sandbox, worker, registry, main)


@pytest.fixture
def sandbox(db: Database) -> Iterator[Sandbox]:
    box = Sandbox(db)
    yield box
    box.close()


def test_a_sku_the_feed_report_rejects_becomes_an_exception(world: World) -> None:
    world.listed("MUG", "TEA", "GONE", at_amazon=("MUG", "TEA"))
    world.sync(MUG=6, TEA=3, GONE=4)
    assert [world.status(sku) for sku in ("MUG", "TEA", "GONE")] == [stock_store.PENDING] * 3
    assert (world.quantity("MUG"), world.quantity("TEA")) == (1, 1)  # not processed yet
    world.later(4)
    assert (world.quantity("MUG"), world.quantity("TEA")) == (5, 2)
    assert [world.status(sku) for sku in ("MUG", "TEA", "GONE")] == [
        stock_store.APPLIED, stock_store.APPLIED, stock_store.REJECTED]
    with world.sandbox.db.read() as conn:
        (rejected,) = exceptions.list_open(conn, "acme")
    assert (rejected.type, rejected.object_id) == (stock.STOCK_REJECTED, "amazon-eu:GONE")
    assert "refused stock 3 for SKU GONE" in rejected.reason


def test_a_stuck_feed_is_an_exception_and_its_skus_go_out_by_patch(world: World) -> None:
    world.listed("MUG", "TEA", at_amazon=("MUG", "TEA"))
    world.sandbox.faults.set("feed_stuck", count=1)
    world.sync(MUG=6, TEA=3)
    (feed_id,) = world.sandbox.state.feeds
    for _ in range(6):  # checked every five minutes for half an hour
        world.later(5)
    assert [world.status(sku) for sku in ("MUG", "TEA")] == [stock_store.PENDING] * 2
    world.later(10)
    assert (world.quantity("MUG"), world.quantity("TEA")) == (5, 2)
    assert [world.status(sku) for sku in ("MUG", "TEA")] == [stock_store.APPLIED] * 2
    assert len(world.sandbox.state.feeds) == 1  # sent again by another route
    with world.sandbox.db.read() as conn:
        (stuck,) = exceptions.list_open(conn, "acme")
    assert (stuck.type, stuck.object_id) == (stock.STOCK_BATCH_STUCK, f"amazon-eu:{feed_id}")
    assert f"stock batch {feed_id} (2 SKUs)" in stuck.reason
    assert "still IN_PROGRESS more than 30 min after it was submitted" in stuck.reason


def test_an_urgent_publication_goes_out_through_patch_not_a_feed(world: World) -> None:
    world.listed("MUG", "TEA", at_amazon=("MUG", "TEA"))
    world.sync(MUG=6, TEA=3)
    world.later(4)
    world.main.snapshot = None  # the stock-out is the hub's own: no new report
    with world.sandbox.db.begin() as conn:
        stock_store.stock_out(conn, "acme", "W-MUG", ("main",), world.sandbox.clock.now())
        world.registry.defer(conn, world.sandbox.clock.now(), stock.PUBLISH, "acme",
                             {"channel": "amazon-eu", "warehouse_skus": ["W-MUG"],
                              "urgent": True})
    world.worker.run(until_idle=True)
    assert world.quantity("MUG") == 0 and world.status("MUG") == stock_store.APPLIED
    assert len(world.sandbox.state.feeds) == 1  # only the first, scheduled push
