"""Order routing and shipment confirmation, run by a real worker against fake ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from marketdock.config import Config, parse_config
from marketdock.connectors.ports import ShippedPackage, ShortPick
from marketdock.domain import (
    Address,
    CarrierMapping,
    ChannelKind,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.engine import effects
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.retry import RetryPolicy
from marketdock.engine.schema import orders as orders_table
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import Worker
from marketdock.flows.orders import FLOW as ORDERS
from marketdock.flows.orders import REEVALUATE, OrderFlow
from marketdock.flows.shipments import FLOW as SHIPMENTS
from marketdock.flows.shipments import RECONFIRM_UNMAPPED, ShipmentFlow
from marketdock.flows.store import carriers, listings
from marketdock.flows.store import orders as order_store
from marketdock.monitor import exceptions
from tests.configs import AMAZON_CHANNEL, TENANT, warehouse
from tests.flows.fakes import FakeMarketplace, FakePorts, FakeWarehouse, drain, listing

CONFIG = TENANT + AMAZON_CHANNEL + warehouse(extra='ships_to = ["DE", "AT"]')

BERLIN = Address(name="Jörg Müller-Lüdenscheidt", street="Straße des 17. Juni", house_number="135",
                 postal_code="10623", city="Berlin", country_code="DE")


def line(line_id: str, sku: str, quantity: int = 1, **changes: Any) -> OrderLine:
    return OrderLine(**{"line_id": line_id, "sku": sku, "quantity": quantity,
                        "status": LineStatus.RELEASABLE, **changes})


def order(number: str, *lines: OrderLine, **changes: Any) -> Order:
    fields: dict[str, Any] = {
        "tenant_id": "acme", "channel_account_id": "amazon-eu", "channel": ChannelKind.AMAZON,
        "marketplace_id": "A1PA6795UKMFR9", "marketplace_order_id": number,
        "status": OrderStatus.RELEASABLE, "marketplace_status": "Unshipped",
        "ordered_at": datetime(2026, 1, 5, 8, tzinfo=UTC),
        "ship_by": datetime(2026, 1, 6, 23, tzinfo=UTC), "shipping_address": BERLIN,
        "lines": lines or (line("i1", "MUG", 2),)}
    return Order(**{**fields, **changes})


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
        self.drain()

    def drain(self) -> None:
        drain(self.db, self.worker, self.clock.now, self.clock.advance)

    def listing(self, sku: str, *components: tuple[str, int]) -> None:
        with self.db.begin() as conn:
            listings.upsert(conn, listing(sku, *components), self.clock.now())

    def status(self, number: str) -> OrderStatus:
        with self.db.read() as conn:
            stored = order_store.find(conn, "acme", "amazon", number)
        assert stored is not None
        return stored.status

    def open_exceptions(self) -> dict[str, int]:
        with self.db.read() as conn:
            return exceptions.open_counts(conn)


@pytest.fixture
def hub(db: Database, request: pytest.FixtureRequest) -> Iterator[Hub]:
    config: Config = parse_config(getattr(request, "param", CONFIG), {})
    ports = FakePorts()
    clock = FrozenClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    registry = TaskRegistry()
    OrderFlow(config, ports).register(registry)
    ShipmentFlow(config, ports).register(registry)
    worker = Worker(db, registry, clock=clock, poll_interval=0.01,
                    policy=RetryPolicy(base=timedelta(seconds=1), jitter=0))
    market = ports.marketplace("acme", "amazon-eu")
    warehouse = ports.warehouse("acme", "main")
    assert isinstance(market, FakeMarketplace) and isinstance(warehouse, FakeWarehouse)
    with db.begin() as conn:
        carriers.save(conn, CarrierMapping(tenant_id="acme", channel=ChannelKind.AMAZON,
                                           warehouse_carrier="DHL", marketplace_code="DHL"),
                      clock.now())
    yield Hub(db, clock, registry, worker, market, warehouse)


def test_a_releasable_order_reaches_the_warehouse_exactly_once(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-1"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.run(ORDERS, {"channel": "amazon-eu"})  # the next poll sees the same order again
    assert hub.status("A-1") is OrderStatus.RELEASED
    (sent,) = hub.warehouse.received.values()
    assert [(ln.line_ref, ln.sku, ln.quantity) for ln in sent.lines] == [("i1", "W-MUG", 2)]
    assert hub.warehouse.sends == 1
    with hub.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders_table)).scalar() == 1


def test_pending_orders_wait_then_release(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-2", status=OrderStatus.PENDING, marketplace_status="Pending",
                         lines=(line("i1", "MUG", 1, status=LineStatus.PENDING),)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-2") is OrderStatus.PENDING and not hub.warehouse.received
    hub.market.put(order("A-2"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-2") is OrderStatus.RELEASED


def test_unmapped_sku_holds_until_the_listing_exists(hub: Hub) -> None:
    hub.market.put(order("A-3", line("i1", "NEW-SKU")))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-3") is OrderStatus.HELD
    assert hub.open_exceptions() == {"unmapped_sku": 1}
    hub.listing("NEW-SKU")
    hub.run(REEVALUATE)
    assert hub.status("A-3") is OrderStatus.RELEASED
    assert hub.open_exceptions() == {}


@pytest.mark.parametrize(("address", "reason"), [
    (BERLIN.evolve(street=None), "missing street"),
    (BERLIN.evolve(country_code="FR"), "does not ship to FR"),
    (BERLIN.evolve(city="Hohenwarsleben-Nordgermersleben-Ortsteil"), "city has 40 characters"),
])
def test_address_problems_hold_with_what_to_fix(hub: Hub, address: Address, reason: str) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-4", shipping_address=address))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-4") is OrderStatus.HELD
    with hub.db.read() as conn:
        (held,) = exceptions.list_open(conn, "acme")
    assert held.type == "address_invalid" and reason in held.reason


def test_kit_goes_out_as_components_and_ships_as_whole_kits(hub: Hub) -> None:
    hub.listing("GIFTSET", ("W-MUG", 2), ("W-TEA", 1))
    hub.market.put(order("A-5", line("i1", "GIFTSET", 2)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    (sent,) = hub.warehouse.received.values()
    assert sorted((ln.line_ref, ln.sku, ln.quantity) for ln in sent.lines) == [
        ("i1/W-MUG", "W-MUG", 4), ("i1/W-TEA", "W-TEA", 2)]
    hub.warehouse.packages.append(ShippedPackage(
        order_reference=sent.reference, package_ref="P1", carrier="DHL", service=None,
        tracking_number="00340434161094042557", line_quantities={"i1/W-MUG": 2, "i1/W-TEA": 1},
        shipped_at=hub.clock.now()))
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.status("A-5") is OrderStatus.PARTIALLY_SHIPPED
    (confirmed,) = hub.market.confirmed["A-5"]
    assert confirmed.line_quantities == {"i1": 1}


def test_parts_of_a_cancelled_kit_unit_are_an_exception_not_a_confirmation(hub: Hub) -> None:
    hub.listing("GIFTSET", ("W-MUG", 2), ("W-TEA", 1))
    hub.market.put(order("A-6", line("i1", "GIFTSET", 1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.warehouse.short_picks.append(ShortPick(order_reference="MD-1", line_ref="i1/W-TEA",
                                               sku="W-TEA", missing=1))
    ship(hub, "MD-1", "P1", {"i1/W-MUG": 2})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert "A-6" not in hub.market.confirmed
    assert hub.open_exceptions() == {"partial_kit_shipped": 1}
    assert hub.market.cancelled == [("A-6", {"i1": 1})]


def test_ambiguous_warehouse_failure_reads_back_instead_of_sending_twice(hub: Hub) -> None:
    hub.listing("MUG")
    hub.warehouse.timeout_after_next_send = True
    hub.market.put(order("A-6"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-6") is OrderStatus.RELEASED
    assert hub.warehouse.sends == 1 and len(hub.warehouse.received) == 1


def test_marketplace_cancellation_reaches_the_warehouse(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-7"), order("A-8"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.warehouse.shipped.add("MD-2")  # A-8 left the warehouse before the cancellation
    hub.market.put(order("A-7", status=OrderStatus.CANCELLED, marketplace_status="Canceled"),
                   order("A-8", status=OrderStatus.CANCELLED, marketplace_status="Canceled"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-7") is OrderStatus.CANCELLED
    assert hub.warehouse.cancelled == ["MD-1"]
    assert hub.open_exceptions() == {"cancelled_after_shipping": 1}


def test_a_warehouse_without_cancellations_gets_an_exception_to_cancel_by_hand(
        hub: Hub) -> None:
    hub.listing("MUG")
    hub.warehouse.takes_cancellations = False
    hub.market.put(order("A-7"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.market.put(order("A-7", status=OrderStatus.CANCELLED, marketplace_status="Canceled"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    assert hub.status("A-7") is OrderStatus.CANCELLED and hub.warehouse.cancelled == []
    assert hub.open_exceptions() == {"cancel_at_warehouse_by_hand": 1}


def test_a_parcel_that_left_after_the_cancellation_is_never_confirmed(hub: Hub) -> None:
    """The cancellation reached the warehouse too late (a file warehouse answers later):
    the parcel it still reports opens the order's exception, and nothing is confirmed."""
    hub.listing("MUG")
    hub.market.put(order("A-8", line("i1", "MUG", 1), line("i2", "MUG", 1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.market.put(order("A-8", line("i1", "MUG", 1, status=LineStatus.CANCELLED,
                                     quantity_cancelled=1), line("i2", "MUG", 1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 1})
    ship(hub, "MD-1", "P2", {"i2": 1})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    [confirmed] = hub.market.confirmed["A-8"]
    assert dict(confirmed.line_quantities) == {"i2": 1}
    assert hub.open_exceptions() == {"cancelled_after_shipping": 1}
    with hub.db.begin() as conn:  # the operator stopped the parcel
        exceptions.resolve(conn, tenant_id="acme", object_type="order", object_id="1",
                           now=hub.clock.now())
    hub.run(SHIPMENTS, {"warehouse": "main"})  # the warehouse reports both again
    assert hub.open_exceptions() == {} and len(hub.market.confirmed["A-8"]) == 1


def test_units_beyond_a_partly_cancelled_line_are_not_confirmed(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-12", line("i1", "MUG", 3)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.market.put(order("A-12", line("i1", "MUG", 3, quantity_cancelled=1)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 3})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    [confirmed] = hub.market.confirmed["A-12"]
    assert dict(confirmed.line_quantities) == {"i1": 2}
    [opened] = _open(hub, "cancelled_after_shipping")
    assert "1 unit(s) of line i1" in opened.reason


def test_units_the_marketplace_counts_shipped_already_are_not_confirmed_again(
        hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-13", line("i1", "MUG", 2)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 2})
    ship(hub, "MD-1", "P2", {"i1": 1})  # a parcel more than the order holds
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert len(hub.market.confirmed["A-13"]) == 1
    [opened] = _open(hub, "package_units_not_open")
    assert opened.object_id == "main:P2"


def _open(hub: Hub, kind: str) -> list[exceptions.ExceptionRecord]:
    with hub.db.read() as conn:
        return exceptions.list_open(conn, "acme", kind)


def ship(hub: Hub, reference: str, package_ref: str, units: dict[str, int],
         carrier: str = "DHL") -> None:
    hub.warehouse.packages.append(ShippedPackage(
        order_reference=reference, package_ref=package_ref, carrier=carrier, service=None,
        tracking_number=f"TRK-{package_ref}", line_quantities=units, shipped_at=hub.clock.now()))


def test_split_shipment_is_confirmed_per_package_exactly_once(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-9", line("i1", "MUG", 3)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 1})
    hub.market.timeout_after_next_confirm = True
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.status("A-9") is OrderStatus.PARTIALLY_SHIPPED
    ship(hub, "MD-1", "P2", {"i1": 2})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.status("A-9") is OrderStatus.SHIPPED
    assert [(p.package_ref, dict(p.line_quantities)) for p in hub.market.confirmed["A-9"]] == [
        ("P1", {"i1": 1}), ("P2", {"i1": 2})]
    assert hub.market.confirm_calls == 2  # the timed-out one was read back, not resent
    with hub.db.read() as conn:
        assert effects.count(conn, "acme", "marketplace_package", effects.DONE) == 2


def test_unmapped_carrier_waits_for_its_mapping(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-10"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 2}, carrier="Pigeon Post")
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.open_exceptions() == {"carrier_unmapped": 1} and "A-10" not in hub.market.confirmed
    with hub.db.begin() as conn:
        carriers.save(conn, CarrierMapping(
            tenant_id="acme", channel=ChannelKind.AMAZON, warehouse_carrier="pigeon post",
            marketplace_code="Other", carrier_name="Pigeon Post"), hub.clock.now())
    hub.run(RECONFIRM_UNMAPPED)
    assert hub.open_exceptions() == {}
    assert hub.market.confirmed["A-10"][0].carrier_code == "Other"


@pytest.mark.parametrize("hub", [CONFIG.replace(
    'marketplace_ids = ["A1PA6795UKMFR9"]',
    'marketplace_ids = ["A1PA6795UKMFR9"]\noptions = { unmapped_carrier = "other" }')],
    indirect=True)
def test_an_amazon_channel_may_send_unmapped_carriers_as_other(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-12"))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    ship(hub, "MD-1", "P1", {"i1": 2}, carrier="Spedition Nord")
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.open_exceptions() == {}
    (sent,) = hub.market.confirmed["A-12"]
    assert sent.carrier_code == "Other"


def test_short_pick_cancels_the_missing_units_once(hub: Hub) -> None:
    hub.listing("MUG")
    hub.market.put(order("A-11", line("i1", "MUG", 3)))
    hub.run(ORDERS, {"channel": "amazon-eu"})
    hub.warehouse.short_picks.append(ShortPick(order_reference="MD-1", line_ref="i1",
                                               sku="W-MUG", missing=1))
    ship(hub, "MD-1", "P1", {"i1": 2})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    hub.run(SHIPMENTS, {"warehouse": "main"})  # reported again: handled once
    assert hub.market.cancelled == [("A-11", {"i1": 1})]
    assert hub.status("A-11") is OrderStatus.SHIPPED


def test_package_for_an_order_the_hub_never_sent_is_an_exception(hub: Hub) -> None:
    ship(hub, "SOMEONE-ELSE-7", "P9", {"x": 1})
    hub.run(SHIPMENTS, {"warehouse": "main"})
    assert hub.open_exceptions() == {"unknown_warehouse_order": 1}
