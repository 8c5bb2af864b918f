"""Returns announced to the warehouse as expected receipts, and graded by its receipt.

The returns and inbound flows run together, as the hub wires them, against the OTTO
simulator in this process and a fake warehouse that takes inbound notices.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from marketdock.config import parse_config
from marketdock.connectors.otto.returns import ReturnDecision, Verdict
from marketdock.connectors.ports import Capability, Receipt
from marketdock.domain import KitComponent, Listing, ListingKind
from marketdock.engine import effects
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.errors import RemoteError
from marketdock.flows import inbound
from marketdock.flows.returns import (
    EFFECT,
    FLOW,
    RETURN_DECISION_REFUSED,
    RETURN_EXPECTED,
    RETURN_INCOMPLETE,
    ReturnsFlow,
    grade_receipt,
    receipt_reference,
)
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from tests.connectors.otto.harness import START, Sim, connector
from tests.flows.fakes import FakeMarketplace
from tests.flows.test_inbound import InboundWarehouse
from tests.flows.test_returns import CONFIG, Hub, Ports, sim_status


@pytest.fixture
def hub(db: Database) -> Iterator[Hub]:
    sim = Sim()
    otto, recorder = connector(sim)
    ports = Ports(otto, FakeMarketplace(), main=InboundWarehouse())
    registry = TaskRegistry()
    config = parse_config(CONFIG, {})
    returns = ReturnsFlow(config, ports)
    returns.register(registry)
    inbound.InboundFlow(config, ports, returns=returns.received).register(registry)
    worker = Worker(db, registry, clock=sim.hub_clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    yield Hub(db, sim, registry, worker, ports, recorder)
    sim.close()
    sim.check_contract()


def warehouse(hub: Hub) -> InboundWarehouse:
    assert isinstance(hub.ports.main, InboundWarehouse)
    return hub.ports.main


def list_boot(hub: Hub, *components: tuple[str, int]) -> None:
    """BOOT on otto-de: warehouse SKU W-BOOT, or a kit of ``components``."""
    with hub.db.begin() as conn:
        listing_store.upsert(conn, Listing(
            tenant_id="acme", channel_account_id="otto-de", channel_sku="BOOT",
            warehouse_sku=None if components else "W-BOOT",
            kind=ListingKind.KIT if components else ListingKind.SINGLE,
            components=tuple(KitComponent(warehouse_sku=s, quantity=q) for s, q in components)),
            hub.sim.hub_clock.now())


def announced(hub: Hub, *items: str) -> dict[str, str]:
    """Announce the return of ``items`` on OTTO, let the hub read them; item → reference."""
    hub.sim.seed(returns=[{"positionItemId": item} for item in items])
    hub.run(FLOW, {"channel": "otto-de"})
    sales_order_id = hub.sim.state.returns[items[0]].sales_order_id
    with hub.db.read() as conn:
        stored = order_store.find(conn, "acme", "otto", sales_order_id)
    assert stored is not None
    line_ids = [line.line_id for line in stored.order.lines]
    return {item: receipt_reference(stored.id, line_ids, item) for item in items}


def book(hub: Hub, reference: str, good: dict[str, int] | None = None,
         damaged: dict[str, int] | None = None, receipt_id: str = "") -> None:
    """The warehouse books the parcel in; the hub reads its receipts."""
    warehouse(hub).receipts.append(Receipt(
        inbound_reference=reference, received=good or {}, damaged=damaged or {},
        received_at=hub.sim.hub_clock.now(), receipt_id=receipt_id))
    hub.run(inbound.FLOW, {"warehouse": "main"})


def actions(hub: Hub, item: str) -> list[str]:
    return [e.action for e in hub.history("return", f"otto-de:{item}")]


def test_a_return_reaches_the_warehouse_as_an_expected_receipt_once(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    references = announced(hub, ids[0])
    hub.run(FLOW, {"channel": "otto-de"})

    reference = references[ids[0]]
    assert reference.startswith("RET-") and len(reference) <= 22
    assert list(warehouse(hub).notices) == [reference]
    notice = warehouse(hub).notices[reference]
    assert [(line.sku, line.quantity) for line in notice.lines] == [("W-BOOT", 1)]
    assert (notice.carrier, notice.tracking_number) == ("DHL", "RET-77")
    assert warehouse(hub).sends == 1
    assert hub.open(RETURN_EXPECTED) == []
    [event] = hub.history("return", f"otto-de:{ids[0]}")
    assert event.details["expected_receipt"] == reference


def test_each_returned_item_has_its_own_stable_reference(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    references = announced(hub, *ids)
    assert len(set(references.values())) == 3
    assert set(warehouse(hub).notices) == set(references.values())


def test_a_returned_kit_is_expected_as_its_components(hub: Hub) -> None:
    _, ids = hub.shipped(quantity=1)
    list_boot(hub, ("W-SOLE", 2), ("W-LACE", 1))
    reference = announced(hub, ids[0])[ids[0]]
    notice = warehouse(hub).notices[reference]
    assert [(line.sku, line.quantity) for line in notice.lines] == [("W-LACE", 1),
                                                                    ("W-SOLE", 2)]
    book(hub, reference, {"W-SOLE": 2, "W-LACE": 1})
    assert sim_status(hub, ids[0]) == "ACCEPTED"


def test_a_receipt_all_good_accepts_the_return_once(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, {"W-BOOT": 1})
    hub.run(inbound.FLOW, {"warehouse": "main"})

    accepted = hub.sim.state.returns[ids[0]]
    assert (accepted.status, accepted.reason, accepted.condition) == (
        "ACCEPTED", "RETURN_RECEIVED", "B")
    assert hub.posts("/v3/returns/acceptance") == 1
    assert actions(hub, ids[0]) == ["return:announced", "return:received", "return:accepted"]
    assert hub.open(inbound.INBOUND_DISCREPANCY) == []
    assert [e.action for e in hub.history("inbound", f"main:{reference}")] == [
        "inbound:sent", "inbound:received"]


def test_a_receipt_with_damaged_units_rejects_the_return(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, damaged={"W-BOOT": 1})

    rejected = hub.sim.state.returns[ids[0]]
    assert (rejected.status, rejected.reason, rejected.condition) == (
        "REJECTED", "ITEM_DAMAGED", "D")
    assert hub.posts("/v3/returns/rejection") == 1
    assert hub.open(inbound.INBOUND_DISCREPANCY) == []


def test_a_receipt_without_the_item_asks_an_operator(hub: Hub) -> None:
    _, ids = hub.shipped(quantity=1)
    list_boot(hub, ("W-SOLE", 2), ("W-LACE", 1))
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, {"W-SOLE": 2})  # the laces are not in the parcel

    assert sim_status(hub, ids[0]) == "ANNOUNCED"
    assert hub.posts("/v3/returns/acceptance") == hub.posts("/v3/returns/rejection") == 0
    [incomplete] = hub.open(RETURN_INCOMPLETE)
    assert incomplete.object_id == f"otto-de:{ids[0]}"
    assert f"expected receipt {reference}) without 1 x W-LACE" in incomplete.reason
    assert "ITEM_NOT_IN_THE_PARCEL" in incomplete.reason
    assert incomplete.details["missing"] == {"W-LACE": 1}

    hub.grade(ids[0], False, "E", "ITEM_NOT_IN_THE_PARCEL")
    assert sim_status(hub, ids[0]) == "REJECTED"
    assert hub.open(RETURN_INCOMPLETE) == []


def test_an_operator_grading_first_is_not_doubled_by_the_receipt(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    book(hub, reference, damaged={"W-BOOT": 1})

    assert sim_status(hub, ids[0]) == "ACCEPTED"
    assert hub.posts("/v3/returns/acceptance") == 1
    assert hub.posts("/v3/returns/rejection") == 0
    assert hub.open(RETURN_DECISION_REFUSED) == []
    assert actions(hub, ids[0]) == ["return:announced", "return:accepted", "return:received"]


def test_an_operator_grading_like_the_receipt_reaches_otto_once(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, damaged={"W-BOOT": 1})
    hub.grade(ids[0], False, "D", "ITEM_DAMAGED")
    assert hub.posts("/v3/returns/rejection") == 1
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", EFFECT, effects.DONE) == 1
    hub.grade(ids[0], True, "C", "RETURN_RECEIVED")  # the operator overrules it
    assert sim_status(hub, ids[0]) == "ACCEPTED"


def test_a_grading_otto_refuses_becomes_an_exception(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    hub.ports.otto.decide_returns([ReturnDecision(  # accepted in OTTO's portal meanwhile
        ids[0], hub.sim.state.returns[ids[0]].sales_order_id, Verdict.ACCEPT,
        reason="RETURN_RECEIVED")])
    book(hub, reference, damaged={"W-BOOT": 1})

    [refused] = hub.open(RETURN_DECISION_REFUSED)
    assert "refused to reject" in refused.reason and "already accepted" in refused.reason
    assert refused.details == {"condition": "D", "reason": "ITEM_DAMAGED"}
    assert sim_status(hub, ids[0]) == "ACCEPTED"


def test_a_receipt_reported_again_grades_once(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, {"W-BOOT": 1})
    warehouse(hub).receipts.append(warehouse(hub).receipts[0])  # the warehouse repeats it
    hub.run(inbound.FLOW, {"warehouse": "main"})
    assert actions(hub, ids[0]) == ["return:announced", "return:received", "return:accepted"]
    assert hub.posts("/v3/returns/acceptance") == 1


def test_other_receipts_are_still_compared_with_their_notice(hub: Hub) -> None:
    hub.run(inbound.SEND, {"warehouse": "main", "notice": {
        "reference": "ASN-1", "lines": [{"sku": "W-BOOT", "quantity": 5}]}})
    book(hub, "ASN-1", {"W-BOOT": 4})
    [opened] = hub.open(inbound.INBOUND_DISCREPANCY)
    assert opened.details["differences"] == {"W-BOOT": -1}


@dataclass
class NoticesOnly(InboundWarehouse):
    """Takes inbound notices and reports no receipts (a warehouse whose receipts are booked
    by hand)."""

    name = "notices-only"
    capabilities = frozenset({Capability.SEND_INBOUND})


def test_a_warehouse_without_receipts_gets_the_notice_and_an_operator_grades(
        hub: Hub) -> None:
    hub.ports.main = NoticesOnly()
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    assert list(warehouse(hub).notices) == [reference]
    [expected] = hub.open(RETURN_EXPECTED)
    assert f"announced as expected receipt {reference}" in expected.reason
    assert "marketdock returns decide" in expected.reason
    hub.grade(ids[0], True, "A", "RETURN_RECEIVED")
    assert hub.open(RETURN_EXPECTED) == []


def test_a_refused_expected_receipt_becomes_an_exception(hub: Hub) -> None:
    warehouse(hub).refuse_with = RemoteError("unknown inventory item W-BOOT", status=422)
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    [rejected] = hub.open(inbound.INBOUND_REJECTED)
    assert rejected.object_id == f"main:{reference}"
    assert "unknown inventory item W-BOOT" in rejected.reason
    assert sim_status(hub, ids[0]) == "ANNOUNCED"
    hub.run(FLOW, {"channel": "otto-de"})  # the next poll sees the return cannot wait
    [expected] = hub.open(RETURN_EXPECTED)
    assert f"did not take expected receipt {reference}" in expected.reason
    assert expected.details["refused"] is True


def test_a_receipt_that_never_comes_asks_an_operator(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    hub.sim.advance(20 * 86400)
    hub.run(FLOW, {"channel": "otto-de"})
    assert hub.open(RETURN_EXPECTED) == []  # still within the wait
    hub.sim.advance(2 * 86400)
    hub.run(FLOW, {"channel": "otto-de"})
    [expected] = hub.open(RETURN_EXPECTED)
    assert f"no receipt of expected receipt {reference} within 21 days" in expected.reason
    book(hub, reference, {"W-BOOT": 1})  # it came after all: graded, and the ask resolved
    assert sim_status(hub, ids[0]) == "ACCEPTED"
    assert hub.open(RETURN_EXPECTED) == []


def test_a_kit_returned_in_two_parcels_is_graded_when_the_second_comes(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub, ("W-LEFT", 1), ("W-RIGHT", 1))
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, {"W-LEFT": 1}, receipt_id="R1")
    assert [e.type for e in hub.open(RETURN_INCOMPLETE)] == [RETURN_INCOMPLETE]
    book(hub, reference, {"W-RIGHT": 1}, receipt_id="R2")
    assert sim_status(hub, ids[0]) == "ACCEPTED"
    assert hub.open(RETURN_INCOMPLETE) == []


def test_a_graded_return_leaves_the_watch(hub: Hub) -> None:
    _, ids = hub.shipped()
    list_boot(hub)
    reference = announced(hub, ids[0])[ids[0]]
    book(hub, reference, {"W-BOOT": 1})
    hub.sim.advance(30 * 86400)
    hub.run(FLOW, {"channel": "otto-de"})
    assert hub.open(RETURN_EXPECTED) == []


def test_without_a_listing_the_return_stays_an_exception(hub: Hub) -> None:
    _, ids = hub.shipped()
    hub.sim.seed(returns=[{"positionItemId": ids[0]}])
    hub.run(FLOW, {"channel": "otto-de"})
    assert warehouse(hub).notices == {}
    [expected] = hub.open(RETURN_EXPECTED)
    assert "1 x BOOT" in expected.reason


@pytest.mark.parametrize(("good", "damaged", "grading"), [
    ({"W": 1}, {}, (True, "B", "RETURN_RECEIVED", {}, {})),
    ({"W": 2, "X": 1}, {}, (True, "B", "RETURN_RECEIVED", {}, {})),
    ({}, {"W": 1}, (False, "D", "ITEM_DAMAGED", {}, {"W": 1})),
    ({"W": 1}, {"W": 1}, (True, "B", "RETURN_RECEIVED", {}, {})),
    ({}, {}, (None, None, None, {"W": 1}, {})),
    ({"X": 1}, {}, (None, None, None, {"W": 1}, {})),
])
def test_grading_by_receipt(good: dict[str, int], damaged: dict[str, int],
                            grading: tuple[object, ...]) -> None:
    receipt = Receipt(inbound_reference="RET-1-1", received=good, damaged=damaged,
                      received_at=START)
    graded = grade_receipt({"W": 1}, receipt)
    assert (graded.accepted, graded.condition, graded.reason, dict(graded.missing),
            dict(graded.damaged)) == grading
