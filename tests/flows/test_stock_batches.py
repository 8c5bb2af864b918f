"""Asynchronous stock batches followed to their end, and the urgent one-by-one route, run
by a real worker against a batching fake marketplace, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from marketdock.config import parse_config
from marketdock.connectors.ports import ShortPick, StockCheckState
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.schema import jobs
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.flows import stock
from marketdock.flows.orders import FLOW as ORDERS
from marketdock.flows.orders import OrderFlow
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.shipments import ShipmentFlow
from marketdock.flows.stock import CHECK, FLOW, StockBatchCheck, StockFlow
from marketdock.flows.store import stock as stock_store
from marketdock.monitor import exceptions
from tests.flows.fakes import BatchingFakeMarketplace, FakePorts, FakeWarehouse
from tests.flows.test_stock_flow import CONFIG, Hub, order


@pytest.fixture
def hub(db: Database) -> Iterator[Hub]:
    config = parse_config(CONFIG, {})
    ports = FakePorts(marketplaces={"amazon-eu": BatchingFakeMarketplace()})
    clock = FrozenClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    registry = TaskRegistry()
    stock_flow = StockFlow(config, ports)
    stock_flow.register(registry)
    OrderFlow(config, ports).register(registry)
    ShipmentFlow(config, ports, push_stock_now=stock_flow.short_picked).register(registry)
    worker = Worker(db, registry, clock=clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    warehouse = ports.warehouse("acme", "main")
    assert isinstance(warehouse, FakeWarehouse)
    yield Hub(db, clock, registry, worker, ports.marketplaces["amazon-eu"], warehouse)


def _market(hub: Hub) -> BatchingFakeMarketplace:
    assert isinstance(hub.market, BatchingFakeMarketplace)
    return hub.market


def _push(hub: Hub) -> None:
    """One stock tick, run only as far as what is due now: checks wait for their time."""
    with hub.db.begin() as conn:
        hub.registry.defer(conn, hub.clock.now(), FLOW, "acme", {})
    hub.worker.run(until_idle=True)


def _later(hub: Hub, minutes: int) -> None:
    hub.clock.advance(seconds=minutes * 60)
    hub.worker.run(until_idle=True)


def _waiting_checks(hub: Hub) -> list[StockBatchCheck]:
    with hub.db.read() as conn:
        rows = conn.execute(sa.select(jobs.c.payload).where(jobs.c.task == CHECK,
                                                            jobs.c.status == "todo"))
        return [StockBatchCheck.model_validate(payload) for (payload,) in rows]


def test_a_done_batch_applies_each_sku_and_a_rejected_one_is_an_exception(hub: Hub) -> None:
    market = _market(hub)
    hub.listing("MUG")
    hub.listing("TEA")
    market.batch_rejects = {"TEA": "8541: the listing is suppressed"}
    hub.report(W_MUG=5, W_TEA=3)
    _push(hub)
    assert market.stock_pushes == [{"MUG": 4, "TEA": 2}]
    assert (hub.status("MUG"), hub.status("TEA")) == (stock_store.PENDING,) * 2
    [check] = _waiting_checks(hub)
    assert check == StockBatchCheck(channel="amazon-eu", reference="batch-1",
                                    skus=("MUG", "TEA"))
    assert hub.registry.spec(CHECK, "acme", check).lock == "stock:amazon-eu"
    _later(hub, 1)
    assert market.checks == []  # not due yet
    _later(hub, 3)
    assert [c[:2] for c in market.checks] == [("batch-1", ("MUG", "TEA"))]
    assert (hub.status("MUG"), hub.status("TEA")) == (stock_store.APPLIED,
                                                      stock_store.REJECTED)
    with hub.db.read() as conn:
        (rejected,) = exceptions.list_open(conn, "acme", stock.STOCK_REJECTED)
    assert rejected.object_id == "amazon-eu:TEA"
    assert "refused stock 2 for SKU TEA: 8541: the listing is suppressed" in rejected.reason
    assert _waiting_checks(hub) == []


def test_a_waiting_batch_is_checked_again_until_done(hub: Hub) -> None:
    market = _market(hub)
    hub.listing("MUG")
    market.check_script = [StockCheckState.WAITING, StockCheckState.WAITING]
    hub.report(W_MUG=5)
    _push(hub)
    _later(hub, 4)
    assert [c[2] for c in market.checks] == [StockCheckState.WAITING]
    assert hub.status("MUG") == stock_store.PENDING
    assert len(_waiting_checks(hub)) == 1
    _later(hub, 3)
    assert len(market.checks) == 1  # the next check waits five minutes
    _later(hub, 3)
    _later(hub, 6)
    assert [c[2] for c in market.checks] == [StockCheckState.WAITING,
                                             StockCheckState.WAITING, StockCheckState.DONE]
    assert hub.status("MUG") == stock_store.APPLIED and market.stock == {"MUG": 4}
    assert _waiting_checks(hub) == [] and hub.open_exceptions() == {}


def test_a_stuck_batch_is_an_exception_and_its_skus_go_out_one_by_one(hub: Hub) -> None:
    market = _market(hub)
    for sku in ("MUG", "TEA", "CUP"):
        hub.listing(sku)
    market.check_script = [StockCheckState.STUCK]
    hub.report(W_MUG=5, W_TEA=3, W_CUP=2)
    _push(hub)
    # while the batch hangs, TEA changes and goes out in a batch of its own
    hub.report(W_MUG=5, W_TEA=7, W_CUP=2)
    _push(hub)
    assert market.stock_pushes == [{"CUP": 1, "MUG": 4, "TEA": 2}, {"TEA": 6}]
    market.check_script = [StockCheckState.STUCK, StockCheckState.WAITING]
    _later(hub, 4)
    # batch-1's SKUs not sent since go out again; TEA waits for batch-2
    assert sorted(market.sent_now) == [("CUP", 1), ("MUG", 4)]
    assert (hub.status("MUG"), hub.status("CUP")) == (stock_store.APPLIED,) * 2
    assert hub.status("TEA") == stock_store.PENDING
    with hub.db.read() as conn:
        (stuck,) = exceptions.list_open(conn, "acme", stock.STOCK_BATCH_STUCK)
    assert stuck.object_type == "stock_batch" and stuck.object_id == "amazon-eu:batch-1"
    assert "stock batch batch-1 (3 SKUs)" in stuck.reason
    assert "batch-1 still in progress" in stuck.reason
    assert stuck.details["skus"] == 3
    assert [c.reference for c in _waiting_checks(hub)] == ["batch-2"]


def test_a_failed_batch_is_an_exception_and_its_skus_stay_queued(hub: Hub) -> None:
    market = _market(hub)
    hub.listing("MUG")
    hub.listing("TEA")
    market.check_script = [StockCheckState.FAILED]
    hub.report(W_MUG=5, W_TEA=3)
    _push(hub)
    _later(hub, 4)
    assert (hub.status("MUG"), hub.status("TEA")) == (stock_store.QUEUED,) * 2
    with hub.db.read() as conn:
        (failed,) = exceptions.list_open(conn, "acme", stock.STOCK_BATCH_FAILED)
        assert stock_store.queued(conn, "acme", "amazon-eu") == {"MUG": 4, "TEA": 2}
    assert "failed stock batch batch-1 (2 SKUs)" in failed.reason
    assert "batch-1 ended FATAL" in failed.reason
    assert market.sent_now == [] and market.stock == {}
    _push(hub)  # the next push sends them again
    assert market.stock_pushes[-1] == {"MUG": 4, "TEA": 2}
    _later(hub, 4)
    assert market.stock == {"MUG": 4, "TEA": 2}
    assert hub.status("MUG") == stock_store.APPLIED


def test_a_newer_quantity_is_never_overwritten_by_an_older_batch(hub: Hub) -> None:
    market = _market(hub)
    hub.listing("MUG")
    hub.listing("TEA")
    market.batch_rejects = {"TEA": "stale"}
    hub.report(W_MUG=5, W_TEA=3)
    _push(hub)
    hub.report(W_MUG=5, W_TEA=6)
    _push(hub)  # TEA's newer quantity travels in batch-2
    with hub.db.begin() as conn:  # MUG's newer quantity is computed, not sent yet
        mug = stock_store.get(conn, "acme", "amazon-eu", "MUG")
        assert mug is not None
        stock_store.queue(conn, "acme", "amazon-eu",
                          mug.explanation.model_copy(update={"quantity": 8}), hub.clock.now())
    market.check_script = [StockCheckState.DONE, StockCheckState.WAITING]
    _later(hub, 4)
    assert [c[:1] + c[2:] for c in market.checks] == [("batch-1", StockCheckState.DONE),
                                                      ("batch-2", StockCheckState.WAITING)]
    with hub.db.read() as conn:
        assert stock_store.queued(conn, "acme", "amazon-eu") == {"MUG": 8}
        tea = stock_store.get(conn, "acme", "amazon-eu", "TEA")
    assert tea is not None and (tea.status, tea.quantity, tea.reference) == (
        stock_store.PENDING, 5, "batch-2")
    assert hub.open_exceptions() == {}  # batch-1's refusal was for an older quantity


def test_a_short_pick_goes_out_one_sku_at_a_time(hub: Hub) -> None:
    market = _market(hub)
    hub.listing("MUG")
    hub.listing("TEA")
    hub.listing("SET", ("W-MUG", 1), ("W-TEA", 1))
    hub.report(W_MUG=6, W_TEA=6)
    hub.market.put(order("A-2", "MUG", 3))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    _push(hub)
    _later(hub, 4)
    assert market.stock == {"MUG": 2, "TEA": 5, "SET": 2}
    hub.warehouse.short_picks.append(ShortPick(order_reference="MD-1", line_ref="i1",
                                               sku="W-MUG", missing=3))
    pushes = len(market.stock_pushes)
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert sorted(market.sent_now) == [("MUG", 0), ("SET", 0)]
    assert len(market.stock_pushes) == pushes  # no batch: nothing to wait for
    assert (hub.status("MUG"), hub.status("SET")) == (stock_store.APPLIED,) * 2
    assert market.stock == {"MUG": 0, "TEA": 5, "SET": 0}
