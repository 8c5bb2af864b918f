"""OTTO-specific fault switches, and the generic ones on OTTO paths."""

from __future__ import annotations

from typing import Any

from tests.sandbox.otto.harness import Sim
from tests.sandbox.otto.helpers import processable_order


def pages(sim: Sim, url: str) -> list[list[str]]:
    result = []
    while url:
        page: dict[str, Any] = sim.api.get(url).json()
        result.append([o["salesOrderId"] for o in page["resources"]])
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), "")
    return result


def five_orders(sim: Sim) -> list[str]:
    ids = []
    for _ in range(5):
        ids.append(processable_order(sim, ("A", 1))["salesOrderId"])
        sim.advance(1)
    return ids


def test_duplicate_page_serves_a_page_twice(sim: Sim) -> None:
    ids = five_orders(sim)
    sim.faults.set("duplicate_page", count=1, path="/v4/orders")
    assert pages(sim, "/v4/orders?limit=2") == [ids[0:2], ids[0:2], ids[2:4], ids[4:5]]


def test_reorder_page_breaks_the_sort_order_within_a_page(sim: Sim) -> None:
    ids = five_orders(sim)
    sim.faults.set("reorder_page", count=1, path="/v4/orders")
    assert pages(sim, "/v4/orders?limit=3") == [ids[2::-1], ids[3:5]]


def test_switches_are_settable_over_http_and_leave_other_paths_alone(sim: Sim) -> None:
    ids = five_orders(sim)
    assert sim.admin.put("/_admin/faults/duplicate_page", json={"count": 1}).status_code == 200
    assert sim.api.get("/v1/shipments?datefrom=2025-03-10").status_code == 200
    assert pages(sim, "/v4/orders?limit=4") == [ids[0:4], ids[0:4], ids[4:5]]


def test_generic_faults_apply_to_otto_routes_but_not_admin(sim: Sim) -> None:
    sim.faults.set("5xx", count=1, path="/v4/orders")
    assert sim.api.http.get("/v4/orders").status_code == 503
    sim.faults.set("5xx", rate=1.0)
    assert sim.admin.get("/_admin/state").status_code == 200
