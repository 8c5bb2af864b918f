"""OTTO returns end to end: announced on OTTO, expected at the warehouse, graded by its
receipt, against the REST 3PL and the X12, EDIFACT and CSV warehouses.

What is checked is what the simulators show: the warehouse floor's expected receipts and
OTTO's return statuses, reasons and conditions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from marketdock.demo.run import Demo
from marketdock.demo.seeding import OTTO_ACCOUNT, TENANT, warehouse_sku
from marketdock.demo.world import OTTO_URL
from marketdock.flows.returns import receipt_reference
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.sandbox.otto.model import ReturnItem
from marketdock.sandbox.scenarios import ScenarioOrder
from marketdock.sandbox.warehouse.model import Inbound
from tests.e2e.test_sandbox_flows import Orders, make_demo, plain, settle


@pytest.fixture(params=["rest", "x12", "edifact", "csv"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Demo]:
    run = make_demo(tmp_path, request.param)
    yield run
    run.close()


def position_items(demo: Demo, order: ScenarioOrder) -> dict[str, str]:
    """OTTO's position item id → SKU, for the items of ``order``."""
    with demo.world.otto_state.lock:
        return {i.position_item_id: i.sku
                for i in demo.world.otto_state.orders[order.order_id].items}


def announce(demo: Demo, items: list[str]) -> None:
    """The customer announces the return of ``items`` on OTTO."""
    response = demo.world.http(OTTO_URL).post(
        "/_admin/seed", json={"returns": [{"positionItemId": item} for item in items]})
    assert response.status_code == 201, response.text


def expected_receipts(demo: Demo) -> dict[str, Inbound]:
    """The floor's inbound notices by the hub's reference (the REST 3PL numbers its
    receiving orders itself and keeps the hub's as the purchase order number)."""
    return {inbound.po_number or inbound.reference: inbound
            for inbound in demo.world.floor.inbounds()}


def otto_returns(demo: Demo, items: list[str]) -> dict[str, ReturnItem]:
    with demo.world.otto_state.lock:
        return {item: demo.world.otto_state.returns[item] for item in items}


def step_until(demo: Demo, done: object, what: str, steps: int = 60) -> None:
    assert callable(done)
    for _ in range(steps):
        if done():
            return
        demo.step()
    raise AssertionError(f"{what} did not happen in {steps} steps")


def test_returns_are_expected_at_the_warehouse_and_graded_by_its_receipt(demo: Demo) -> None:
    product, kit = plain(demo), demo.catalogue.bundles()[0]
    order = Orders(demo).otto((product, 2), (kit, 1))
    settle(demo)
    items = position_items(demo, order)
    assert len(items) == 3
    announce(demo, list(items))

    with demo.db.read() as conn:
        stored = order_store.find(conn, TENANT, "otto", order.order_id)
        kit_listing = listing_store.get(conn, TENANT, OTTO_ACCOUNT, kit.sku)
    assert stored is not None and kit_listing is not None
    references = {item: receipt_reference(stored.id, list(items), item) for item in items}
    step_until(demo, lambda: set(references.values()) <= set(expected_receipts(demo)),
               "the expected receipts reaching the warehouse")

    at_floor = expected_receipts(demo)
    good, damaged, kit_item = sorted(items, key=lambda i: (items[i] == kit.sku, i))
    for item in (good, damaged):
        assert dict(at_floor[references[item]].expected) == {warehouse_sku(product.sku): 1}
    assert dict(at_floor[references[kit_item]].expected) == kit_listing.warehouse_units(1)
    assert len(demo.world.floor.inbounds()) == 3
    assert {r.status for r in otto_returns(demo, list(items)).values()} == {"ANNOUNCED"}

    floor = demo.world.floor
    floor.receive_inbound(at_floor[references[good]].reference)
    floor.receive_inbound(at_floor[references[damaged]].reference, {},
                          damaged={warehouse_sku(product.sku): 1})
    floor.receive_inbound(at_floor[references[kit_item]].reference)
    step_until(demo, lambda: "ANNOUNCED" not in {
        r.status for r in otto_returns(demo, list(items)).values()}, "the gradings")
    for _ in range(10):  # later polls change nothing
        demo.step()

    graded = {item: (r.status, r.reason, r.condition)
              for item, r in otto_returns(demo, list(items)).items()}
    assert graded == {good: ("ACCEPTED", "RETURN_RECEIVED", "B"),
                      damaged: ("REJECTED", "ITEM_DAMAGED", "D"),
                      kit_item: ("ACCEPTED", "RETURN_RECEIVED", "B")}
    with demo.world.otto_state.lock:
        refunds = [r for r in demo.world.otto_state.receipts.values()
                   if r.sales_order_id == order.order_id and r.receipt_type == "REFUND"]
    assert len(refunds) == 2  # one per accepted item, none twice
    assert len(demo.world.floor.inbounds()) == 3
    assert demo.outcome().open_exceptions == {}
