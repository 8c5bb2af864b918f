"""The inbound flow, run by a real worker against a fake warehouse."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from marketdock.config import parse_config
from marketdock.connectors.ports import (
    Capability,
    InboundNotice,
    MarketplacePort,
    Receipt,
    WarehousePort,
)
from marketdock.engine import audit, effects
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.errors import RemoteError, RemoteTimeout, UnknownSku
from marketdock.flows.inbound import (
    EFFECT,
    FLOW,
    INBOUND_BY_HAND,
    INBOUND_DISCREPANCY,
    INBOUND_REJECTED,
    SEND,
    InboundFlow,
)
from marketdock.flows.store import sync_state
from marketdock.monitor import exceptions
from tests.configs import TENANT, warehouse
from tests.connectors.filewarehouse.conftest import make_setup, x12_port
from tests.connectors.shipbob.harness import setup as shipbob_setup
from tests.flows.fakes import drain

CONFIG = TENANT + warehouse() + warehouse("csv", "csv", house_number="2")

NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)


@dataclass
class InboundWarehouse(WarehousePort):
    """Keeps notices by reference (a repeated reference answers the first notice) and
    hands out receipts by position."""

    name = "inbound-warehouse"
    capabilities = frozenset({Capability.SEND_INBOUND, Capability.FETCH_INBOUND_RECEIPTS})

    notices: dict[str, InboundNotice] = field(default_factory=dict)
    sends: int = 0
    timeout_after_next_send: bool = False
    refuse_with: Exception | None = None
    receipts: list[Receipt] = field(default_factory=list)

    def send_inbound(self, notice: InboundNotice) -> str:
        self.sends += 1
        if self.refuse_with is not None:
            raise self.refuse_with
        self.notices.setdefault(notice.reference, notice)
        if self.timeout_after_next_send:
            self.timeout_after_next_send = False
            raise RemoteTimeout("notice taken, answer lost")
        return f"in-{notice.reference}"

    def fetch_receipts(self, cursor: str | None) -> tuple[Sequence[Receipt], str | None]:
        start = int(cursor or 0)
        return self.receipts[start:], str(len(self.receipts))


class OrdersOnly(WarehousePort):
    name = "orders-only"
    capabilities = frozenset({Capability.SEND_ORDER})


@dataclass
class Ports:
    main: InboundWarehouse = field(default_factory=InboundWarehouse)
    other: WarehousePort = field(default_factory=OrdersOnly)
    real: WarehousePort | None = None
    """A connector over a simulator, standing in for ``main`` when set."""

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        raise AssertionError("the inbound flow needs no marketplace")

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort:
        if warehouse_id != "main":
            return self.other
        return self.real or self.main


@dataclass
class Hub:
    db: Database
    clock: FrozenClock
    registry: TaskRegistry
    worker: Worker
    ports: Ports

    def run(self, task: str, payload: dict[str, Any] | None = None) -> None:
        with self.db.begin() as conn:
            self.registry.defer(conn, self.clock.now(), task, "acme", payload or {})
        drain(self.db, self.worker, self.clock.now, self.clock.advance)

    def open(self, type: str) -> list[exceptions.ExceptionRecord]:
        with self.db.read() as conn:
            return [e for e in exceptions.list_open(conn, "acme") if e.type == type]

    def history(self, reference: str, warehouse: str = "main") -> list[audit.AuditEvent]:
        with self.db.read() as conn:
            return audit.history(conn, "acme", "inbound", f"{warehouse}:{reference}")


@pytest.fixture
def hub(db: Database) -> Iterator[Hub]:
    clock = FrozenClock(NOW)
    registry = TaskRegistry()
    ports = Ports()
    InboundFlow(parse_config(CONFIG, {}), ports).register(registry)
    worker = Worker(db, registry, clock=clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    yield Hub(db, clock, registry, worker, ports)


def send(reference: str, warehouse: str = "main", **lines: int) -> dict[str, Any]:
    return {"warehouse": warehouse, "notice": {
        "reference": reference, "expected_at": "2026-01-08T08:00:00+00:00",
        "tracking_number": "1Z1", "supplier": "Mugs Ltd",
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines.items()]}}


def received(reference: str, damaged: dict[str, int] | None = None, **units: int) -> Receipt:
    return Receipt(inbound_reference=reference, received=units, damaged=damaged or {},
                   received_at=NOW + timedelta(days=3))


def test_notice_reaches_the_warehouse_once(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=10, TEE=4))
    hub.run(SEND, send("ASN-1", MUG=10, TEE=4))
    sent = hub.ports.main.notices["ASN-1"]
    assert [(line.sku, line.quantity) for line in sent.lines] == [("MUG", 10), ("TEE", 4)]
    assert sent.expected_at == datetime(2026, 1, 8, 8, tzinfo=UTC)
    assert sent.supplier == "Mugs Ltd"
    assert hub.ports.main.sends == 1
    [event] = hub.history("ASN-1")
    assert event.action == "inbound:sent"
    assert event.details["warehouse_inbound"] == "in-ASN-1"


def test_a_lost_answer_is_retried_under_the_same_reference(hub: Hub) -> None:
    hub.ports.main.timeout_after_next_send = True
    hub.run(SEND, send("ASN-1", MUG=1))
    assert hub.ports.main.sends == 2
    assert list(hub.ports.main.notices) == ["ASN-1"]
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", EFFECT, effects.DONE) == 1


def test_a_refused_notice_becomes_an_exception(hub: Hub) -> None:
    hub.ports.main.refuse_with = RemoteError("bad fulfillment center", status=400)
    hub.run(SEND, send("ASN-1", MUG=1))
    [opened] = hub.open(INBOUND_REJECTED)
    assert "refused inbound notice ASN-1" in opened.reason
    hub.ports.main.refuse_with = UnknownSku("no inventory item for SKU GHOST")
    hub.run(SEND, send("ASN-2", GHOST=1))
    assert {e.object_id for e in hub.open(INBOUND_REJECTED)} == {"main:ASN-1", "main:ASN-2"}
    hub.ports.main.refuse_with = None
    hub.run(SEND, send("ASN-1", MUG=1))
    assert {e.object_id for e in hub.open(INBOUND_REJECTED)} == {"main:ASN-2"}


def test_changed_contents_under_a_sent_reference_are_refused(hub: Hub) -> None:
    hub.ports.main.refuse_with = RemoteError("down for maintenance", status=400)
    hub.run(SEND, send("ASN-1", MUG=1))
    hub.ports.main.refuse_with = None
    hub.run(SEND, send("ASN-1", MUG=5))
    assert hub.ports.main.notices == {}
    [opened] = hub.open(INBOUND_REJECTED)
    assert "other contents" in opened.reason


def test_changed_contents_after_the_notice_went_out_are_refused(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=1))
    hub.run(SEND, send("ASN-1", MUG=5))
    assert [line.quantity for line in hub.ports.main.notices["ASN-1"].lines] == [1]
    [opened] = hub.open(INBOUND_REJECTED)
    assert "other contents" in opened.reason
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", EFFECT, effects.DONE) == 1


def test_warehouse_without_inbound_asks_for_a_hand(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", "csv", MUG=1))
    [opened] = hub.open(INBOUND_BY_HAND)
    assert opened.object_id == "csv:ASN-1"


def test_receipt_as_announced_is_recorded_without_exception(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=10, TEE=4))
    hub.ports.main.receipts.append(received("ASN-1", MUG=10, TEE=4))
    hub.run(FLOW, {})  # fans out to every warehouse; "csv" reports no receipts
    event = hub.history("ASN-1")[-1]
    assert event.action == "inbound:received"
    assert event.details["received"] == {"MUG": 10, "TEE": 4}
    assert event.details["differences"] == {}
    assert hub.open(INBOUND_DISCREPANCY) == []


def test_short_over_and_damaged_units_open_a_discrepancy(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=10, TEE=4, CAP=2))
    hub.ports.main.receipts.append(
        received("ASN-1", damaged={"TEE": 1}, MUG=8, TEE=3, CAP=2, HAT=1))
    hub.run(FLOW, {"warehouse": "main"})
    [opened] = hub.open(INBOUND_DISCREPANCY)
    assert opened.object_id == "main:ASN-1"
    assert opened.details["differences"] == {"HAT": 1, "MUG": -2, "TEE": -1}
    assert "MUG -2" in opened.reason and "TEE -1 (1 damaged)" in opened.reason
    assert "HAT +1" in opened.reason


def test_a_receipt_reported_again_is_recorded_once(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=10))
    hub.ports.main.receipts.append(received("ASN-1", MUG=9))
    hub.run(FLOW, {"warehouse": "main"})
    with hub.db.begin() as conn:  # the cursor is lost: the warehouse reports it again
        sync_state.put(conn, "acme", "inbound:main:receipts_cursor", "0", NOW)
    hub.run(FLOW, {"warehouse": "main"})
    assert [e.action for e in hub.history("ASN-1")] == ["inbound:sent", "inbound:received"]
    [opened] = hub.open(INBOUND_DISCREPANCY)
    assert opened.occurrences == 1


def test_a_notice_delivered_in_parts_is_judged_by_all_its_receipts(hub: Hub) -> None:
    hub.run(SEND, send("ASN-1", MUG=10, TEE=4))
    first = replace(received("ASN-1", MUG=6), receipt_id="R1")
    hub.ports.main.receipts.append(first)
    hub.run(FLOW, {"warehouse": "main"})
    [opened] = hub.open(INBOUND_DISCREPANCY)
    assert opened.details["differences"] == {"MUG": -4, "TEE": -4}
    hub.ports.main.receipts.append(replace(received("ASN-1", MUG=4, TEE=4), receipt_id="R2"))
    hub.ports.main.receipts.append(first)  # the first one reported again: counted once
    hub.run(FLOW, {"warehouse": "main"})
    assert hub.open(INBOUND_DISCREPANCY) == []
    assert [e.details["receipt"] for e in hub.history("ASN-1")
            if e.action == "inbound:received"] == ["R1", "R2"]


def test_notice_and_receipt_through_the_x12_file_warehouse(hub: Hub, db: Database,
                                                           tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "x12")
    hub.ports.real = x12_port(db, setup, setup.drop.root)
    hub.run(SEND, send("ASN-1", MUG=10, TEA=4))
    setup.run()
    assert dict(setup.floor.inbound("ASN-1").expected) == {"MUG": 10, "TEA": 4}
    setup.warehouse.receive_inbound("ASN-1", {"MUG": 9, "TEA": 4})
    hub.run(FLOW, {"warehouse": "main"})
    hub.run(FLOW, {"warehouse": "main"})  # confirms the 944, which is then archived
    assert [e.action for e in hub.history("ASN-1")] == ["inbound:sent", "inbound:received"]
    [opened] = hub.open(INBOUND_DISCREPANCY)
    assert opened.details["differences"] == {"MUG": -1}
    assert not [n for n in setup.drop.files("outbound") if n.startswith("944")]


def test_notice_and_receipt_through_shipbob(hub: Hub, db: Database) -> None:
    made = shipbob_setup(db, connection={"fulfillment_center_id": 1})
    try:
        made.floor.set_stock("MUG", 1)
        hub.ports.real = made.connector
        hub.run(SEND, send("ASN-1", MUG=6))
        [wro] = made.floor.inbounds()
        made.floor.receive_inbound(wro.reference, {"MUG": 5}, damaged={"MUG": 1})
        hub.run(FLOW, {"warehouse": "main"})
        hub.run(FLOW, {"warehouse": "main"})
        assert [e.action for e in hub.history("ASN-1")] == ["inbound:sent", "inbound:received"]
        [opened] = hub.open(INBOUND_DISCREPANCY)
        assert "MUG -1 (1 damaged)" in opened.reason
    finally:
        made.close()


def test_a_receipt_for_an_unknown_notice_is_recorded(hub: Hub) -> None:
    hub.ports.main.receipts.append(received("WH-77", MUG=3))
    hub.run(FLOW, {"warehouse": "main"})
    [event] = hub.history("WH-77")
    assert event.details["announced"] is False
    assert hub.open(INBOUND_DISCREPANCY) == []
