"""What happens when a feed finishes: JSON_LISTINGS_FEED messages applied, a report written.

The document is checked against Amazon's listings feed schema (v2, shipped in ``data/``).
A document that is not JSON, breaks the schema or has more messages than allowed ends the
feed FATAL with a report naming the problem; otherwise each message is applied like a
Listings Items call and the report lists per-message issues (unknown SKU, FBA listing,
bad quantity). Feed types the simulator does not process end FATAL.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from starlette.requests import Request

from marketdock.sandbox.amazon.http import Call, Simulator
from marketdock.sandbox.amazon.listings import apply_patches, drifts, quantity_problem
from marketdock.sandbox.amazon.model import Document, Feed, Listing


@cache
def listings_feed_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data/listings-feed-schema-v2.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return schema


def finish_feed(sim: Simulator, feed: Feed) -> None:
    """Called once when a feed leaves IN_PROGRESS."""
    if feed.fatal:
        feed.status = "FATAL"
        return
    document = sim.state.documents.get(feed.document_id)
    if feed.feed_type != "JSON_LISTINGS_FEED":
        _report(sim, feed, "FATAL", _fatal(feed, f"feed type {feed.feed_type} is not processed"))
        return
    if document is None or document.content is None:
        _report(sim, feed, "FATAL", _fatal(feed, "the feed document was never uploaded"))
        return
    try:
        content = json.loads(document.content)
        jsonschema.validate(content, listings_feed_schema())
    except (ValueError, jsonschema.ValidationError) as exc:
        reason = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
        _report(sim, feed, "FATAL", _fatal(feed, f"the feed document is invalid: {reason}"))
        return
    limit = sim.state.config.listings_feed_max_messages
    if len(content["messages"]) > limit:
        _report(sim, feed, "FATAL", _fatal(feed, f"more than {limit} messages"))
        return
    issues = [i for m in content["messages"] for i in _apply(sim, feed, m)]
    invalid_ids = {i["messageId"] for i in issues}
    processed = len(content["messages"])
    report = {
        "header": {"sellerId": feed.seller_id, "version": "2.0", "feedId": feed.feed_id},
        "issues": issues,
        "summary": {
            "errors": len(issues),
            "warnings": 0,
            "messagesProcessed": processed,
            "messagesAccepted": processed - len(invalid_ids),
            "messagesInvalid": len(invalid_ids),
        },
    }
    _report(sim, feed, "DONE", report)


def _fatal(feed: Feed, message: str) -> dict[str, Any]:
    return {
        "header": {"sellerId": feed.seller_id, "version": "2.0", "feedId": feed.feed_id},
        "issues": [{"messageId": 0, "code": "4000002", "severity": "ERROR", "message": message}],
        "summary": {
            "errors": 1,
            "warnings": 0,
            "messagesProcessed": 0,
            "messagesAccepted": 0,
            "messagesInvalid": 0,
        },
    }


def _report(sim: Simulator, feed: Feed, status: str, report: dict[str, Any]) -> None:
    doc_id = f"amzn1.tortuga.4.eu.result-{feed.feed_id}"
    sim.state.documents[doc_id] = Document(
        doc_id, feed.seller_id, "application/json", sim.now(), json.dumps(report).encode()
    )
    feed.status, feed.result_document_id = status, doc_id


def _issue(message: dict[str, Any], code: str, text: str) -> dict[str, Any]:
    return {
        "messageId": message["messageId"],
        "sku": message["sku"],
        "code": code,
        "severity": "ERROR",
        "message": text,
    }


# Feed messages reuse the Listings Items rules through a Call without a client request;
# faults consulted while applying them see the feeds path.
_FEED_REQUEST = Request(
    {
        "type": "http",
        "method": "POST",
        "path": "/feeds/2021-06-30/feeds",
        "headers": [],
        "query_string": b"",
    }
)


def _apply(sim: Simulator, feed: Feed, message: dict[str, Any]) -> list[dict[str, Any]]:
    key = (feed.seller_id, message["sku"])
    listing = sim.state.listings.get(key)
    operation = message["operationType"]
    if operation == "DELETE":
        if listing is None:
            return [_issue(message, "4000001", f"SKU {message['sku']} does not exist")]
        del sim.state.listings[key]
        return []
    if listing is None:
        if operation != "UPDATE":
            return [_issue(message, "4000001", f"SKU {message['sku']} does not exist")]
        listing = Listing(
            message["sku"],
            feed.seller_id,
            list(feed.marketplace_ids),
            message["productType"],
            "",
            message["sku"],
            "DEFAULT",
            0,
            sim.now(),
            sim.now(),
        )
        sim.state.listings[key] = listing
    call = Call(sim, feed.seller_id, _FEED_REQUEST)
    if operation == "PATCH":
        issues = apply_patches(call, listing, message["patches"], preview=False)
        return [_issue(message, i["code"], i["message"]) for i in issues]
    return _replace_attributes(call, listing, message)


def _replace_attributes(
    call: Call, listing: Listing, message: dict[str, Any]
) -> list[dict[str, Any]]:
    attributes = dict(message.get("attributes", {}))
    availability = attributes.pop("fulfillment_availability", None)
    if availability is not None:
        problem = quantity_problem(listing, availability)
        if problem:
            return [_issue(message, problem[0], problem[1])]
        if not drifts(call, listing):
            listing.quantity = availability[0]["quantity"]
    if message["operationType"] == "UPDATE":
        listing.attributes = attributes
        listing.product_type = message["productType"]
    else:
        listing.attributes.update(attributes)
    listing.updated = call.sim.now()
    return []
