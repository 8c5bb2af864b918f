"""Request builders for the OTTO simulator tests (documented shapes only)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.otto.harness import Sim

SHIP_FROM = {"city": "Hamburg", "countryCode": "DEU", "zipCode": "22113"}


def shipment_body(
    order: dict[str, Any],
    items: list[str] | None = None,
    carrier: str = "DHL",
    number: str | None = "00340434161094042557",
    return_key: tuple[str, str] | None = ("DHL", "00340434161094042564"),
) -> dict[str, Any]:
    key: dict[str, str] = {"carrier": carrier}
    if number is not None:
        key["trackingNumber"] = number
    positions = []
    for item_id in items if items is not None else order["positionItemIds"]:
        entry: dict[str, Any] = {"positionItemId": item_id, "salesOrderId": order["salesOrderId"]}
        if return_key:
            entry["returnTrackingKey"] = {"carrier": return_key[0], "trackingNumber": return_key[1]}
        positions.append(entry)
    return {
        "trackingKey": key,
        "shipDate": "2025-03-10T14:05:00.000Z",
        "shipFromAddress": dict(SHIP_FROM),
        "positionItems": positions,
    }


def processable_order(sim: Sim, *lines: tuple[str, int], **fields: Any) -> dict[str, Any]:
    return sim.order(*lines, status="PROCESSABLE", **fields)


def ship(sim: Sim, order: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return sim.api.post("/v1/shipments", json=shipment_body(order, **kwargs))


def get_order(sim: Sim, order: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = sim.api.get(f"/v4/orders/{order['salesOrderId']}").json()
    return body


def statuses(sim: Sim, order: dict[str, Any]) -> list[str]:
    return [i["fulfillmentStatus"] for i in get_order(sim, order)["positionItems"]]
