"""Listings Items quantities and the JSON_LISTINGS_FEED lifecycle on the simulated clock."""

from __future__ import annotations

import json
from typing import Any

from marketdock.sandbox.amazon import DEFAULT_SELLER
from tests.sandbox.amazon.conftest import DE, Sim

ITEMS = f"/listings/2021-08-01/items/{DEFAULT_SELLER}"
FEEDS = "/feeds/2021-06-30"
LISTINGS = {
    "listings": [
        {"sku": "MFN-1", "quantity": 4},
        {"sku": "FBA-1", "fulfillment": "AFN", "quantity": 0},
    ]
}


def quantity_patch(qty: int) -> dict[str, Any]:
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}]
    return {
        "productType": "PRODUCT",
        "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}
        ],
    }


def read_quantity(sim: Sim, sku: str) -> int:
    body = sim.client.get(
        f"{ITEMS}/{sku}", params={"marketplaceIds": DE, "includedData": "fulfillmentAvailability"}
    )
    quantity: int = body.json()["fulfillmentAvailability"][0]["quantity"]
    return quantity


def test_patch_quantity_and_read_it_back(sim: Sim) -> None:
    sim.seed(LISTINGS)
    response = sim.client.patch(
        f"{ITEMS}/MFN-1", params={"marketplaceIds": DE}, json=quantity_patch(9)
    )
    assert response.json()["status"] == "ACCEPTED"
    assert read_quantity(sim, "MFN-1") == 9
    preview = sim.client.patch(
        f"{ITEMS}/MFN-1",
        json=quantity_patch(1),
        params={"marketplaceIds": DE, "mode": "VALIDATION_PREVIEW"},
    )
    assert preview.json()["status"] == "VALID" and read_quantity(sim, "MFN-1") == 9
    found = sim.client.get(
        ITEMS,
        params={
            "marketplaceIds": DE,
            "identifiersType": "SKU",
            "identifiers": "MFN-1,FBA-1",
            "includedData": "fulfillmentAvailability",
        },
    ).json()
    assert found["numberOfResults"] == 2
    assert {
        i["sku"]: i["fulfillmentAvailability"][0]["fulfillmentChannelCode"] for i in found["items"]
    } == {"FBA-1": "AMAZON_EU", "MFN-1": "DEFAULT"}


def test_fba_listing_rejects_a_merchant_quantity(sim: Sim) -> None:
    sim.seed(LISTINGS)
    response = sim.client.patch(
        f"{ITEMS}/FBA-1", params={"marketplaceIds": DE}, json=quantity_patch(5)
    ).json()
    assert response["status"] == "INVALID" and response["issues"][0]["code"] == "FBA_LISTING"
    assert read_quantity(sim, "FBA-1") == 0


def test_unknown_sku_and_foreign_seller(sim: Sim) -> None:
    sim.seed(LISTINGS)
    assert sim.client.get(f"{ITEMS}/NOPE", params={"marketplaceIds": DE}).status_code == 404
    other = "/listings/2021-08-01/items/AOTHER/MFN-1"
    assert sim.client.get(other, params={"marketplaceIds": DE}).status_code == 403


def test_drift_skus_are_accepted_but_not_applied(sim: Sim) -> None:
    sim.seed(LISTINGS)
    sim.client.put("/_admin/config", json={"drift_skus": ["MFN-1"]})
    response = sim.client.patch(
        f"{ITEMS}/MFN-1", params={"marketplaceIds": DE}, json=quantity_patch(9)
    )
    assert response.json()["status"] == "ACCEPTED" and read_quantity(sim, "MFN-1") == 4
    sim.faults.set("quantity_not_applied", count=1)
    sim.client.put("/_admin/config", json={"drift_skus": []})
    sim.client.patch(f"{ITEMS}/MFN-1", params={"marketplaceIds": DE}, json=quantity_patch(7))
    assert read_quantity(sim, "MFN-1") == 4


def submit_feed(sim: Sim, document: dict[str, Any] | bytes) -> str:
    content_type = "application/json; charset=UTF-8"
    doc = sim.client.post(f"{FEEDS}/documents", json={"contentType": content_type})
    assert doc.status_code == 201
    payload = document if isinstance(document, bytes) else json.dumps(document).encode()
    upload = sim.client.put(
        doc.json()["url"], content=payload, headers={"content-type": content_type}
    )
    assert upload.status_code == 200
    feed = sim.client.post(
        f"{FEEDS}/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [DE],
            "inputFeedDocumentId": doc.json()["feedDocumentId"],
        },
    )
    assert feed.status_code == 202, feed.text
    feed_id: str = feed.json()["feedId"]
    return feed_id


