"""Golden tests: canned SP-API answers (file fixtures and the models' sandbox examples)
through the mapping, and the requests we send checked against Amazon's models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from marketdock.connectors.amazon import order_mapping, wire
from marketdock.connectors.amazon.stock_mapping import report_results
from marketdock.connectors.ports import StockOutcome, StockUpdate
from marketdock.domain import Order
from tests.connectors.amazon import contract
from tests.connectors.amazon.golden import Scripted, fixture

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ORDERS_MODEL = "orders_2026-01-01.json"
FEEDS_MODEL = "feeds_2021-06-30.json"
LISTINGS_MODEL = "listingsItems_2021-08-01.json"


def _page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=fixture("search_orders_page.json"))


def test_search_page_maps_to_the_expected_orders_and_quarantine() -> None:
    scripted = Scripted({("GET", "/orders/2026-01-01/orders"): _page})
    batch = scripted.connector(NOW).fetch_orders(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    expected = fixture("search_orders_expected.json")
    assert batch.until is not None and batch.until.isoformat() == expected["until"]
    assert [o.model_dump(mode="json", exclude_none=True) for o in batch.orders] == \
        expected["orders"]
    assert [{"reference": q.reference, "reason": q.reason, "source": q.source}
            for q in batch.quarantined] == expected["quarantined"]
    assert all(q.excerpt for q in batch.quarantined)


def test_search_request_follows_the_model_and_pages_keep_their_filters() -> None:
    pages = iter([{"orders": [], "pagination": {"nextToken": "a+b/c=="}},
                  {"orders": [], "lastUpdatedBefore": "2026-03-01T11:57:50Z"}])
    scripted = Scripted({("GET", "/orders/2026-01-01/orders"):
                         lambda r: httpx.Response(200, json=next(pages))})
    scripted.connector(NOW).fetch_orders(datetime(2026, 3, 1, 9, 0, tzinfo=UTC), NOW)
    first, second = (parse_qs(r.url.query.decode()) for r in scripted.requests[1:])
    parameters = {p["name"]: p for p in contract.operation(ORDERS_MODEL, "searchOrders")
                  ["parameters"]}
    for name, [value] in first.items():
        spec = parameters[name]
        if spec.get("type") == "array" and "enum" in spec["items"]:
            assert set(value.split(",")) <= set(spec["items"]["enum"]), name
    assert first["lastUpdatedBefore"] == ["2026-03-01T11:57:50Z"]  # 2 min and skew back
    assert first["fulfilledBy"] == ["MERCHANT"]
    assert first["marketplaceIds"] == ["A1PA6795UKMFR9,A1F83G8C2ARO7P"]
    assert second.pop("paginationToken") == ["a+b/c=="]
    assert second == first


@pytest.mark.parametrize("operation_id", ["searchOrders", "getOrder"])
def test_sandbox_examples_become_orders(operation_id: str) -> None:
    mapped: list[Order] = []
    skipped = 0
    for status, body in contract.examples(ORDERS_MODEL, operation_id):
        if status != 200:
            continue
        for raw in body.get("orders") or [body["order"]]:
            try:
                mapped.append(order_mapping.parse_order(raw, "acme", "amazon-eu"))
            except order_mapping.Skip:
                skipped += 1
    assert len(mapped) >= 2
    for order in mapped:
        assert order.lines and all(line.line_id and line.sku for line in order.lines)
    example = contract.examples(ORDERS_MODEL, "getOrder")[0][1]["order"]
    remote = order_mapping.remote_packages(wire.Order.model_validate(example))
    assert all(package.package_ref for package in remote)


def test_sandbox_examples_of_feeds_and_listings_parse() -> None:
    models = {"createFeedDocument": wire.CreateFeedDocumentResponse,
              "createFeed": wire.CreateFeedResponse, "getFeed": wire.Feed,
              "getFeedDocument": wire.FeedDocument}
    for operation_id, model in models.items():
        for status, body in contract.examples(FEEDS_MODEL, operation_id):
            if status < 300:
                model.model_validate(body)
    statuses = {wire.ListingsItemSubmissionResponse.model_validate(body).status
                for status, body in contract.examples(LISTINGS_MODEL, "patchListingsItem")
                if status == 200}
    assert {"ACCEPTED", "INVALID"} <= statuses
    for status, body in contract.examples(LISTINGS_MODEL, "searchListingsItems"):
        if status == 200:
            assert wire.ItemSearchResults.model_validate(body).numberOfResults == 3
    for status, body in contract.examples("ordersV0.json", "confirmShipment"):
        if status >= 400 and body:
            assert wire.ErrorList.model_validate(body).errors


def test_processing_report_gives_one_result_per_sku() -> None:
    report = wire.ProcessingReport.model_validate(fixture("processing_report.json"))
    results = {r.sku: r for r in report_results("50012345678", ["C", "B", "A"], report)}
    assert results["A"].outcome is StockOutcome.APPLIED  # a warning does not reject
    assert results["B"].outcome is StockOutcome.REJECTED
    assert results["B"].reason == "90000900: quantity must be a non-negative integer"
    # issue without a SKU: message 3 is the third SKU in sorted order
    assert results["C"].outcome is StockOutcome.REJECTED and "4000001" in results["C"].reason
    assert {r.reference for r in results.values()} == {"50012345678"}
    example = contract.schema("schemas/feeds/listings-feed-processing-report-schema-v2"
                              ".example.json")
    assert wire.ProcessingReport.model_validate(example).summary.messagesProcessed >= 1


def test_feed_and_patch_requests_follow_the_models() -> None:
    uploads: list[httpx.Request] = []

    def upload(request: httpx.Request) -> httpx.Response:
        uploads.append(request)
        return httpx.Response(200)

    scripted = Scripted({
        ("POST", "/feeds/2021-06-30/documents"): lambda r: httpx.Response(
            201, json={"feedDocumentId": "amzn1.tortuga.4.eu.X", "url": "https://s3.example/up"}),
        ("PUT", "/up"): upload,
        ("POST", "/feeds/2021-06-30/feeds"): lambda r: httpx.Response(202, json={"feedId": "7"}),
        ("PATCH", "/listings/2021-08-01/items/A2SELLER/SKU 1"): lambda r: httpx.Response(
            200, json={"sku": "SKU 1", "status": "ACCEPTED", "submissionId": "s", "issues": []}),
    })
    connector = scripted.connector(NOW)
    [pending] = connector.push_stock([StockUpdate("SKU 1", 3)])
    assert (pending.outcome, pending.reference) == (StockOutcome.PENDING, "7")
    assert connector.push_stock_urgent(StockUpdate("SKU 1", 2)).outcome is StockOutcome.APPLIED
    bodies = {r.url.path: r for r in scripted.requests}
    contract.validate_body(FEEDS_MODEL, "createFeedDocument",
                           json.loads(bodies["/feeds/2021-06-30/documents"].content))
    contract.validate_body(FEEDS_MODEL, "createFeed",
                           json.loads(bodies["/feeds/2021-06-30/feeds"].content))
    patch = bodies["/listings/2021-08-01/items/A2SELLER/SKU 1"]
    contract.validate_body(LISTINGS_MODEL, "patchListingsItem", json.loads(patch.content))
    [put] = uploads
    assert "x-amz-access-token" not in put.headers
    assert put.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(put.content)["messages"][0]["sku"] == "SKU 1"
