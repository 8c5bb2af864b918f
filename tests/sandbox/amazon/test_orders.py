"""Orders reads: the 2-minute rule, next tokens, Pending → Unshipped, flags, isolation."""

from __future__ import annotations

import pytest

from tests.sandbox.amazon.conftest import DE, UK, Sim

V0 = "/orders/v0/orders"
V2026 = "/orders/2026-01-01/orders"


def order(**fields: object) -> dict[str, object]:
    return {"items": [{"sku": "SKU-1", "quantity": 1}], **fields}


def test_orders_newer_than_two_minutes_are_invisible_and_before_is_checked(sim: Sim) -> None:
    sim.seed({"orders": [order(purchaseDate="2026-03-02T08:59:00Z")]})
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-02T08:00:00Z"}
    body = sim.client.get(V0, params=params).json()["payload"]
    assert body["Orders"] == [] and body["CreatedBefore"] == "2026-03-02T08:58:00Z"
    too_late = sim.client.get(V0, params={**params, "CreatedBefore": "2026-03-02T08:59:00Z"})
    assert too_late.status_code == 400
    assert too_late.json()["errors"][0]["code"] == "InvalidInput"
    assert "2 minutes" in too_late.json()["errors"][0]["details"]
    late = sim.client.get(
        V2026,
        params={"createdAfter": "2026-03-02T08:00:00Z", "createdBefore": "2026-03-02T08:58:30Z"},
    )
    assert late.status_code == 400
    sim.advance(120)
    assert len(sim.client.get(V0, params=params).json()["payload"]["Orders"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"CreatedAfter": "2026-03-01T00:00:00Z"},
        {"MarketplaceIds": DE},
        {"MarketplaceIds": DE, "CreatedAfter": "02/21/2022"},
        {
            "MarketplaceIds": DE,
            "CreatedAfter": "2026-03-01T00:00:00Z",
            "LastUpdatedAfter": "2026-03-01T00:00:00Z",
        },
        {
            "MarketplaceIds": DE,
            "CreatedAfter": "2026-03-01T00:00:00Z",
            "CreatedBefore": "2026-02-01T00:00:00Z",
        },
        {"MarketplaceIds": DE, "CreatedAfter": "2026-03-01T00:00:00Z", "MaxResultsPerPage": "0"},
    ],
)
def test_get_orders_rejects_bad_filters(sim: Sim, params: dict[str, str]) -> None:
    response = sim.client.get(V0, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidInput"
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0167"


def seed_three(sim: Sim) -> list[str]:
    times = ["2026-03-02T07:00:00Z", "2026-03-02T07:10:00Z", "2026-03-02T07:20:00Z"]
    return sim.seed({"orders": [order(purchaseDate=t) for t in times]})["orders"]


def test_v0_next_token_must_come_alone(sim: Sim) -> None:
    ids = seed_three(sim)
    first = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-02T00:00:00Z", "MaxResultsPerPage": 2}
    page = sim.client.get(V0, params=first).json()["payload"]
    token = page["NextToken"]
    assert [o["AmazonOrderId"] for o in page["Orders"]] == ids[:2]
    rejected = sim.client.get(V0, params={**first, "NextToken": token})
    assert rejected.status_code == 400
    assert (
        sim.client.get(V0, params={"NextToken": token + "x", "MarketplaceIds": DE})
        .json()["errors"][0]["message"]
        .startswith("We could not decode your NextToken")
    )
    rest = sim.client.get(V0, params={"NextToken": token, "MarketplaceIds": DE}).json()["payload"]
    assert [o["AmazonOrderId"] for o in rest["Orders"]] == ids[2:]
    assert "NextToken" not in rest


def test_v2026_pagination_token_needs_the_same_filters(sim: Sim) -> None:
    ids = seed_three(sim)
    first = {"createdAfter": "2026-03-02T00:00:00Z", "marketplaceIds": DE}
    page = sim.client.get(V2026, params={**first, "maxResultsPerPage": 1}).json()
    token = page["pagination"]["nextToken"]
    alone = sim.client.get(V2026, params={"paginationToken": token})
    assert alone.status_code == 400
    changed = {**first, "marketplaceIds": UK, "paginationToken": token}
    assert sim.client.get(V2026, params=changed).status_code == 400
    rest = sim.client.get(V2026, params={**first, "paginationToken": token, "maxResultsPerPage": 5})
    assert [o["orderId"] for o in rest.json()["orders"]] == ids[1:]


def test_next_tokens_expire_after_a_day(sim: Sim) -> None:
    seed_three(sim)
    first = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-02T00:00:00Z", "MaxResultsPerPage": 1}
    token = sim.client.get(V0, params=first).json()["payload"]["NextToken"]
    sim.advance(86401)
    assert sim.client.get(V0, params={"NextToken": token}).status_code == 403  # token expired
    sim.login()
    assert sim.client.get(V0, params={"NextToken": token}).status_code == 400


def test_pending_orders_have_no_prices_or_address_until_they_turn_unshipped(sim: Sim) -> None:
    (oid,) = sim.seed(
        {
            "orders": [
                order(status="Pending", purchaseDate="2026-03-02T08:00:00Z", pendingSeconds=7200)
            ]
        }
    )["orders"]
    v0 = sim.client.get(f"{V0}/{oid}").json()["payload"]
    assert v0["OrderStatus"] == "Pending"
    assert "OrderTotal" not in v0 and "ShippingAddress" not in v0
    item = sim.client.get(f"{V0}/{oid}/orderItems").json()["payload"]["OrderItems"][0]
    assert "ItemPrice" not in item
    new = sim.client.get(f"{V2026}/{oid}", params={"includedData": "RECIPIENT,PROCEEDS"}).json()
    assert "recipient" not in new["order"] and "proceeds" not in new["order"]
    sim.advance(3600)
    sim.login()  # the access token lives one hour
    updated = sim.client.get(f"{V0}/{oid}").json()["payload"]
    assert updated["OrderStatus"] == "Unshipped"
    assert updated["LastUpdateDate"] == "2026-03-02T10:00:00Z"
    assert updated["OrderTotal"] == {"CurrencyCode": "EUR", "Amount": "19.99"}
    recent = {"MarketplaceIds": DE, "LastUpdatedAfter": "2026-03-02T09:30:00Z"}
    assert sim.client.get(V0, params=recent).json()["payload"]["Orders"] == []  # 2-minute lag
    sim.advance(120)
    found = sim.client.get(V0, params=recent).json()["payload"]["Orders"]
    assert [o["AmazonOrderId"] for o in found] == [oid]


def test_filters_flags_and_marketplaces(sim: Sim) -> None:
    at = "2026-03-02T08:00:00Z"
    sim.seed(
        {
            "orders": [
                order(purchaseDate=at, isPrime=True, latestShipDate="2026-03-02T18:00:00Z"),
                order(purchaseDate=at, fulfillmentChannel="AFN", marketplace="UK"),
                order(purchaseDate=at, status="Canceled", isBusinessOrder=True, marketplace="FR"),
                order(purchaseDate=at, marketplace="IT"),
                order(purchaseDate=at, marketplace="ES"),
            ]
        }
    )
    everywhere = ",".join(
        ["A1PA6795UKMFR9", UK, "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"]
    )
    base = {"MarketplaceIds": everywhere, "CreatedAfter": "2026-03-02T00:00:00Z"}
    orders = sim.client.get(V0, params=base).json()["payload"]["Orders"]
    assert {o["SalesChannel"] for o in orders} == {
        "Amazon.de",
        "Amazon.co.uk",
        "Amazon.fr",
        "Amazon.it",
        "Amazon.es",
    }
    prime = next(o for o in orders if o["IsPrime"])
    assert prime["LatestShipDate"] == "2026-03-02T18:00:00Z"
    afn = sim.client.get(V0, params={**base, "FulfillmentChannels": "AFN"}).json()["payload"]
    assert [o["MarketplaceId"] for o in afn["Orders"]] == [UK]
    canceled = sim.client.get(V0, params={**base, "OrderStatuses": "Canceled"}).json()["payload"]
    assert canceled["Orders"][0]["IsBusinessOrder"] is True
    search = {
        "createdAfter": "2026-03-02T00:00:00Z",
        "fulfillmentStatuses": "CANCELLED",
        "includedData": "FULFILLMENT",
    }
    (cancelled,) = sim.client.get(V2026, params=search).json()["orders"]
    assert cancelled["programs"] == ["AMAZON_BUSINESS"]
    assert cancelled["fulfillment"]["fulfillmentStatus"] == "CANCELLED"


def test_orders_of_another_seller_are_invisible(sim: Sim) -> None:
    sim.seed(
        {
            "refreshTokens": {"Atzr|other": "AOTHERSELLER"},
            "orders": [order(sellerId="AOTHERSELLER", purchaseDate="2026-03-02T08:00:00Z")],
        }
    )
    (oid,) = [o for o in sim.state.orders]
    assert sim.client.get(f"{V0}/{oid}").status_code == 404
    other = sim.token("Atzr|other")
    assert sim.client.get(f"{V0}/{oid}", headers={"x-amz-access-token": other}).status_code == 200


def test_malformed_and_unknown_order_ids(sim: Sim) -> None:
    assert sim.client.get(f"{V0}/not-an-id").status_code == 400
    assert sim.client.get(f"{V0}/302-0000000-0000000").json()["errors"][0]["code"] == "NotFound"
