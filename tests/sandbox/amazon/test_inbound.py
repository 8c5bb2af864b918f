"""Fulfillment Inbound 2024-03-20: from an inbound plan to shipments carrying the
``shipmentConfirmationId`` a warehouse prints, created through the API or seeded."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.amazon.conftest import DE, Sim
from tests.sandbox.amazon.contract import check

BASE = "/inbound/fba/2024-03-20"
MODEL = "fulfillmentInbound_2024-03-20.json"
ADDRESS = {
    "name": "Marketdock Lager",
    "addressLine1": "Lagerstrasse 1",
    "city": "Hamburg",
    "postalCode": "20457",
    "countryCode": "DE",
}


def call(sim: Sim, op_id: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    response = sim.client.request(method, f"{BASE}{path}", **kwargs)
    check(MODEL, op_id, response)
    return response


def create_plan(sim: Sim, **extra: Any) -> dict[str, Any]:
    body = {
        "destinationMarketplaces": [DE],
        "sourceAddress": ADDRESS,
        "items": [
            {"msku": "FBA-1", "quantity": 12, "labelOwner": "SELLER", "prepOwner": "NONE"},
            {"msku": "FBA-2", "quantity": 6, "labelOwner": "AMAZON", "prepOwner": "AMAZON"},
        ],
        **extra,
    }
    response = call(sim, "createInboundPlan", "POST", "/inboundPlans", json=body)
    assert response.status_code == 202, response.text
    created: dict[str, Any] = response.json()
    return created


def operation_status(sim: Sim, operation_id: str) -> str:
    response = call(sim, "getInboundOperationStatus", "GET", f"/operations/{operation_id}")
    status: str = response.json()["operationStatus"]
    return status


def unlimited(sim: Sim) -> None:
    assert sim.client.put("/_admin/config", json={"rate_limits": False}).status_code == 200


def test_plan_to_confirmed_shipment_with_a_confirmation_id(sim: Sim) -> None:
    unlimited(sim)
    sim.client.post(
        "/_admin/seed/fba", json={"inventory": [{"sku": "FBA-1", "fnsku": "X00FBA0001"}]}
    )
    created = create_plan(sim, name="Spring restock")
    plan_id = created["inboundPlanId"]
    assert operation_status(sim, created["operationId"]) == "IN_PROGRESS"
    sim.advance(5)
    assert operation_status(sim, created["operationId"]) == "SUCCESS"
    plan = call(sim, "getInboundPlan", "GET", f"/inboundPlans/{plan_id}").json()
    assert (plan["name"], plan["status"], plan["shipments"]) == ("Spring restock", "ACTIVE", [])

    generated = call(
        sim, "generatePlacementOptions", "POST", f"/inboundPlans/{plan_id}/placementOptions"
    )
    assert generated.status_code == 202
    options = call(
        sim, "listPlacementOptions", "GET", f"/inboundPlans/{plan_id}/placementOptions"
    ).json()
    (option,) = options["placementOptions"]
    assert option["status"] == "OFFERED"
    (shipment_id,) = option["shipmentIds"]
    unconfirmed = call(
        sim, "getShipment", "GET", f"/inboundPlans/{plan_id}/shipments/{shipment_id}"
    ).json()
    assert unconfirmed["status"] == "UNCONFIRMED" and "shipmentConfirmationId" not in unconfirmed

    confirm = call(
        sim,
        "confirmPlacementOption",
        "POST",
        f"/inboundPlans/{plan_id}/placementOptions/{option['placementOptionId']}/confirmation",
    )
    assert confirm.status_code == 202
    shipment = call(
        sim, "getShipment", "GET", f"/inboundPlans/{plan_id}/shipments/{shipment_id}"
    ).json()
    assert shipment["status"] == "WORKING"
    assert shipment["shipmentConfirmationId"].startswith("FBA")
    assert shipment["shipmentId"] != shipment["shipmentConfirmationId"]
    assert shipment["destination"]["warehouseId"] == "LEJ1"
    assert shipment["source"]["address"] == ADDRESS
    plan = call(sim, "getInboundPlan", "GET", f"/inboundPlans/{plan_id}").json()
    assert plan["shipments"] == [{"shipmentId": shipment_id, "status": "WORKING"}]
    items = call(
        sim, "listShipmentItems", "GET", f"/inboundPlans/{plan_id}/shipments/{shipment_id}/items"
    ).json()
    assert [(i["msku"], i["quantity"], i["labelOwner"]) for i in items["items"]] == [
        ("FBA-1", 12, "SELLER"),
        ("FBA-2", 6, "AMAZON"),
    ]
    assert items["items"][0]["fnsku"] == "X00FBA0001"
    again = call(
        sim,
        "confirmPlacementOption",
        "POST",
        f"/inboundPlans/{plan_id}/placementOptions/{option['placementOptionId']}/confirmation",
    )
    assert again.status_code == 400
    regenerate = call(
        sim, "generatePlacementOptions", "POST", f"/inboundPlans/{plan_id}/placementOptions"
    )
    assert regenerate.status_code == 400


def test_a_placement_option_expires(sim: Sim) -> None:
    unlimited(sim)
    plan_id = create_plan(sim)["inboundPlanId"]
    call(sim, "generatePlacementOptions", "POST", f"/inboundPlans/{plan_id}/placementOptions")
    option_id = sim.state.inbound_plans[plan_id].placement_options[0].option_id
    sim.advance(24 * 3600)
    sim.login()
    late = call(
        sim,
        "confirmPlacementOption",
        "POST",
        f"/inboundPlans/{plan_id}/placementOptions/{option_id}/confirmation",
    )
    assert late.status_code == 400


def test_seeded_plans_list_sort_page_and_carry_boxes(sim: Sim) -> None:
    unlimited(sim)
    plans = [
        {
            "name": f"Plan {n}",
            "created": f"2026-02-0{n + 1}T10:00:00Z",
            "status": "SHIPPED" if n == 2 else "ACTIVE",
            "shipments": [
                {
                    "shipmentConfirmationId": f"FBA15TEST{n:03d}",
                    "status": "RECEIVING" if n == 2 else "WORKING",
                    "items": [{"msku": "A", "quantity": 4}, {"msku": "B", "quantity": 2}],
                    "boxes": [{"items": {"A": 4}}, {"items": {"B": 2}, "weightKg": 3.5}],
                }
            ],
        }
        for n in range(3)
    ]
    seeded = sim.client.post("/_admin/seed/fba", json={"inboundPlans": plans})
    assert seeded.status_code == 201, seeded.text
    listed = call(
        sim,
        "listInboundPlans",
        "GET",
        "/inboundPlans",
        params={"sortBy": "CREATION_TIME", "sortOrder": "DESC"},
    )
    assert [p["name"] for p in listed.json()["inboundPlans"]] == ["Plan 2", "Plan 1", "Plan 0"]
    active = call(
        sim, "listInboundPlans", "GET", "/inboundPlans", params={"status": "ACTIVE", "pageSize": 1}
    )
    token = active.json()["pagination"]["nextToken"]
    rest = call(
        sim,
        "listInboundPlans",
        "GET",
        "/inboundPlans",
        params={"status": "ACTIVE", "pageSize": 1, "paginationToken": token},
    ).json()
    assert [p["name"] for p in active.json()["inboundPlans"] + rest["inboundPlans"]] == [
        "Plan 0",
        "Plan 1",
    ]
    assert "pagination" not in rest

    plan_id, shipment_id = seeded.json()["inboundPlans"][2], seeded.json()["shipments"][2]
    shipment = call(
        sim, "getShipment", "GET", f"/inboundPlans/{plan_id}/shipments/{shipment_id}"
    ).json()
    assert (shipment["shipmentConfirmationId"], shipment["status"]) == ("FBA15TEST002", "RECEIVING")
    boxes = call(
        sim, "listShipmentBoxes", "GET", f"/inboundPlans/{plan_id}/shipments/{shipment_id}/boxes"
    ).json()
    assert [b["boxId"] for b in boxes["boxes"]] == ["FBA15TEST002U000001", "FBA15TEST002U000002"]
    assert [[(i["msku"], i["quantity"]) for i in b["items"]] for b in boxes["boxes"]] == [
        [("A", 4)],
        [("B", 2)],
    ]
    assert boxes["boxes"][1]["weight"] == {"unit": "KG", "value": 3.5}


def test_unknown_ids_bad_bodies_and_other_sellers_get_400(sim: Sim) -> None:
    unlimited(sim)
    plan_id = create_plan(sim)["inboundPlanId"]
    missing = "wf00000000-0000-4000-8000-000000000000"
    assert call(sim, "getInboundPlan", "GET", f"/inboundPlans/{missing}").status_code == 400
    assert call(sim, "getInboundPlan", "GET", "/inboundPlans/wf-short").status_code == 400
    assert (
        call(
            sim, "getShipment", "GET", f"/inboundPlans/{plan_id}/shipments/{'sh' + missing[2:]}"
        ).status_code
        == 400
    )
    no_items = call(
        sim,
        "createInboundPlan",
        "POST",
        "/inboundPlans",
        json={"destinationMarketplaces": [DE], "sourceAddress": ADDRESS, "items": []},
    )
    assert no_items.status_code == 400
    bad_owner = call(
        sim,
        "createInboundPlan",
        "POST",
        "/inboundPlans",
        json={
            "destinationMarketplaces": [DE],
            "sourceAddress": ADDRESS,
            "items": [{"msku": "A", "quantity": 1, "labelOwner": "ME", "prepOwner": "NONE"}],
        },
    )
    assert bad_owner.status_code == 400 and "labelOwner" in bad_owner.json()["errors"][0]["message"]
    sim.seed({"refreshTokens": {"Atzr|other": "AOTHERSELLER"}})
    other = {"x-amz-access-token": sim.token("Atzr|other")}
    assert (
        call(sim, "getInboundPlan", "GET", f"/inboundPlans/{plan_id}", headers=other).status_code
        == 400
    )
    assert (
        call(sim, "listInboundPlans", "GET", "/inboundPlans", headers=other).json()["inboundPlans"]
        == []
    )


def test_usage_plans_are_enforced(sim: Sim) -> None:
    first = create_plan(sim)
    plan_id = first["inboundPlanId"]
    second = sim.client.post(
        f"{BASE}/inboundPlans",
        json={
            "destinationMarketplaces": [DE],
            "sourceAddress": ADDRESS,
            "items": [{"msku": "X", "quantity": 1, "labelOwner": "NONE", "prepOwner": "NONE"}],
        },
    )
    assert second.status_code == 202 and second.headers["x-amzn-RateLimit-Limit"] == "2"
    throttled = call(sim, "createInboundPlan", "POST", "/inboundPlans", json={})
    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    reads = [
        call(sim, "getInboundPlan", "GET", f"/inboundPlans/{plan_id}").status_code for _ in range(7)
    ]
    assert reads == [200] * 6 + [429]
    sim.advance(0.5)
    assert call(sim, "getInboundPlan", "GET", f"/inboundPlans/{plan_id}").status_code == 200
