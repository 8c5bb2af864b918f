"""confirmShipment: Amazon's rules for packages, carriers and quantities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.amazon.conftest import DE, Sim


def seed_order(sim: Sim, **fields: object) -> tuple[str, list[str]]:
    items = [{"sku": "A", "quantity": 3}, {"sku": "B", "quantity": 1}]
    (oid,) = sim.seed({"orders": [{"items": items, **fields}]})["orders"]
    order = sim.state.orders[oid]
    return oid, [i.order_item_id for i in order.items]


def package(item_ids: list[str], ref: str = "1", **detail: Any) -> dict[str, Any]:
    lines = detail.pop("lines", [{"orderItemId": item_ids[0], "quantity": 1}])
    return {
        "marketplaceId": DE,
        "packageDetail": {
            "packageReferenceId": ref,
            "carrierCode": "DHL",
            "trackingNumber": "00340434161094042557",
            "shipDate": "2026-03-02T08:30:00Z",
            "orderItems": lines,
            **detail,
        },
    }


def confirm(sim: Sim, oid: str, body: dict[str, Any]) -> Any:
    return sim.client.post(f"/orders/v0/orders/{oid}/shipmentConfirmation", json=body)


def test_partial_then_complete_shipment_is_read_back(sim: Sim) -> None:
    oid, items = seed_order(sim)
    assert confirm(sim, oid, package(items, "1")).status_code == 204
    assert sim.state.orders[oid].status == "PartiallyShipped"
    rest = [{"orderItemId": items[0], "quantity": 2}, {"orderItemId": items[1], "quantity": 1}]
    response = confirm(
        sim,
        oid,
        package(
            items, "2", lines=rest, carrierCode="Other", carrierName="Hermes Einrichtungsservice"
        ),
    )
    assert response.status_code == 204 and response.content == b""
    read = sim.client.get(
        f"/orders/2026-01-01/orders/{oid}", params={"includedData": "PACKAGES,FULFILLMENT"}
    ).json()["order"]
    assert read["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["packageReferenceId"] for p in read["packages"]] == ["1", "2"]
    assert read["packages"][1]["carrier"] == "Hermes Einrichtungsservice"
    v0_items = sim.client.get(f"/orders/v0/orders/{oid}/orderItems").json()["payload"]
    assert [i["QuantityShipped"] for i in v0_items["OrderItems"]] == [3, 1]


def test_same_reference_and_lines_edits_tracking_without_shipping_more(sim: Sim) -> None:
    oid, items = seed_order(sim)
    assert confirm(sim, oid, package(items)).status_code == 204
    assert confirm(sim, oid, package(items, trackingNumber="NEW1")).status_code == 204
    order = sim.state.orders[oid]
    assert len(order.packages) == 1 and order.packages[0].tracking_number == "NEW1"
    assert order.shipped(items[0]) == 1
    other_lines = package(items, lines=[{"orderItemId": items[1], "quantity": 1}])
    assert confirm(sim, oid, other_lines).status_code == 400


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"packageReferenceId": 1}, "packageReferenceId"),
        ({"packageReferenceId": "PKG-1"}, "packageReferenceId"),
        ({"packageReferenceId": "0"}, "packageReferenceId"),
        ({"carrierCode": "Hermes"}, "carrierCode"),
        ({"carrierCode": "Other"}, "carrierName"),
        ({"shipDate": "02/21/2022"}, "shipDate"),
        ({"trackingNumber": ""}, "trackingNumber"),
        ({"lines": [{"orderItemId": "1", "quantity": 1}]}, "orderItemId"),
        ({"lines": []}, "orderItems"),
    ],
)
def test_invalid_packages_are_rejected(sim: Sim, change: dict[str, Any], needle: str) -> None:
    oid, items = seed_order(sim)
    response = confirm(sim, oid, package(items, **change))
    assert response.status_code == 400
    assert needle in response.json()["errors"][0]["details"]
    assert sim.state.orders[oid].packages == []


def test_more_than_ordered_is_rejected(sim: Sim) -> None:
    oid, items = seed_order(sim)
    too_many = package(items, lines=[{"orderItemId": items[1], "quantity": 2}])
    assert "exceeds" in confirm(sim, oid, too_many).json()["errors"][0]["details"]
    assert confirm(sim, oid, package(items, lines=[{"orderItemId": items[1], "quantity": 1}]))
    again = package(items, "2", lines=[{"orderItemId": items[1], "quantity": 1}])
    assert confirm(sim, oid, again).status_code == 400


@pytest.mark.parametrize(
    "fields",
    [{"status": "Pending"}, {"status": "Canceled"}, {"fulfillmentChannel": "AFN"}],
)
def test_unshippable_orders(sim: Sim, fields: dict[str, str]) -> None:
    oid, items = seed_order(sim, **fields)
    assert confirm(sim, oid, package(items)).status_code == 400


def test_carrier_lists_are_per_marketplace(sim: Sim) -> None:
    sim.seed({"carrierCodes": {"DE": ["DHL", "DPD", "Other"]}})
    oid, items = seed_order(sim)
    assert confirm(sim, oid, package(items, carrierCode="UPS")).status_code == 400
    assert confirm(sim, oid, package(items, carrierCode="DPD")).status_code == 204
    uk_oid, uk_items = seed_order(sim, marketplace="UK")
    body = package(uk_items, carrierCode="Royal Mail") | {"marketplaceId": "A1F83G8C2ARO7P"}
    assert confirm(sim, uk_oid, body).status_code == 204
    assert confirm(sim, uk_oid, package(uk_items, "2")).status_code == 400  # wrong marketplace


def test_timeout_after_the_effect_leaves_the_package_readable(sim: Sim) -> None:
    oid, items = seed_order(sim)
    sim.faults.set("timeout_after", count=1, path="/orders/v0")
    with pytest.raises(Exception, match="timeout"):
        confirm(sim, oid, package(items))
    read = sim.client.get(f"/orders/2026-01-01/orders/{oid}", params={"includedData": "PACKAGES"})
    assert read.json()["order"]["packages"][0]["packageReferenceId"] == "1"
