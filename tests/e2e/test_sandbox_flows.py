"""The hub end to end against the simulators: OTTO and Amazon, with each kind of warehouse.

Every test runs unchanged against the REST 3PL, the X12, EDIFACT and CSV warehouses (the
file warehouses over a real SFTP drop on loopback). What is checked is what the simulated
marketplaces and warehouse show, not the hub's own bookkeeping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketdock.demo.report import Outcome
from marketdock.demo.run import Demo, DemoOptions
from marketdock.demo.seeding import AMAZON_ACCOUNT, OTTO_ACCOUNT, TENANT, warehouse_sku
from marketdock.demo.world import AMAZON_URL, OTTO_URL
from marketdock.domain import OrderStatus
from marketdock.engine.schema import jobs, listings
from marketdock.flows.orders import REEVALUATE
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.sandbox.scenarios import Product, ScenarioAddress, ScenarioLine, ScenarioOrder
from marketdock.sandbox.warehouse.model import OrderStatus as FloorStatus

WAREHOUSES = ["rest", "x12", "edifact", "csv"]
BERLIN = ScenarioAddress(name="Jörg Weiß", street1="Straße des 17. Juni 135",
                         postcode="10623", city="Berlin", country="DE")
LONDON = ScenarioAddress(name="Siân O'Brien", street1="High Street 5", postcode="SW1A 1AA",
                         city="London", country="GB")


def make_demo(tmp_path: Path, warehouse: str, **options: float) -> Demo:
    return Demo(DemoOptions(directory=tmp_path / warehouse, orders=0,
                            warehouse=warehouse,  # type: ignore[arg-type]
                            max_hours=12, **{"short_pick_rate": 0.0,
                                             "split_probability": 0.0, **options}))


@pytest.fixture(params=WAREHOUSES)
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Demo]:
    run = make_demo(tmp_path, request.param)
    yield run
    run.close()


class Orders:
    """Orders written by hand, numbered per test."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.count = 0

    def line(self, product: Product, quantity: int) -> ScenarioLine:
        self.count += 1
        return ScenarioLine(sku=product.sku, ean=product.ean, title=product.title,
                            quantity=quantity, unit_price_cents=1999,
                            item_ids=tuple(f"i{self.count}-{n}" for n in range(quantity)))

    def otto(self, *lines: tuple[Product, int]) -> ScenarioOrder:
        self.count += 1
        order = ScenarioOrder(
            channel="otto", order_id=f"00000000-0000-4000-8000-{self.count:012d}",
            order_number=f"ab{self.count:08d}", marketplace="otto.de", ordered_at=self.now(),
            currency="EUR", ship_to=BERLIN, lines=tuple(self.line(p, q) for p, q in lines),
            shipping_method="Standard")
        self.demo.place(order)
        return order

    def amazon(self, *lines: tuple[Product, int],
               ship_to: ScenarioAddress = BERLIN) -> ScenarioOrder:
        self.count += 1
        order = ScenarioOrder(
            channel="amazon", order_id=f"302-{self.count:07d}-{self.count:07d}",
            order_number=f"302-{self.count:07d}-{self.count:07d}",
            marketplace="amazon.co.uk" if ship_to.country == "GB" else "amazon.de",
            ordered_at=self.now(), currency="EUR", ship_to=ship_to,
            lines=tuple(self.line(p, q) for p, q in lines), shipping_method="Standard")
        self.demo.place(order)
        return order

    def now(self) -> datetime:
        return self.demo.world.clock.now()


MARKETS = ["otto", "amazon"]
ACCOUNT = {"otto": OTTO_ACCOUNT, "amazon": AMAZON_ACCOUNT}


def place(demo: Demo, market: str, *lines: tuple[Product, int]) -> ScenarioOrder:
    orders = Orders(demo)
    return orders.otto(*lines) if market == "otto" else orders.amazon(*lines)


def plain(demo: Demo, n: int = 0) -> Product:
    return [p for p in demo.catalogue.products if not p.is_bundle][n]


def settle(demo: Demo) -> Outcome:
    outcome = demo.run(until_settled=True)
    assert outcome.settled, json.dumps(demo.report(outcome))
    return outcome


