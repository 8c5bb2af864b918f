"""FBA Inventory getInventorySummaries over seeded FBA stock, paging and its usage plan."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.amazon.conftest import DE, UK, Sim
from tests.sandbox.amazon.contract import check

SUMMARIES = "/fba/inventory/v1/summaries"
MODEL = "fbaInventory.json"


def summaries(sim: Sim, market: str = DE, **extra: str) -> httpx.Response:
    params = {
        "granularityType": "Marketplace",
        "granularityId": market,
        "marketplaceIds": market,
        **extra,
    }
    response = sim.client.get(SUMMARIES, params=params)
    check(MODEL, "getInventorySummaries", response)
    return response


def unlimited(sim: Sim) -> None:
    """Burst 2 is too small for a test that reads several times in one instant."""
    assert sim.client.put("/_admin/config", json={"rate_limits": False}).status_code == 200


def seed_stock(sim: Sim, *stock: dict[str, Any]) -> None:
    response = sim.client.post("/_admin/seed/fba", json={"inventory": list(stock)})
    assert response.status_code == 201, response.text


def test_details_break_the_total_down(sim: Sim) -> None:
    unlimited(sim)
    seed_stock(
        sim,
        {
            "sku": "FBA-1",
            "fnsku": "X001ABCDEF",
            "asin": "B0TEST0001",
            "fulfillable": 10,
            "inboundWorking": 1,
            "inboundShipped": 2,
            "inboundReceiving": 3,
            "pendingCustomerOrder": 4,
            "fcProcessing": 1,
            "researching": 2,
            "unfulfillable": {"customerDamagedQuantity": 1, "expiredQuantity": 2},
        },
    )
    body = summaries(sim, details="true").json()
    assert body["payload"]["granularity"] == {"granularityType": "Marketplace", "granularityId": DE}
    (summary,) = body["payload"]["inventorySummaries"]
    assert (summary["sellerSku"], summary["fnSku"], summary["asin"]) == (
        "FBA-1",
        "X001ABCDEF",
        "B0TEST0001",
    )
    details = summary["inventoryDetails"]
    assert details["fulfillableQuantity"] == 10
    assert details["reservedQuantity"]["totalReservedQuantity"] == 5
    assert details["unfulfillableQuantity"]["totalUnfulfillableQuantity"] == 3
    assert details["unfulfillableQuantity"]["expiredQuantity"] == 2
    assert details["researchingQuantity"]["totalResearchingQuantity"] == 2
    # warehouse (10 + 5 + 3) + inbound (1 + 2 + 3); researching units are not counted
    assert summary["totalQuantity"] == 24
    plain = summaries(sim).json()["payload"]["inventorySummaries"][0]
    assert "inventoryDetails" not in plain and plain["totalQuantity"] == 24


def test_stock_is_per_marketplace_and_filtered_by_sku_and_change_time(sim: Sim) -> None:
    unlimited(sim)
    seed_stock(
        sim,
        {"sku": "A", "fulfillable": 1, "lastUpdated": "2026-02-01T00:00:00Z"},
        {"sku": "B", "fulfillable": 2, "lastUpdated": "2026-03-01T00:00:00Z"},
        {"sku": "C", "marketplace": "UK", "fulfillable": 3},
    )

    def skus(response: httpx.Response) -> list[str]:
        return [s["sellerSku"] for s in response.json()["payload"]["inventorySummaries"]]

    assert skus(summaries(sim)) == ["A", "B"]
    assert skus(summaries(sim, UK)) == ["C"]
    assert skus(summaries(sim, sellerSkus="B,C")) == ["B"]
    assert skus(summaries(sim, sellerSku="A")) == ["A"]
    assert skus(summaries(sim, startDateTime="2026-02-15T00:00:00Z")) == ["B"]


def test_pages_of_fifty_and_a_short_lived_token(sim: Sim) -> None:
    unlimited(sim)
    seed_stock(sim, *({"sku": f"S-{n:03d}", "fulfillable": n} for n in range(120)))
    first = summaries(sim).json()
    token = first["pagination"]["nextToken"]
    second = summaries(sim, nextToken=token).json()
    third = summaries(sim, nextToken=second["pagination"]["nextToken"]).json()
    pages = [first, second, third]
    seen = [s["sellerSku"] for p in pages for s in p["payload"]["inventorySummaries"]]
    assert seen == [f"S-{n:03d}" for n in range(120)]
    assert [len(p["payload"]["inventorySummaries"]) for p in pages] == [50, 50, 20]
    assert "pagination" not in third
    sim.advance(31)
    expired = summaries(sim, nextToken=token)
    assert expired.status_code == 400


def test_bad_queries_get_400(sim: Sim) -> None:
    unlimited(sim)
    wrong_granularity = summaries(sim, granularityType="Country")
    assert wrong_granularity.status_code == 400
    mismatch = sim.client.get(
        SUMMARIES,
        params={"granularityType": "Marketplace", "granularityId": UK, "marketplaceIds": DE},
    )
    assert mismatch.status_code == 400
    check(MODEL, "getInventorySummaries", mismatch)
    too_many = summaries(sim, sellerSkus=",".join(f"S{n}" for n in range(51)))
    assert too_many.status_code == 400
    assert summaries(sim, startDateTime="2024-01-01T00:00:00Z").status_code == 400


def test_usage_plan_two_per_second_burst_two(sim: Sim) -> None:
    first = summaries(sim)
    assert first.status_code == 200 and first.headers["x-amzn-RateLimit-Limit"] == "2"
    assert summaries(sim).status_code == 200
    throttled = summaries(sim)
    assert throttled.status_code == 429
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    sim.advance(0.5)
    assert summaries(sim).status_code == 200
