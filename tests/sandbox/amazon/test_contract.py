"""The simulator answers the models' sandbox examples in the documented shape.

Each static ``x-amzn-api-sandbox`` example of the operations the simulator serves is sent to
it. Amazon's sandbox keys its canned answers on magic values (``TEST_CASE_200``, ``feedId1``,
sample order ids); here a success example's identifiers and tokens stand for simulated
records: the test seeds the orders, listings, documents and feeds the example's response
names and sends their ids. Error examples are sent literally. The answer must carry the
example's status code and a body that validates against the model.
"""

from __future__ import annotations

from typing import Any

import pytest

from marketdock.sandbox.amazon import DEFAULT_SELLER
from tests.sandbox.amazon.conftest import Sim
from tests.sandbox.amazon.contract import check, examples, operation, query, split_values

CASES = (
    [
        ("ordersV0.json", op)
        for op in ("getOrders", "getOrder", "getOrderItems", "getOrderAddress", "confirmShipment")
    ]
    + [("orders_2026-01-01.json", op) for op in ("searchOrders", "getOrder")]
    + [
        ("listingsItems_2021-08-01.json", op)
        for op in ("getListingsItem", "patchListingsItem", "searchListingsItems")
    ]
    + [
        ("feeds_2021-06-30.json", op)
        for op in (
            "getFeeds",
            "createFeed",
            "cancelFeed",
            "getFeed",
            "createFeedDocument",
            "getFeedDocument",
        )
    ]
)
# v0 getOrders: Amazon's sandbox example sends CreatedAfter along with the NextToken; the
# production service answers that with 400 InvalidInput, and so does the simulator.
DIVERGENT = {("getOrders", 200, "NextToken"): 400}
V0_STATUS = {
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "SHIPPED": "Shipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "CANCELLED": "Canceled",
}


def order_ids(response: Any) -> list[tuple[str, str, str]]:
    """(order id, marketplace id, v0 status) of every order an example response names."""
    found = []
    payload = response.get("payload", response) if isinstance(response, dict) else {}
    v0 = payload.get("Orders") or ([payload] if "AmazonOrderId" in payload else [])
    for o in v0:
        found.append(
            (
                o["AmazonOrderId"],
                o.get("MarketplaceId", "ATVPDKIKX0DER"),
                o.get("OrderStatus", "Unshipped"),
            )
        )
    new = response.get("orders") or ([response["order"]] if "order" in response else [])
    for o in new:
        status = o.get("fulfillment", {}).get("fulfillmentStatus", "UNSHIPPED")
        found.append(
            (o["orderId"], o["salesChannel"]["marketplaceId"], V0_STATUS.get(status, "Unshipped"))
        )
    return found


def seed_orders(sim: Sim, ids: list[tuple[str, str, str]], item_id: str | None = None) -> None:
    orders = []
    for oid, market, status in ids:
        if oid in sim.state.orders:
            continue
        item: dict[str, Any] = {"sku": "EX-1", "quantity": 1}
        if item_id:
            item["orderItemId"] = item_id
        orders.append(
            {
                "orderId": oid,
                "marketplace": market,
                "status": status,
                "purchaseDate": "2026-03-01T09:00:00Z",
                "items": [item],
            }
        )
    sim.seed({"orders": orders})


def arrange(sim: Sim, op_id: str, status: int, values: dict[str, Any], response: Any) -> None:
    """Seed what a success example refers to and swap its ids for the simulated ones."""
    if status >= 300:
        return
    ids = order_ids(response) if isinstance(response, dict) else []
    if op_id == "confirmShipment":
        lines = values["body"]["packageDetail"]["orderItems"]
        seed_orders(
            sim,
            [(values["orderId"], values["body"]["marketplaceId"], "Unshipped")],
            lines[0]["orderItemId"],
        )
    elif ids or "orderId" in values:
        seed_orders(sim, ids or [("902-1845936-5435065", "ATVPDKIKX0DER", "Unshipped")])
        if "orderId" in values:
            values["orderId"] = ids[0][0] if ids else "902-1845936-5435065"
    for key in ("CreatedAfter", "createdAfter"):
        if str(values.get(key, "")).startswith("TEST_CASE"):
            values[key] = "2026-01-01T00:00:00Z"
    for token_name, size_name in (
        ("NextToken", "MaxResultsPerPage"),
        ("paginationToken", "maxResultsPerPage"),
    ):
        if token_name in values:
            market = values.get("MarketplaceIds", values.get("marketplaceIds"))[0]
            seed_orders(sim, [("999-0000000-0000001", market, "Unshipped")])
            first = {k: v for k, v in values.items() if k != token_name}
            path = (
                "/orders/v0/orders" if token_name == "NextToken" else ("/orders/2026-01-01/orders")
            )
            page = sim.client.get(path, params={**query(first), size_name: 1}).json()
            values[token_name] = page.get("payload", {}).get("NextToken") or page.get(
                "pagination", {}
            ).get("nextToken")
    if op_id in ("getListingsItem", "patchListingsItem", "searchListingsItems"):
        skus = values.get("identifiers") or [values.get("sku", "GM-ZDPI-9B4E")]
        values.setdefault("sku", skus[0])
        values.setdefault("marketplaceIds", ["ATVPDKIKX0DER"])
        sim.seed({"listings": [{"sku": s, "marketplaces": ["US", "CA"]} for s in skus]})
        if op_id == "patchListingsItem" and not values.get("body"):
            values["body"] = {
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
                    }
                ],
            }
    if op_id in ("createFeed", "getFeedDocument", "cancelFeed", "getFeed"):
        doc = sim.client.post(
            "/feeds/2021-06-30/documents", json={"contentType": "application/json"}
        ).json()
        if op_id == "createFeed":
            values["body"]["inputFeedDocumentId"] = doc["feedDocumentId"]
        elif op_id == "getFeedDocument":
            values["feedDocumentId"] = doc["feedDocumentId"]
        else:
            spec = {
                "feedType": "POST_PRODUCT_DATA",
                "marketplaceIds": ["ATVPDKIKX0DER"],
                "inputFeedDocumentId": doc["feedDocumentId"],
            }
            values["feedId"] = sim.client.post("/feeds/2021-06-30/feeds", json=spec).json()[
                "feedId"
            ]


