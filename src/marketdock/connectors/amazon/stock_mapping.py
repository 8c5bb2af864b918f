"""Merchant quantities → JSON_LISTINGS_FEED documents, and processing reports → results.

A feed carries one PATCH message per SKU, replacing ``fulfillment_availability`` with
the ``DEFAULT`` (merchant) channel's quantity. SKUs are sorted inside a feed and numbered
from 1, so the message ids of a feed follow from its SKUs alone: a report issue that names
only a message id still finds its SKU.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from marketdock.connectors.amazon import wire
from marketdock.connectors.ports import StockOutcome, StockResult

AVAILABILITY_PATH = "/attributes/fulfillment_availability"
MERCHANT_CHANNEL = "DEFAULT"
FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
FBA_REFUSAL = ("is fulfilled by Amazon (FBA): marketdock never sends it a merchant quantity, "
               "which would turn the listing merchant-fulfilled and strand the FBA stock")


def availability_patch(quantity: int) -> list[dict[str, Any]]:
    return [{"op": "replace", "path": AVAILABILITY_PATH,
             "value": [{"fulfillment_channel_code": MERCHANT_CHANNEL, "quantity": quantity}]}]


def chunks(quantities: Mapping[str, int], size: int) -> Iterator[dict[str, int]]:
    """SKUs in sorted order, ``size`` per feed."""
    skus = sorted(quantities)
    for start in range(0, len(skus), size):
        yield {sku: quantities[sku] for sku in skus[start:start + size]}


def feed_document(seller_id: str, product_type: str, quantities: Mapping[str, int]) -> bytes:
    messages = [
        {"messageId": number, "sku": sku, "operationType": "PATCH",
         "productType": product_type, "patches": availability_patch(quantities[sku])}
        for number, sku in enumerate(sorted(quantities), start=1)
    ]
    document = {"header": {"sellerId": seller_id, "version": "2.0"}, "messages": messages}
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


class FeedState(StrEnum):
    WAITING = "waiting"      # IN_QUEUE or IN_PROGRESS, within the expected time
    STUCK = "stuck"          # still not finished long after it was created
    DONE = "done"            # DONE: the results hold one outcome per SKU
    FAILED = "failed"        # FATAL or CANCELLED: every SKU rejected


@dataclass(frozen=True)
class FeedCheck:
    feed_id: str
    state: FeedState
    processing_status: str
    results: Sequence[StockResult] = ()
    """One per SKU once the feed has ended (DONE or FAILED); empty while waiting/stuck."""


def report_results(feed_id: str, skus: Sequence[str],
                   report: wire.ProcessingReport) -> list[StockResult]:
    """APPLIED for every SKU without an error, REJECTED (code and message) for the rest."""
    by_message = dict(enumerate(sorted(set(skus)), start=1))
    errors: dict[str, list[str]] = {}
    for issue in report.issues:
        if issue.severity != "ERROR":
            continue
        sku = issue.sku or by_message.get(issue.messageId)
        if sku is None:
            continue
        errors.setdefault(sku, []).append(f"{issue.code}: {issue.message}".strip(": "))
    return [StockResult(sku, StockOutcome.REJECTED, "; ".join(errors[sku]), feed_id)
            if sku in errors else StockResult(sku, StockOutcome.APPLIED, "", feed_id)
            for sku in by_message.values()]


def failed_results(feed_id: str, skus: Sequence[str], status: str,
                   report: wire.ProcessingReport | None) -> list[StockResult]:
    reason = f"feed {feed_id} ended {status}"
    if report is not None and report.issues:
        reason += ": " + "; ".join(issue.message for issue in report.issues[:3])
    return [StockResult(sku, StockOutcome.REJECTED, reason, feed_id)
            for sku in sorted(set(skus))]


def fba_skus(report: wire.ProcessingReport) -> set[str]:
    """SKUs the report names as Amazon-fulfilled."""
    return {issue.sku for issue in report.issues if issue.code == "FBA_LISTING" and issue.sku}


def merchant_quantity(item: wire.Item) -> int | None:
    """The DEFAULT channel's quantity; None when the listing has no merchant channel."""
    for entry in item.fulfillmentAvailability:
        if entry.fulfillmentChannelCode == MERCHANT_CHANNEL:
            return entry.quantity if entry.quantity is not None else 0
    return None


def submission_result(response: wire.ListingsItemSubmissionResponse) -> StockResult:
    if response.status == "ACCEPTED":
        return StockResult(response.sku, StockOutcome.APPLIED, "", response.submissionId)
    reason = "; ".join(f"{issue.code}: {issue.message}" for issue in response.issues) \
        or f"status {response.status}"
    return StockResult(response.sku, StockOutcome.REJECTED, reason, response.submissionId)