def shown(demo: Demo, market: str) -> dict[str, int]:
    """What the marketplace shows per SKU."""
    if market == "amazon":
        return {listing.sku: listing.quantity
                for listing in demo.world.amazon_state.listings.values()}
    with demo.world.otto_state.lock:
        return {sku: q.quantity for (_, sku), q in demo.world.otto_state.quantities.items()}


def hub_status(demo: Demo, account: str, order_id: str) -> OrderStatus | None:
    with demo.db.read() as conn:
        stored = order_store.find(conn, TENANT, "otto" if account == OTTO_ACCOUNT else "amazon",
                                  order_id)
    return None if stored is None else stored.status


def otto_items(demo: Demo, order: ScenarioOrder) -> list[str]:
    with demo.world.otto_state.lock:
        return sorted(i.status for i in demo.world.otto_state.orders[order.order_id].items)


def test_orders_go_out_once_and_every_package_comes_back(tmp_path: Path) -> None:
    """Kits and multi-unit orders, split into parcels: each marketplace is told exactly
    what shipped, once per parcel."""
    for warehouse in WAREHOUSES:
        demo = make_demo(tmp_path, warehouse, split_probability=1.0)
        try:
            orders = Orders(demo)
            kit = demo.catalogue.bundles()[0]
            otto = orders.otto((plain(demo), 3), (kit, 1))
            amazon = orders.amazon((plain(demo, 1), 2), (kit, 1))
            outcome = settle(demo)
            assert outcome.orders_at_warehouse == {"otto": 1, "amazon": 1}
            assert outcome.warehouse_duplicates == outcome.marketplace_duplicates == 0
            assert outcome.packages_shipped["otto"] >= 2  # split into parcels
            assert outcome.packages_confirmed == outcome.packages_shipped
            assert set(otto_items(demo, otto)) == {"SENT"}
            shipped = demo.world.amazon_state.orders[amazon.order_id]
            assert shipped.status == "Shipped"
            assert {i.sku: sum(p.items.get(i.order_item_id, 0) for p in shipped.packages)
                    for i in shipped.items} == {plain(demo, 1).sku: 2, kit.sku: 1}
            assert outcome.open_exceptions == {}
        finally:
            demo.close()


@pytest.mark.parametrize("market", MARKETS)
def test_unmapped_sku_holds_until_the_mapping_exists(demo: Demo, market: str) -> None:
    product, account = plain(demo, 2), ACCOUNT[market]
    with demo.db.begin() as conn:
        kept = listing_store.get(conn, TENANT, account, product.sku)
        conn.execute(listings.delete().where(listings.c.tenant_id == TENANT,
                                             listings.c.account_id == account,
                                             listings.c.channel_sku == product.sku))
    order = place(demo, market, (product, 1))
    for _ in range(20):
        demo.step()
    assert hub_status(demo, account, order.order_id) is OrderStatus.HELD
    assert demo.outcome().open_exceptions == {"unmapped_sku": 1}
    assert kept is not None
    with demo.db.begin() as conn:
        listing_store.upsert(conn, kept, demo.world.clock.now())
        demo.hub.registry.defer(conn, demo.world.clock.now(), REEVALUATE, TENANT)
    outcome = settle(demo)
    one = {m: int(m == market) for m in MARKETS}
    assert outcome.orders_at_warehouse == one and outcome.packages_confirmed == one
    assert outcome.open_exceptions == {}


def test_an_address_the_warehouse_cannot_serve_is_held_with_the_reason(demo: Demo) -> None:
    paris = ScenarioAddress(name="Zoë Dupont", street1="Rue de Rivoli 10", postcode="75001",
                            city="Paris", country="FR")
    orders = Orders(demo)
    held = orders.amazon((plain(demo), 1), ship_to=paris)
    fine = orders.amazon((plain(demo), 1), ship_to=LONDON)
    outcome = settle(demo)
    assert hub_status(demo, AMAZON_ACCOUNT, held.order_id) is OrderStatus.HELD
    assert hub_status(demo, AMAZON_ACCOUNT, fine.order_id) is OrderStatus.SHIPPED
    assert outcome.open_exceptions == {"address_invalid": 1}
    assert outcome.orders_held == {"otto": 0, "amazon": 1}


