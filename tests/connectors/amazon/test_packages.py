"""confirm_package and its read-back against the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketdock.connectors.amazon.package_mapping import (
    confirm_shipment_body,
    package_reference_id,
)
from marketdock.connectors.ports import CarrierChoice
from marketdock.domain import Order, OrderStatus, Package
from marketdock.errors import RemoteError, RemoteTimeout, ValidationError
from tests.connectors.amazon import contract
from tests.connectors.amazon.conftest import START, Sandbox

DHL = CarrierChoice(code="DHL", service="DHL Paket")
LOCAL = CarrierChoice(code="Other", name="Kurier Nord")


def _order(sandbox: Sandbox, *items: tuple[str, int]) -> Order:
    sandbox.seed(orders=[{"items": [{"sku": sku, "quantity": qty, "orderItemId": f"{i + 1}0001"}
                                    for i, (sku, qty) in enumerate(items)]}])
    sandbox.advance(300)
    [order] = sandbox.connector().fetch_orders(START - timedelta(hours=1)).orders
    return order


def _package(order: Order, ref: str, tracking: str | None, **lines: int) -> Package:
    return Package.create(
        tenant_id="acme", warehouse_id="main", package_ref=ref, channel_account_id="amazon-eu",
        marketplace_order_id=order.marketplace_order_id, carrier="dhl", tracking_number=tracking,
        lines=[{"line_id": line_id, "quantity": qty} for line_id, qty in lines.items()],
        shipped_at=START + timedelta(hours=2))


def _status(sandbox: Sandbox, order: Order) -> str:
    return sandbox.state.orders[order.marketplace_order_id].status


def test_split_shipment_partially_then_fully_shipped(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    order = _order(sandbox, ("MUG", 3), ("CUP", 1))
    first = _package(order, "PKG-1", "00340434161094042557", **{"10001": 2})
    reference = connector.confirm_package(order, first, DHL)
    assert reference == package_reference_id(first)
    assert _status(sandbox, order) == "PartiallyShipped"
    second = _package(order, "PKG-2", "00340434161094042558", **{"10001": 1, "20001": 1})
    assert connector.confirm_package(order, second, LOCAL) != reference
    assert _status(sandbox, order) == "Shipped"

    remote = {p.package_ref: p for p in connector.confirmed_packages(order)}
    assert set(remote) == {reference, package_reference_id(second)}
    assert remote[reference].line_quantities == {"10001": 2}
    assert remote[reference].carrier_code == "DHL"
    assert remote[package_reference_id(second)].carrier_code == "Kurier Nord"
    stored = sandbox.state.orders[order.marketplace_order_id].packages[1]
    assert (stored.carrier_code, stored.carrier_name) == ("Other", "Kurier Nord")

    sandbox.advance(300)
    [shipped] = connector.fetch_orders(START).orders
    assert shipped.status is OrderStatus.SHIPPED
    assert [line.quantity_shipped for line in shipped.lines] == [3, 1]


def test_timeout_after_amazon_acted_is_recovered_by_read_back(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    order = _order(sandbox, ("MUG", 2))
    package = _package(order, "PKG-9", "TRACK-9", **{"10001": 2})
    sandbox.faults.set("timeout_after", count=1, path="/orders/v0/orders")
    with pytest.raises(RemoteTimeout):
        connector.confirm_package(order, package, DHL)
    [remote] = connector.confirmed_packages(order)
    assert (remote.package_ref, remote.tracking_number) == (package_reference_id(package),
                                                            "TRACK-9")
    # sending it again edits the same package instead of shipping the units twice
    assert connector.confirm_package(order, package, DHL) == remote.package_ref
    assert len(sandbox.state.orders[order.marketplace_order_id].packages) == 1


def test_package_reference_is_a_stable_positive_number() -> None:
    order_id = "302-1234567-1234567"
    refs = set()
    for number in range(200):
        package = Package.create(
            tenant_id="acme", warehouse_id="main", package_ref=f"P{number}",
            channel_account_id="amazon-eu", marketplace_order_id=order_id, carrier="dhl",
            tracking_number="T", lines=[{"line_id": "1", "quantity": 1}],
            shipped_at=START)
        ref = package_reference_id(package)
        assert ref.isdigit() and ref[0] != "0" and ref == package_reference_id(package)
        refs.add(ref)
    assert len(refs) == 200


def test_body_follows_the_model_and_refuses_what_amazon_would(sandbox: Sandbox) -> None:
    order = _order(sandbox, ("MUG", 2))
    body = confirm_shipment_body(order, _package(order, "P", "T1", **{"10001": 1}), LOCAL)
    contract.validate_body("ordersV0.json", "confirmShipment", body)
    assert body["packageDetail"]["carrierName"] == "Kurier Nord"
    assert body["packageDetail"]["shipDate"] == "2026-03-02T08:00:00Z"
    with pytest.raises(ValidationError, match="needs a carrier name"):
        confirm_shipment_body(order, _package(order, "P", "T1", **{"10001": 1}),
                              CarrierChoice(code="Other"))
    with pytest.raises(ValidationError, match="tracking number"):
        confirm_shipment_body(order, _package(order, "P", None, **{"10001": 1}), DHL)
    with pytest.raises(ValidationError, match="99 are not in the order"):
        confirm_shipment_body(order, _package(order, "P", "T", **{"99": 1}), DHL)


def test_more_units_than_open_is_refused_by_amazon(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    order = _order(sandbox, ("MUG", 1))
    with pytest.raises(RemoteError) as caught:
        connector.confirm_package(order, _package(order, "P", "T", **{"10001": 2}), DHL)
    assert caught.value.status == 400
