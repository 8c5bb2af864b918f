"""Stock sync, run by a real worker against fake ports, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from marketdock.config import StockPolicy, parse_config
from marketdock.connectors.ports import ShortPick, StockOutcome, StockSnapshot
from marketdock.domain import (
    Address,
    ChannelKind,
    FulfilmentChannel,
    LineStatus,
    Listing,
    Order,
    OrderLine,
    OrderStatus,
    StockPosition,
)
from marketdock.engine import audit
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.jobs import Priority
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.schema import jobs
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.flows import stock
from marketdock.flows.orders import FLOW as ORDERS
from marketdock.flows.orders import OrderFlow
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.shipments import ShipmentFlow
from marketdock.flows.stock import CHECK, FLOW, FULL, PUBLISH, READ_BACK, StockFlow, StockPush
from marketdock.flows.stock_rule import FBA_EXCLUDED, StockExplanation, explain
from marketdock.flows.store import listings
from marketdock.flows.store import stock as stock_store
from marketdock.monitor import exceptions
from tests.configs import AMAZON_CHANNEL, TENANT, warehouse
from tests.flows.fakes import FakeMarketplace, FakePorts, FakeWarehouse, drain, listing

CONFIG = TENANT + AMAZON_CHANNEL + warehouse() + """
[tenants.stock_policy]
safety_buffer = 1
[tenants.stock_policy.channels.amazon-eu]
max_listed = 50
"""

BERLIN = Address(name="Jörg Müller", street="Straße des 17. Juni", house_number="135",
                 postal_code="10623", city="Berlin", country_code="DE")


@dataclass
class Hub:
    db: Database
    clock: FrozenClock
    registry: TaskRegistry
    worker: Worker
    market: FakeMarketplace
    warehouse: FakeWarehouse

    def run(self, task: str, payload: dict[str, Any] | None = None) -> None:
        with self.db.begin() as conn:
            self.registry.defer(conn, self.clock.now(), task, "acme", payload or {})
        drain(self.db, self.worker, self.clock.now, self.clock.advance)

    def report(self, full: bool = True, **available: int) -> None:
        """The warehouse's next stock report (SKUs spelt with ``_`` for ``-``)."""
        now = self.clock.now()
        self.warehouse.snapshot = StockSnapshot(positions=[
            StockPosition(tenant_id="acme", warehouse_id="main", sku=sku.replace("_", "-"),
                          on_hand=units, available=units, as_of=now)
            for sku, units in available.items()], full=full, as_of=now)

    def sync(self) -> dict[str, int]:
        """One stock tick; what it pushed."""
        pushes = len(self.market.stock_pushes)
        self.run(FLOW)
        return {sku: n for push in self.market.stock_pushes[pushes:] for sku, n in push.items()}

    def listing(self, sku: str, *components: tuple[str, int],
                fulfilment: FulfilmentChannel = FulfilmentChannel.MERCHANT) -> None:
        with self.db.begin() as conn:
            listings.upsert(conn, listing(sku, *components, fulfilment=fulfilment),
                            self.clock.now())

    def status(self, sku: str) -> str:
        with self.db.read() as conn:
            published = stock_store.get(conn, "acme", "amazon-eu", sku)
        assert published is not None
        return published.status

    def open_exceptions(self) -> dict[str, int]:
        with self.db.read() as conn:
            return exceptions.open_counts(conn)


