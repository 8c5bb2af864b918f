"""Admin routes and the paging faults a client must survive."""

from __future__ import annotations

from tests.sandbox.amazon.conftest import DE, Sim

V0 = "/orders/v0/orders"


def seed_orders(sim: Sim, count: int) -> list[str]:
    times = [f"2026-03-02T07:{10 + i:02d}:00Z" for i in range(count)]
    ids: list[str] = sim.seed(
        {"orders": [{"purchaseDate": t, "items": [{"sku": "A"}]} for t in times]}
    )["orders"]
    return ids


def pages(sim: Sim) -> list[list[str]]:
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-02T00:00:00Z", "MaxResultsPerPage": 2}
    seen, token = [], None
    while True:
        query = {"NextToken": token} if token else params
        body = sim.client.get(V0, params=query).json()["payload"]
        seen.append([o["AmazonOrderId"] for o in body["Orders"]])
        token = body.get("NextToken")
        if not token:
            return seen


def test_duplicate_page_repeats_an_order_across_pages(sim: Sim) -> None:
    ids = seed_orders(sim, 4)
    sim.faults.set("duplicate_page", count=1)
    assert pages(sim) == [ids[:2], ids[1:3], ids[3:]]


def test_reorder_page_reverses_a_page(sim: Sim) -> None:
    ids = seed_orders(sim, 2)
    sim.faults.set("reorder_page", count=1)
    assert pages(sim) == [ids[1::-1]]


def test_state_cancel_reset_and_bad_seed(sim: Sim) -> None:
    (oid,) = seed_orders(sim, 1)
    assert sim.client.post(f"/_admin/orders/{oid}/cancel").json()["OrderStatus"] == "Canceled"
    state = sim.client.get("/_admin/state").json()
    assert state["now"] == "2026-03-02T09:00:00Z"
    assert [o["OrderStatus"] for o in state["orders"]] == ["Canceled"]
    bad = sim.client.post("/_admin/seed", json={"orders": [{"items": [], "colour": "red"}]})
    assert bad.status_code == 400 and "items" in bad.json()["error"]
    assert (
        sim.client.post(
            "/_admin/seed", json={"orders": [{"orderId": oid, "items": [{"sku": "A"}]}]}
        ).status_code
        == 400
    )
    sim.client.post("/_admin/reset")
    assert sim.client.get("/_admin/state").json()["orders"] == []
    assert sim.client.get(V0 + f"/{oid}").status_code == 403  # tokens are forgotten too