def listings_feed(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"header": {"sellerId": DEFAULT_SELLER, "version": "2.0"}, "messages": list(messages)}


def stock_message(message_id: int, sku: str, qty: int) -> dict[str, Any]:
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH", **quantity_patch(qty)}


def status(sim: Sim, feed_id: str) -> dict[str, Any]:
    body: dict[str, Any] = sim.client.get(f"{FEEDS}/feeds/{feed_id}").json()
    return body


def report(sim: Sim, feed_id: str) -> dict[str, Any]:
    doc_id = status(sim, feed_id)["resultFeedDocumentId"]
    url = sim.client.get(f"{FEEDS}/documents/{doc_id}").json()["url"]
    body: dict[str, Any] = sim.client.get(url).json()
    return body


def test_feed_lifecycle_and_processing_report(sim: Sim) -> None:
    sim.seed(LISTINGS)
    feed_id = submit_feed(
        sim,
        listings_feed(
            stock_message(1, "MFN-1", 12),
            stock_message(2, "GHOST", 3),
            stock_message(3, "FBA-1", 3),
        ),
    )
    assert status(sim, feed_id)["processingStatus"] == "IN_QUEUE"
    sim.advance(30)
    assert status(sim, feed_id)["processingStatus"] == "IN_PROGRESS"
    assert read_quantity(sim, "MFN-1") == 4
    sim.advance(90)
    done = status(sim, feed_id)
    assert done["processingStatus"] == "DONE" and "processingEndTime" in done
    body = report(sim, feed_id)
    assert body["summary"] == {
        "errors": 2,
        "warnings": 0,
        "messagesProcessed": 3,
        "messagesAccepted": 1,
        "messagesInvalid": 2,
    }
    assert {i["sku"] for i in body["issues"]} == {"GHOST", "FBA-1"}
    assert read_quantity(sim, "MFN-1") == 12


def test_schema_invalid_document_ends_fatal(sim: Sim) -> None:
    feed_id = submit_feed(
        sim, {"header": {"sellerId": DEFAULT_SELLER, "version": "1.0"}, "messages": []}
    )
    sim.advance(120)
    assert status(sim, feed_id)["processingStatus"] == "FATAL"
    assert "invalid" in report(sim, feed_id)["issues"][0]["message"]
    garbage = submit_feed(sim, b"not json")
    sim.advance(120)
    assert status(sim, garbage)["processingStatus"] == "FATAL"


def test_feed_stuck_fault_keeps_a_feed_in_progress(sim: Sim) -> None:
    sim.seed(LISTINGS)
    sim.faults.set("feed_stuck", count=1)
    stuck = submit_feed(sim, listings_feed(stock_message(1, "MFN-1", 1)))
    normal = submit_feed(sim, listings_feed(stock_message(1, "MFN-1", 2)))
    sim.advance(3000)
    sim.login()
    assert status(sim, stuck)["processingStatus"] == "IN_PROGRESS"
    assert status(sim, normal)["processingStatus"] == "DONE"


def test_five_listings_feeds_per_five_minutes(sim: Sim) -> None:
    sim.client.put("/_admin/config", json={"rate_limits": False})
    for _ in range(5):
        submit_feed(sim, listings_feed(stock_message(1, "X", 1)))
    doc = sim.client.post(f"{FEEDS}/documents", json={"contentType": "application/json"}).json()
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [DE],
        "inputFeedDocumentId": doc["feedDocumentId"],
    }
    assert sim.client.post(f"{FEEDS}/feeds", json=spec).status_code == 429
    sim.advance(300)
    assert sim.client.post(f"{FEEDS}/feeds", json=spec).status_code == 202


def test_upload_needs_the_declared_content_type_within_five_minutes(sim: Sim) -> None:
    doc = sim.client.post(
        f"{FEEDS}/documents", json={"contentType": "application/json; charset=UTF-8"}
    ).json()
    wrong = sim.client.put(doc["url"], content=b"{}", headers={"content-type": "text/plain"})
    assert wrong.status_code == 403 and b"SignatureDoesNotMatch" in wrong.content
    sim.advance(301)
    late = sim.client.put(
        doc["url"], content=b"{}", headers={"content-type": "application/json; charset=UTF-8"}
    )
    assert late.status_code == 403 and b"expired" in late.content