@pytest.mark.parametrize("market", MARKETS)
def test_short_pick_cancels_and_pushes_stock_at_once(tmp_path: Path, market: str) -> None:
    """OTTO cancels the missing units by API; Amazon has none, so an exception says to
    cancel them by hand. Either way the SKU's stock-out is pushed at once."""
    for warehouse in WAREHOUSES:
        demo = make_demo(tmp_path / market, warehouse, short_pick_rate=1.0)
        try:
            product = plain(demo, 3)
            order = place(demo, market, (product, 2))
            outcome = settle(demo)
            if market == "otto":
                assert "CANCELLED_BY_PARTNER" in otto_items(demo, order)
                assert outcome.open_exceptions == {}
            else:
                assert outcome.open_exceptions == {"cancel_by_hand": 1}
            sku = warehouse_sku(product.sku)
            with demo.db.read() as conn:
                pushes = [row.payload for row in conn.execute(
                    sa.select(jobs.c.payload).where(jobs.c.task == "stock.publish"))]
            assert any(sku in (p.get("warehouse_skus") or ()) for p in pushes), pushes
            assert shown(demo, market)[product.sku] == demo.world.floor.stock(sku).available
            assert outcome.listings_in_drift == 0
        finally:
            demo.close()


@pytest.mark.parametrize("market", MARKETS)
def test_marketplace_cancellation_reaches_the_warehouse(demo: Demo, market: str) -> None:
    order = place(demo, market, (plain(demo, 4), 1))
    while not demo.world.floor.orders():
        demo.step()
    if market == "otto":
        response = demo.world.http(OTTO_URL).post(
            f"/_admin/orders/{order.order_id}/marketplace-cancellation", json={})
        assert response.status_code == 200 and response.json()["cancelled"]
    else:
        response = demo.world.http(AMAZON_URL).post(f"/_admin/orders/{order.order_id}/cancel")
        assert response.status_code == 200 and response.json()["OrderStatus"] == "Canceled"
    for _ in range(6):
        demo.step()
    (at_warehouse,) = demo.world.floor.orders()
    assert at_warehouse.status is FloorStatus.CANCELLED
    assert demo.outcome().open_exceptions == {}
    assert hub_status(demo, ACCOUNT[market], order.order_id) is OrderStatus.CANCELLED


@pytest.mark.parametrize("market", MARKETS)
def test_a_cancellation_that_comes_too_late_is_an_exception(demo: Demo, market: str) -> None:
    """The warehouse had packed the parcel when the cancellation reached it: the parcel
    is never confirmed, and an operator hears of it."""
    order = place(demo, market, (plain(demo, 4), 1))
    while not demo.world.floor.orders():
        demo.step()
    for _ in range(100):  # the hub does not run meanwhile
        if demo.world.floor.orders()[0].status is FloorStatus.PACKED:
            break
        demo.world.floor.advance(60)
    if market == "otto":
        demo.world.http(OTTO_URL).post(
            f"/_admin/orders/{order.order_id}/marketplace-cancellation", json={})
    else:
        demo.world.http(AMAZON_URL).post(f"/_admin/orders/{order.order_id}/cancel")
    for _ in range(12):
        demo.step()
    (at_warehouse,) = demo.world.floor.orders()
    assert at_warehouse.status is FloorStatus.SHIPPED
    outcome = demo.outcome()
    assert outcome.open_exceptions == {"cancelled_after_shipping": 1}
    assert outcome.packages_confirmed == {"otto": 0, "amazon": 0}


@pytest.mark.parametrize("market", MARKETS)
def test_drift_on_the_marketplace_is_found_and_healed(demo: Demo, market: str) -> None:
    place(demo, market, (plain(demo, 5), 1))
    settle(demo)
    product = plain(demo, 6)
    published = shown(demo, market)[product.sku]
    set_by_hand(demo, market, product.sku, published + 50)
    assert demo.outcome().listings_in_drift == 1
    for _ in range(40):  # the hourly read-back
        demo.step()
    assert shown(demo, market)[product.sku] == published
    assert demo.outcome().listings_in_drift == 0


def set_by_hand(demo: Demo, market: str, sku: str, quantity: int) -> None:
    """Someone changes a quantity in the seller portal."""
    if market == "amazon":
        next(listing for listing in demo.world.amazon_state.listings.values()
             if listing.sku == sku).quantity = quantity
        return
    with demo.world.otto_state.lock:
        key = next(k for k in demo.world.otto_state.quantities if k[1] == sku)
        demo.world.otto_state.quantities[key].quantity = quantity