@pytest.fixture
def hub(db: Database) -> Iterator[Hub]:
    config = parse_config(CONFIG, {})
    ports = FakePorts()
    clock = FrozenClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    registry = TaskRegistry()
    stock_flow = StockFlow(config, ports)
    stock_flow.register(registry)
    OrderFlow(config, ports).register(registry)
    ShipmentFlow(config, ports, push_stock_now=stock_flow.short_picked).register(registry)
    worker = Worker(db, registry, clock=clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    market = ports.marketplace("acme", "amazon-eu")
    warehouse = ports.warehouse("acme", "main")
    assert isinstance(market, FakeMarketplace) and isinstance(warehouse, FakeWarehouse)
    yield Hub(db, clock, registry, worker, market, warehouse)


def order(number: str, sku: str, quantity: int, *, pending: bool = False) -> Order:
    status = OrderStatus.PENDING if pending else OrderStatus.RELEASABLE
    line_status = LineStatus.PENDING if pending else LineStatus.RELEASABLE
    return Order(tenant_id="acme", channel_account_id="amazon-eu", channel=ChannelKind.AMAZON,
                 marketplace_id="A1PA6795UKMFR9", marketplace_order_id=number, status=status,
                 marketplace_status="Pending" if pending else "Unshipped",
                 ordered_at=datetime(2026, 1, 5, 8, tzinfo=UTC),
                 ship_by=datetime(2026, 1, 6, 23, tzinfo=UTC), shipping_address=BERLIN,
                 lines=(OrderLine(line_id="i1", sku=sku, quantity=quantity,
                                  status=line_status),))


def test_only_changed_quantities_are_pushed_and_fba_never(hub: Hub) -> None:
    hub.listing("MUG")
    hub.listing("TEA")
    hub.listing("SET", ("W-MUG", 2), ("W-TEA", 1))
    hub.listing("FBA-MUG", fulfilment=FulfilmentChannel.FBA)
    hub.report(W_MUG=11, W_TEA=4, W_FBA_MUG=30)
    # quantities less the safety buffer of 1; the kit: min(11 // 2, 4 // 1) - 1
    assert hub.sync() == {"MUG": 10, "TEA": 3, "SET": 3}
    hub.report(W_MUG=11, W_TEA=6, W_FBA_MUG=30)
    assert hub.sync() == {"TEA": 5, "SET": 4}
    assert hub.sync() == {}
    hub.report(W_MUG=11)  # a full report without TEA: none left
    assert hub.sync() == {"TEA": 0, "SET": 0}
    hub.report(full=False, W_TEA=2)  # a delta names only what changed
    assert hub.sync() == {"TEA": 1, "SET": 1}
    assert "FBA-MUG" not in hub.market.stock
    assert hub.status("MUG") == stock_store.APPLIED


def test_full_re_push_sends_every_quantity(hub: Hub) -> None:
    hub.listing("MUG")
    hub.listing("TEA")
    hub.report(W_MUG=5, W_TEA=2)
    hub.sync()
    pushes = len(hub.market.stock_pushes)
    hub.run(FULL)
    assert hub.market.stock_pushes[pushes:] == [{"MUG": 4, "TEA": 1}]


def test_a_refused_sku_is_an_exception_and_the_rest_goes_on(hub: Hub) -> None:
    for sku in ("MUG", "TEA", "CUP"):
        hub.listing(sku)
    hub.market.stock_outcomes = {"TEA": StockOutcome.REJECTED,
                                 "CUP": StockOutcome.UNKNOWN_SKU}
    hub.report(W_MUG=5, W_TEA=5, W_CUP=5)
    assert hub.sync() == {"CUP": 4, "MUG": 4, "TEA": 4}
    assert hub.market.stock == {"MUG": 4}
    assert hub.open_exceptions() == {"stock_rejected": 1, "stock_unknown_sku": 1}
    with hub.db.read() as conn:
        (unknown,) = exceptions.list_open(conn, "acme", stock.STOCK_UNKNOWN_SKU)
    assert unknown.object_id == "amazon-eu:CUP" and "does not know SKU CUP" in unknown.reason
    assert (hub.status("TEA"), hub.status("CUP")) == (stock_store.REJECTED,
                                                      stock_store.UNKNOWN_SKU)
    assert hub.sync() == {}  # a refused quantity is not sent again until it changes
    hub.market.stock_outcomes = {}
    hub.report(W_MUG=5, W_TEA=3, W_CUP=5)
    assert hub.sync() == {"TEA": 2}
    assert hub.open_exceptions() == {"stock_unknown_sku": 1}


def test_drift_is_found_and_healed(hub: Hub) -> None:
    hub.listing("MUG")
    hub.listing("TEA")
    hub.report(W_MUG=8, W_TEA=3)
    hub.sync()
    hub.market.stock["MUG"] = 40  # changed by hand in the seller portal
    pushes = len(hub.market.stock_pushes)
    hub.run(READ_BACK)
    assert hub.market.stock_pushes[pushes:] == [{"MUG": 7}]
    assert hub.market.stock == {"MUG": 7, "TEA": 2}
    with hub.db.read() as conn:
        (drift,) = audit.history(conn, "acme", "listing", "amazon-eu:MUG")
        published = stock_store.get(conn, "acme", "amazon-eu", "MUG")
    assert drift.action == "stock_drift" and drift.details == {"published": 7,
                                                               "marketplace": 40}
    assert published is not None and published.status == stock_store.APPLIED
    hub.run(READ_BACK)
    assert len(hub.market.stock_pushes) == pushes + 1  # nothing drifted any more


def test_orders_the_warehouse_has_not_acknowledged_reduce_the_quantity(hub: Hub) -> None:
    hub.listing("MUG")
    hub.report(W_MUG=10)
    hub.market.put(order("A-1", "MUG", 2, pending=True))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.sync() == {"MUG": 7}  # 10 - 2 reserved - 1 buffer
    hub.market.put(order("A-1", "MUG", 2))
    hub.run(ORDERS, {"channel": "amazon-eu"})  # released: still the hub's reservation
    assert hub.sync() == {}
    with hub.db.read() as conn:
        why = stock.explain(conn, "acme", "amazon-eu", "MUG")
    assert why is not None and why.terms is not None
    assert why.terms.components[0].reserved == 2
    assert why.describe()[0] == "amazon-eu MUG: publish 7"


def test_explain_says_why_an_fba_listing_gets_nothing(hub: Hub) -> None:
    hub.listing("FBA-MUG", fulfilment=FulfilmentChannel.FBA)
    with hub.db.read() as conn:
        why = stock.explain(conn, "acme", "amazon-eu", "FBA-MUG")
        unknown = stock.explain(conn, "acme", "amazon-eu", "NOPE")
    assert why is not None and why.quantity is None and why.excluded == FBA_EXCLUDED
    assert unknown is None


def test_a_short_pick_pushes_the_stock_out_at_once(hub: Hub) -> None:
    hub.listing("MUG")
    hub.listing("TEA")
    hub.report(W_MUG=6, W_TEA=6)
    hub.market.put(order("A-2", "MUG", 3))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.sync() == {"MUG": 2, "TEA": 5}
    hub.warehouse.short_picks.append(ShortPick(order_reference="MD-1", line_ref="i1",
                                               sku="W-MUG", missing=3))
    pushes = len(hub.market.stock_pushes)
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.market.stock_pushes[pushes:] == [{"MUG": 0}]
    assert hub.market.cancelled == [("A-2", {"i1": 3})]
    with hub.db.read() as conn:
        (urgent,) = [row for row in conn.execute(sa.select(jobs).where(jobs.c.task == PUBLISH))
                     if row.payload.get("warehouse_skus")]
    assert urgent.priority == Priority.STOCK and urgent.deadline is not None  # first in line
    hub.clock.advance(seconds=60)
    hub.report(W_MUG=4, W_TEA=6)  # the recount
    assert hub.sync() == {"MUG": 3}


def test_a_listing_turned_fba_is_never_sent_its_waiting_quantity(hub: Hub) -> None:
    hub.listing("MUG")
    hub.report(W_MUG=5)
    assert hub.sync() == {"MUG": 4}
    hub.listing("MUG", fulfilment=FulfilmentChannel.FBA)
    with hub.db.begin() as conn:  # a quantity left waiting, e.g. by a failed push
        stock_store.requeue(conn, "acme", "amazon-eu", ["MUG"])
    hub.report(W_MUG=9)
    assert hub.sync() == {}
    hub.run(FULL)
    assert len(hub.market.stock_pushes) == 1


def test_every_job_touching_a_channel_s_stock_holds_its_lock(hub: Hub) -> None:
    specs = [hub.registry.spec(PUBLISH, "acme", StockPush(channel="amazon-eu")),
             hub.registry.spec(PUBLISH, "acme", StockPush(channel="amazon-eu", full=True)),
             hub.registry.spec(PUBLISH, "acme", StockPush(channel="amazon-eu",
                                                          warehouse_skus=("W-MUG",))),
             hub.registry.spec(READ_BACK, "acme", {"channel": "amazon-eu"})]
    assert {spec.lock for spec in specs} == {"stock:amazon-eu"}
    assert specs[2].queueing_lock is None  # an urgent push is never dropped as a duplicate


def test_an_answer_for_an_older_quantity_leaves_the_newer_one_queued(hub: Hub) -> None:
    mug = Listing(tenant_id="acme", channel_account_id="amazon-eu", channel_sku="MUG",
                  warehouse_sku="W-MUG")

    def computed(quantity: int) -> StockExplanation:
        return explain(mug, channel_id="amazon-eu", policy=StockPolicy(), warehouses=("main",),
                       pickable={("main", "W-MUG"): quantity}, reserved={})

    now = hub.clock.now()
    with hub.db.begin() as conn:
        stock_store.queue(conn, "acme", "amazon-eu", computed(4), now)
        stock_store.queue(conn, "acme", "amazon-eu", computed(3), now)  # while 4 is sent
        assert not stock_store.settle(conn, "acme", "amazon-eu", "MUG", quantity=4,
                                      status=stock_store.APPLIED, reference=None, now=now)
        assert stock_store.queued(conn, "acme", "amazon-eu") == {"MUG": 3}


def test_pending_quantities_of_a_marketplace_without_checks_wait_for_the_read_back(
        hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.stock_outcomes = {"MUG": StockOutcome.PENDING}
    hub.report(W_MUG=5)
    assert hub.sync() == {"MUG": 4}
    assert hub.status("MUG") == stock_store.PENDING
    with hub.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(jobs)
                            .where(jobs.c.task == CHECK)).scalar_one() == 0
    hub.run(CHECK, {"channel": "amazon-eu", "reference": "push-1", "skus": ["MUG"]})
    assert hub.status("MUG") == stock_store.PENDING and hub.open_exceptions() == {}
