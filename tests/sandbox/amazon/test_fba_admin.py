"""Admin side of the FBA simulation: seeding rules, the overview and reset."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.amazon.conftest import Sim


def seed_fba(sim: Sim, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = sim.client.post("/_admin/seed/fba", json=body)
    payload: dict[str, Any] = response.json()
    return response.status_code, payload


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"inventory": [{"sku": "A", "fulfillable": -1}]}, "fulfillable"),
        ({"inventory": [{"sku": "A", "marketplace": "XX"}]}, "unknown marketplace"),
        ({"removals": [{"lines": []}]}, "lines"),
        (
            {
                "removals": [
                    {
                        "lines": [{"sku": "A", "requested": 1}],
                        "shipments": [{"trackingNumber": "T", "items": {"B": 1}}],
                    }
                ]
            },
            "not in the order",
        ),
        (
            {
                "removals": [
                    {
                        "lines": [{"sku": "A", "requested": 1, "disposed": 1}],
                        "shipments": [{"trackingNumber": "T", "items": {"A": 1}}],
                    }
                ]
            },
            "more A handled than requested",
        ),
        ({"removals": [{"orderId": "R1", "lines": [{"sku": "A", "requested": 1}]}] * 2}, "twice"),
        (
            {
                "inboundPlans": [
                    {
                        "shipments": [
                            {
                                "items": [{"msku": "A", "quantity": 1}],
                                "boxes": [{"items": {"B": 1}}],
                            }
                        ]
                    }
                ]
            },
            "unknown mskus",
        ),
        (
            {
                "inboundPlans": [
                    {
                        "items": [{"msku": "A", "quantity": 1}],
                        "shipments": [{"items": [{"msku": "A", "quantity": 1}]}],
                    }
                ]
            },
            "not both",
        ),
        ({"inboundPlans": [{"inboundPlanId": "short"}]}, "inboundPlanId"),
    ],
)
def test_bad_seeds_are_refused_with_the_reason(
    sim: Sim, body: dict[str, Any], problem: str
) -> None:
    status, payload = seed_fba(sim, body)
    assert status == 400
    assert problem in payload["error"]
    assert not sim.state.removal_orders and not sim.state.inbound_plans


def test_overview_shows_what_was_seeded_and_reset_forgets_it(sim: Sim) -> None:
    sim.seed(
        {
            "orders": [
                {
                    "orderId": "302-3333333-3333333",
                    "fulfillmentChannel": "AFN",
                    "status": "Shipped",
                    "items": [{"sku": "A"}],
                }
            ]
        }
    )
    status, created = seed_fba(
        sim,
        {
            "inventory": [{"sku": "A", "fnsku": "X00000000A", "fulfillable": 3}],
            "returns": [
                {"orderId": "302-3333333-3333333", "sku": "A", "licensePlateNumber": "LPN1"}
            ],
            "removals": [{"orderId": "R1", "lines": [{"sku": "A", "requested": 1}]}],
            "inboundPlans": [
                {
                    "shipments": [
                        {
                            "shipmentConfirmationId": "FBA15ABCDEF",
                            "items": [{"msku": "A", "quantity": 2}],
                        }
                    ]
                }
            ],
        },
    )
    assert status == 201
    assert created["removals"] == ["R1"] and created["returns"] == ["LPN1"]
    closed = sim.client.post("/_admin/settlements/close", json={}).json()
    view = sim.client.get("/_admin/fba").json()
    assert view["inventory"][0]["fnsku"] == "X00000000A"
    assert view["removalOrders"] == [
        {"sellerId": "A2MARKETDOCKSIM", "orderId": "R1", "status": "Completed"}
    ]
    assert view["customerReturns"][0]["licensePlateNumber"] == "LPN1"
    (plan,) = view["inboundPlans"]
    assert plan["shipments"][0]["shipmentConfirmationId"] == "FBA15ABCDEF"
    assert [r["settlementId"] for r in view["reports"]] == [closed["settlementId"]]
    assert (
        sim.client.post("/_admin/settlements/close", json={"marketplace": "XX"}).status_code == 400
    )
    assert sim.client.post("/_admin/reset").status_code == 200
    empty = sim.client.get("/_admin/fba").json()
    assert [
        empty[k]
        for k in ("inventory", "reports", "removalOrders", "customerReturns", "inboundPlans")
    ] == [[]] * 5