@pytest.mark.parametrize(("model_name", "op_id"), CASES)
def test_sandbox_examples_are_answered_in_the_documented_shape(
    sim: Sim, model_name: str, op_id: str
) -> None:
    sim.client.put("/_admin/config", json={"rate_limits": False})
    path, method, op = operation(model_name, op_id)
    cases = examples(model_name, op_id)
    assert cases, f"{op_id} has no sandbox examples"
    for status, values, response in cases:
        values = {k: v for k, v in values.items()}
        arrange(sim, op_id, status, values, response)
        url, params, body = split_values(path.replace("{sellerId}", DEFAULT_SELLER), op, values)
        url = url.replace("{sku}", "MISSING")
        answer = sim.client.request(method.upper(), url, params=params, json=body)
        expected = next(
            (
                s
                for (o, st, key), s in DIVERGENT.items()
                if o == op_id and st == status and key in values
            ),
            status,
        )
        assert answer.status_code == expected, (op_id, status, values, answer.text)
        check(model_name, op_id, answer)


USAGE_MODELS = {
    "orders_v0": "ordersV0.json",
    "orders_2026": "orders_2026-01-01.json",
    "feeds": "feeds_2021-06-30.json",
    "listings": "listingsItems_2021-08-01.json",
    "fbaInventory": "fbaInventory.json",
    "reports": "reports_2021-06-30.json",
}


def test_usage_plans_match_the_models() -> None:
    import re

    from marketdock.sandbox.amazon.usage_plans import USAGE_PLANS

    checked = 0
    for key, (rate, burst) in USAGE_PLANS.items():
        api, op_id = key.split(".")
        if api not in USAGE_MODELS:
            continue
        _, _, op = operation(USAGE_MODELS[api], op_id)
        found = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op["description"])
        assert found, key
        assert (float(found.group(1)), int(found.group(2))) == (rate, burst), key
        checked += 1
    assert checked >= 15


def test_every_order_shape_validates(sim: Sim) -> None:
    at = "2026-03-02T08:00:00Z"
    items = [{"sku": "A", "quantity": 2, "tax": "3.80"}]
    sim.seed(
        {
            "orders": [
                {"purchaseDate": at, "status": "Pending", "items": items},
                {"purchaseDate": at, "items": items, "isPrime": True, "sellerOrderId": "S-1"},
                {
                    "purchaseDate": at,
                    "items": items,
                    "fulfillmentChannel": "AFN",
                    "status": "Shipped",
                },
                {"purchaseDate": at, "items": items, "status": "Canceled", "isBusinessOrder": True},
            ]
        }
    )
    prime = next(o for o in sim.state.orders.values() if o.is_prime)
    detail = {
        "packageReferenceId": "1",
        "carrierCode": "DHL",
        "trackingNumber": "1",
        "shipDate": at,
        "orderItems": [{"orderItemId": prime.items[0].order_item_id, "quantity": 1}],
    }
    confirm = sim.client.post(
        f"/orders/v0/orders/{prime.order_id}/shipmentConfirmation",
        json={"marketplaceId": prime.marketplace_id, "packageDetail": detail},
    )
    check("ordersV0.json", "confirmShipment", confirm)
    params = {"MarketplaceIds": "A1PA6795UKMFR9", "CreatedAfter": "2026-03-01T00:00:00Z"}
    check("ordersV0.json", "getOrders", sim.client.get("/orders/v0/orders", params=params))
    every = ",".join(["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES"])
    search = sim.client.get(
        "/orders/2026-01-01/orders", params={"createdAfter": at, "includedData": every}
    )
    assert len(search.json()["orders"]) == 4
    check("orders_2026-01-01.json", "searchOrders", search)
    for oid in sim.state.orders:
        check(
            "ordersV0.json", "getOrderItems", sim.client.get(f"/orders/v0/orders/{oid}/orderItems")
        )
        check(
            "orders_2026-01-01.json",
            "getOrder",
            sim.client.get(f"/orders/2026-01-01/orders/{oid}", params={"includedData": every}),
        )
