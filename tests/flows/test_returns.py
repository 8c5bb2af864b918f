"""The returns flow, run by a real worker against the OTTO simulator in this process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest

from marketdock.config import parse_config
from marketdock.connectors.otto.connector import OttoConnector
from marketdock.connectors.otto.returns import ReturnDecision, Verdict
from marketdock.connectors.ports import CarrierChoice, MarketplacePort, WarehousePort
from marketdock.domain import Listing, Order, OrderStatus
from marketdock.engine import audit, effects
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.errors import InputError
from marketdock.flows.returns import (
    DECIDE,
    EFFECT,
    FLOW,
    RECEIPT_UNREADABLE,
    RECEIPTS,
    RETURN_DECISION_REFUSED,
    RETURN_EXPECTED,
    ReturnsFlow,
    grade_return,
)
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.monitor import exceptions
from tests.configs import AMAZON_CHANNEL, TENANT, warehouse
from tests.connectors.otto.harness import (
    START,
    Recorder,
    Sim,
    connector,
    mock_connector,
    package,
)
from tests.flows.fakes import FakeMarketplace, FakeWarehouse, drain

OTTO_CHANNEL = """
[[tenants.channels]]
id = "otto-de"
kind = "otto"
base_url = "http://otto.sandbox"
"""

CONFIG = TENANT + OTTO_CHANNEL + AMAZON_CHANNEL + warehouse()


@dataclass
class Ports:
    otto: OttoConnector
    amazon: FakeMarketplace
    main: WarehousePort = field(default_factory=FakeWarehouse)
    """The warehouse orders ship from; this one takes no inbound notices."""

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        return self.otto if channel_id == "otto-de" else self.amazon

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort:
        assert warehouse_id == "main"
        return self.main


@dataclass
class Hub:
    db: Database
    sim: Sim
    registry: TaskRegistry
    worker: Worker
    ports: Ports
    recorder: Recorder

    def defer(self, task: str, payload: dict[str, Any] | None = None) -> None:
        with self.db.begin() as conn:
            self.registry.defer(conn, self.sim.hub_clock.now(), task, "acme", payload or {})

    def drain(self) -> None:
        drain(self.db, self.worker, self.sim.hub_clock.now, self.sim.advance)

    def run(self, task: str, payload: dict[str, Any] | None = None) -> None:
        self.defer(task, payload)
        self.drain()

    def grade(self, item: str, accepted: bool, condition: str | None = None,
              reason: str | None = None) -> None:
        with self.db.begin() as conn:
            grade_return(conn, self.registry, self.sim.hub_clock.now(), "acme", "otto-de",
                         item, accepted, condition, reason)
        self.drain()

    def open(self, type: str) -> list[exceptions.ExceptionRecord]:
        with self.db.read() as conn:
            return [e for e in exceptions.list_open(conn, "acme") if e.type == type]

    def history(self, object_type: str, object_id: str) -> list[audit.AuditEvent]:
        with self.db.read() as conn:
            return audit.history(conn, "acme", object_type, object_id)

    def posts(self, path: str) -> int:
        return self.recorder.paths("POST").count(path)

    def shipped(self, sku: str = "BOOT", quantity: int = 3) -> tuple[Order, list[str]]:
        """An order shipped through OTTO (return label RET-77) and known to the hub."""
        seeded = self.sim.seed(orders=[{"lines": [{"sku": sku, "quantity": quantity,
                                                   "unitPrice": "30.00"}],
                                        "status": "PROCESSABLE"}])["orders"][0]
        order = next(o for o in self.ports.otto.fetch_orders(START).orders
                     if o.marketplace_order_id == seeded["salesOrderId"])
        ids: list[str] = seeded["positionItemIds"]
        self.ports.otto.confirm_package(order, package(order, ids, f"P-{order.order_number}",
                                                       return_tracking="RET-77"),
                                        CarrierChoice(code="DHL"))
        with self.db.begin() as conn:
            order_store.upsert(conn, order, OrderStatus.SHIPPED, self.sim.hub_clock.now(),
                               "main")
        self.sim.advance(3600)
        return order, ids


@pytest.fixture
def hub(db: Database) -> Iterator[Hub]:
    sim = Sim()
    otto, recorder = connector(sim)
    ports = Ports(otto, FakeMarketplace())
    registry = TaskRegistry()
    ReturnsFlow(parse_config(CONFIG, {}), ports).register(registry)
    worker = Worker(db, registry, clock=sim.hub_clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    yield Hub(db, sim, registry, worker, ports, recorder)
    sim.close()
    sim.check_contract()


def sim_status(hub: Hub, item: str) -> str:
    return hub.sim.state.returns[item].status


def test_an_announced_return_is_expected_once(hub: Hub) -> None:
    order, ids = hub.shipped()
    with hub.db.begin() as conn:
        listing_store.upsert(conn, Listing(tenant_id="acme", channel_account_id="otto-de",
                                           channel_sku="BOOT", warehouse_sku="W-BOOT"),
                             hub.sim.hub_clock.now())
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.run(FLOW, {"channel": "otto-de"})
    hub.run(FLOW)  # fans out; the Amazon channel reports no returns

    [expected] = hub.open(RETURN_EXPECTED)
    assert expected.owner == "warehouse"
    assert expected.object_id == f"otto-de:{ids[0]}"
    assert f"order {order.order_number} (shipped by warehouse main)" in expected.reason
    assert "1 x W-BOOT" in expected.reason
    assert "DHL parcel RET-77" in expected.reason
    [event] = hub.history("return", f"otto-de:{ids[0]}")
    assert event.action == "return:announced"
    assert (event.details["sku"], event.details["warehouse_units"]) == ("BOOT", {"W-BOOT": 1})
    assert event.details["return_tracking_numbers"] == ["RET-77"]


def test_later_returns_are_read_from_the_watermark(hub: Hub) -> None:
    order, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.sim.advance(86400)
    hub.sim.seed(returns=[{"positionItemId": ids[1]}])
    hub.run(FLOW, {"channel": "otto-de"})
    assert {e.object_id for e in hub.open(RETURN_EXPECTED)} == {
        f"otto-de:{ids[0]}", f"otto-de:{ids[1]}"}
    [missing] = [e for e in hub.open(RETURN_EXPECTED) if e.object_id.endswith(ids[1])]
    assert "1 x BOOT" in missing.reason  # no listing: the channel SKU


def test_returns_are_read_down_to_the_watermark_only(hub: Hub) -> None:
    _, ids = hub.shipped(quantity=3)
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.sim.advance(3600)
    mark = hub.sim.clock.now()
    hub.sim.seed(returns=[{"positionItemId": item} for item in ids[1:]])
    newer = hub.ports.otto.fetch_returns(changed_since=mark)
    assert {r.line_id for r in newer} == set(ids[1:])
    assert {r.line_id for r in hub.ports.otto.fetch_returns()} == set(ids)


def test_a_return_of_an_order_the_hub_never_saw_is_still_expected(hub: Hub) -> None:
    seeded = hub.sim.seed(orders=[{"lines": [{"sku": "CAP", "quantity": 1,
                                              "unitPrice": "9.00"}],
                                   "status": "PROCESSABLE"}])["orders"][0]
    [order] = hub.ports.otto.fetch_orders(START).orders
    item = seeded["positionItemIds"][0]
    hub.ports.otto.confirm_package(order, package(order, [item], "P1"), CarrierChoice(code="DHL"))
    hub.sim.seed(returns=[{"positionItemId": item}])
    hub.run(FLOW, {"channel": "otto-de"})
    [expected] = hub.open(RETURN_EXPECTED)
    assert "SKU unknown: the hub does not know this order line" in expected.reason
    assert f"order {seeded['salesOrderId']} (position item {item})" in expected.reason


def test_accept_and_reject_reach_otto_once(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}, {"positionItemId": ids[1]}])
    hub.run(FLOW, {"channel": "otto-de"})

    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    hub.grade(ids[1], False, "D", "ITEM_DAMAGED")
    hub.grade(ids[1], False, "D", "ITEM_DAMAGED")

    assert (sim_status(hub, ids[0]), sim_status(hub, ids[1])) == ("ACCEPTED", "REJECTED")
    assert hub.posts("/v3/returns/acceptance") == 1
    assert hub.posts("/v3/returns/rejection") == 1
    assert hub.open(RETURN_EXPECTED) == []
    assert hub.open(RETURN_DECISION_REFUSED) == []
    accepted = hub.history("return", f"otto-de:{ids[0]}")
    assert [e.action for e in accepted] == ["return:announced", "return:accepted"]
    assert accepted[1].details["condition"] == "A"
    rejected = hub.history("return", f"otto-de:{ids[1]}")
    assert [e.action for e in rejected] == ["return:announced", "return:rejected"]
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", EFFECT, effects.DONE) == 2


def test_a_rejected_return_can_still_be_accepted(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.grade(ids[0], False, "E", "WRONG_ITEM")
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    assert sim_status(hub, ids[0]) == "ACCEPTED"
    actions = [e.action for e in hub.history("return", f"otto-de:{ids[0]}")]
    assert actions == ["return:announced", "return:rejected", "return:accepted"]
    with hub.db.begin() as conn, pytest.raises(InputError, match="acceptance is final"):
        grade_return(conn, hub.registry, START, "acme", "otto-de", ids[0], False, "D",
                     "ITEM_DAMAGED")


def test_a_refused_decision_becomes_an_exception(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    hub.run(DECIDE, {"channel": "otto-de", "position_item_id": ids[0],  # graded twice
                     "sales_order_id": hub.sim.state.returns[ids[0]].sales_order_id,
                     "accepted": False, "condition": "D", "reason": "ITEM_DAMAGED"})

    [refused] = hub.open(RETURN_DECISION_REFUSED)
    assert refused.object_id == f"otto-de:{ids[0]}"
    assert "refused to reject" in refused.reason
    assert "already accepted" in refused.reason
    assert sim_status(hub, ids[0]) == "ACCEPTED"
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", EFFECT, effects.DONE) == 1


def test_a_refused_decision_can_be_corrected(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.run(DECIDE, {"channel": "otto-de", "position_item_id": ids[0],
                     "sales_order_id": hub.sim.state.returns[ids[0]].sales_order_id,
                     "accepted": False, "condition": "D"})
    [refused] = hub.open(RETURN_DECISION_REFUSED)
    assert "reason code" in refused.reason
    assert sim_status(hub, ids[0]) == "ANNOUNCED"
    hub.grade(ids[0], False, "D", "ITEM_DAMAGED")
    assert sim_status(hub, ids[0]) == "REJECTED"
    assert hub.open(RETURN_DECISION_REFUSED) == []
    assert hub.open(RETURN_EXPECTED) == []


def test_a_lost_answer_is_looked_up_before_deciding_again(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.ports.otto.decide_returns([ReturnDecision(  # taken by OTTO, its answer lost
        ids[0], hub.sim.state.returns[ids[0]].sales_order_id, Verdict.ACCEPT,
        reason="RETURN_RECEIVED", condition="A")])
    with hub.db.begin() as conn:
        effects.claim(conn, "acme", EFFECT, f"otto-de:{ids[0]}:accepted",
                      hub.sim.hub_clock.now())
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    assert hub.posts("/v3/returns/acceptance") == 1
    assert hub.open(RETURN_DECISION_REFUSED) == []
    assert hub.open(RETURN_EXPECTED) == []


def test_grading_needs_an_announced_return_and_a_reason_to_reject(hub: Hub) -> None:
    _, ids = hub.shipped()
    with hub.db.begin() as conn, pytest.raises(InputError, match="announced no return"):
        grade_return(conn, hub.registry, START, "acme", "otto-de", ids[0], True)
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    with hub.db.begin() as conn, pytest.raises(InputError, match="reason code"):
        grade_return(conn, hub.registry, START, "acme", "otto-de", ids[0], False, "D")
    with hub.db.begin() as conn, pytest.raises(InputError, match="condition"):
        grade_return(conn, hub.registry, START, "acme", "otto-de", ids[0], True, "Z")


def test_receipts_are_kept_once_whole(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    hub.run(RECEIPTS, {"channel": "otto-de"})
    hub.run(RECEIPTS, {"channel": "otto-de"})
    hub.run(RECEIPTS)

    numbers = {r.receipt_number: r for r in hub.sim.state.receipts.values()}
    assert {r.receipt_type for r in numbers.values()} == {"PURCHASE", "REFUND"}
    for number, receipt in numbers.items():
        [event] = hub.history("receipt", number)
        assert event.action == "receipt:kept"
        assert event.details["kind"] == receipt.receipt_type
        assert event.details["order_number"] == \
            hub.sim.state.orders[receipt.sales_order_id].order_number
        kept = event.details["receipt"]
        assert kept["receiptNumber"] == number
        assert kept["salesOrderId"] == receipt.sales_order_id
        assert "lineItems" in kept and "amountDue" in kept
    hub.sim.advance(86400)
    later, _ = hub.shipped("CAP", 1)
    hub.run(RECEIPTS, {"channel": "otto-de"})
    [fresh] = [r for r in hub.sim.state.receipts.values()
               if r.sales_order_id == later.marketplace_order_id]
    assert [e.action for e in hub.history("receipt", fresh.receipt_number)] == ["receipt:kept"]


def test_an_unreadable_receipt_is_quarantined_and_the_rest_kept(hub: Hub) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        return httpx.Response(200, json={"resources": [
            {"receiptType": "PURCHASE", "receiptNumber": "R-1", "salesOrderId": "S-1",
             "someNewField": {"kept": True}},
            {"receiptType": "PURCHASE", "creationDate": "yesterday", "receiptNumber": "R-2"},
        ], "links": []})

    hub.ports.otto = mock_connector(handler)
    hub.run(RECEIPTS, {"channel": "otto-de"})
    [event] = hub.history("receipt", "R-1")
    assert event.details["receipt"]["someNewField"] == {"kept": True}
    [bad] = hub.open(RECEIPT_UNREADABLE)
    assert bad.object_id == "otto-de:R-2"
    assert "creationDate" in bad.reason


def test_a_decision_for_a_channel_without_returns_is_refused(hub: Hub) -> None:
    hub.run(DECIDE, {"channel": "amazon-eu", "position_item_id": "X1",
                     "sales_order_id": "S1", "accepted": True})
    [refused] = hub.open(RETURN_DECISION_REFUSED)
    assert "takes no return decisions" in refused.reason
