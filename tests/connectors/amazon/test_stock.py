"""push_stock through JSON_LISTINGS_FEEDs, the processing report, urgent patches and
read-back, against the simulator."""

from __future__ import annotations

import json

import jsonschema
import pytest

from marketdock.connectors.amazon import AmazonConnector, FeedState
from marketdock.connectors.amazon.stock_mapping import feed_document
from marketdock.connectors.ports import StockOutcome, StockUpdate
from marketdock.errors import RateLimited
from tests.connectors.amazon import contract
from tests.connectors.amazon.conftest import Sandbox

FEED_SECONDS = 130  # queue (30 s) and processing (90 s) of a simulated feed, and a bit


def _listings(sandbox: Sandbox, *skus: str, fba: tuple[str, ...] = ()) -> None:
    sandbox.seed(listings=[{"sku": sku, "quantity": 1, "marketplaces": ["DE", "UK"]}
                           for sku in skus] +
                 [{"sku": sku, "fulfillment": "AFN", "quantity": 7} for sku in fba])


def _quantity(sandbox: Sandbox, sku: str) -> int:
    return next(li.quantity for (_, s), li in sandbox.state.listings.items() if s == sku)


def test_feed_applies_quantities_and_reports_errors_per_sku(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A", "B", fba=("FBA-1",))
    results = connector.push_stock([StockUpdate("A", 5), StockUpdate("B", 0),
                                    StockUpdate("NOPE", 3), StockUpdate("FBA-1", 2),
                                    StockUpdate("A", 6)])
    assert [(r.sku, r.outcome) for r in results] == [
        ("A", StockOutcome.PENDING), ("B", StockOutcome.PENDING),
        ("NOPE", StockOutcome.PENDING), ("FBA-1", StockOutcome.PENDING)]
    feed_id = results[0].reference
    assert feed_id is not None and {r.reference for r in results} == {feed_id}
    waiting = connector.check_feed(feed_id, [r.sku for r in results])
    assert (waiting.state, waiting.results) == (FeedState.WAITING, ())

    sandbox.advance(FEED_SECONDS)
    done = connector.check_feed(feed_id, [r.sku for r in results])
    assert done.state is FeedState.DONE
    outcome = {r.sku: r for r in done.results}
    assert outcome["A"].outcome is StockOutcome.APPLIED and _quantity(sandbox, "A") == 6
    assert outcome["B"].outcome is StockOutcome.APPLIED and _quantity(sandbox, "B") == 0
    assert outcome["FBA-1"].outcome is StockOutcome.REJECTED
    assert "FBA_LISTING" in outcome["FBA-1"].reason
    assert outcome["NOPE"].outcome is StockOutcome.REJECTED
    assert _quantity(sandbox, "FBA-1") == 7
    # Amazon named FBA-1 as Amazon-fulfilled: it is never sent a quantity again
    [again] = connector.push_stock([StockUpdate("FBA-1", 1)])
    assert again.outcome is StockOutcome.REJECTED and "fulfilled by Amazon" in again.reason


def test_fba_skus_from_the_listings_are_refused_before_sending(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    connector.fba_lookup = lambda skus: [sku for sku in skus if sku.startswith("FBA")]
    _listings(sandbox, "A", fba=("FBA-2",))
    results = connector.push_stock([StockUpdate("FBA-2", 4), StockUpdate("A", 2),
                                    StockUpdate("A2", -1)])
    refused = {r.sku: r.reason for r in results if r.outcome is StockOutcome.REJECTED}
    assert set(refused) == {"FBA-2", "A2"}
    assert "fulfilled by Amazon" in refused["FBA-2"] and "negative" in refused["A2"]
    [feed] = sandbox.state.feeds.values()
    content = sandbox.state.documents[feed.document_id].content
    assert content is not None
    assert [m["sku"] for m in json.loads(content)["messages"]] == ["A"]
    refused_now = connector.push_stock_urgent(StockUpdate("FBA-2", 4))
    assert refused_now.outcome is StockOutcome.REJECTED


def test_large_pushes_are_split_into_feeds_of_the_limit(sandbox: Sandbox) -> None:
    connector = sandbox.connector(feed_max_messages=3)
    _listings(sandbox, *(f"S{i}" for i in range(7)))
    results = connector.push_stock([StockUpdate(f"S{i}", i) for i in range(7)])
    assert len({r.reference for r in results}) == 3
    assert len(sandbox.state.feeds) == 3
    sandbox.advance(FEED_SECONDS)
    for feed_id in {r.reference for r in results if r.reference}:
        skus = [r.sku for r in results if r.reference == feed_id]
        check = connector.check_feed(feed_id, skus)
        assert {r.outcome for r in check.results} == {StockOutcome.APPLIED}
    assert [_quantity(sandbox, f"S{i}") for i in range(7)] == list(range(7))


def test_stuck_feed_is_detected(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A")
    sandbox.faults.set("feed_stuck", count=1)
    [result] = connector.push_stock([StockUpdate("A", 3)])
    assert result.reference is not None
    sandbox.advance(FEED_SECONDS)
    assert connector.check_feed(result.reference, ["A"]).state is FeedState.WAITING
    sandbox.advance(3 * 3600)
    stuck = connector.check_feed(result.reference, ["A"])
    assert (stuck.state, stuck.processing_status) == (FeedState.STUCK, "IN_PROGRESS")


def test_fatal_feed_rejects_every_sku(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A", "B")
    sandbox.faults.set("feed_fatal", count=1)
    results = connector.push_stock([StockUpdate("A", 3), StockUpdate("B", 4)])
    sandbox.advance(FEED_SECONDS)
    assert results[0].reference is not None
    failed = connector.check_feed(results[0].reference, ["A", "B"])
    assert failed.state is FeedState.FAILED
    assert [(r.sku, r.outcome) for r in failed.results] == [
        ("A", StockOutcome.REJECTED), ("B", StockOutcome.REJECTED)]


def test_sixth_feed_in_five_minutes_is_rate_limited(sandbox: Sandbox) -> None:
    connector = sandbox.connector(feed_max_messages=1)
    _listings(sandbox, *(f"S{i}" for i in range(6)))
    with pytest.raises(RateLimited):
        connector.push_stock([StockUpdate(f"S{i}", 1) for i in range(6)])
    assert len(sandbox.state.feeds) == 5


def test_urgent_sku_goes_through_patch_and_reads_back(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A", fba=("FBA-3",))
    applied = connector.push_stock_urgent(StockUpdate("A", 9))
    assert applied.outcome is StockOutcome.APPLIED and applied.reference
    assert _quantity(sandbox, "A") == 9
    unknown = connector.push_stock_urgent(StockUpdate("GHOST", 1))
    assert unknown.outcome is StockOutcome.UNKNOWN_SKU
    fba = connector.push_stock_urgent(StockUpdate("FBA-3", 1))
    assert fba.outcome is StockOutcome.REJECTED and "FBA_LISTING" in fba.reason
    assert connector.read_stock(["A", "GHOST", "FBA-3"]) == {"A": 9, "GHOST": None,
                                                             "FBA-3": None}


def test_read_back_finds_silent_drift_across_many_skus(sandbox: Sandbox) -> None:
    connector: AmazonConnector = sandbox.connector()
    skus = [f"R{i:02d}" for i in range(45)]
    _listings(sandbox, *skus)
    sandbox.state.config.drift_skus = ["R07"]
    connector.push_stock([StockUpdate(sku, 4) for sku in skus])
    sandbox.advance(FEED_SECONDS)
    shown = connector.read_stock(skus)
    assert len(shown) == 45
    assert {sku for sku, quantity in shown.items() if quantity != 4} == {"R07"}


def test_feed_document_follows_amazons_schema() -> None:
    document = json.loads(feed_document("A2SELLER", "PRODUCT", {"B": 2, "A": 0}))
    jsonschema.Draft7Validator(
        contract.schema("schemas/feeds/listings-feed-schema-v2.json")).validate(document)
    assert [(m["messageId"], m["sku"]) for m in document["messages"]] == [(1, "A"), (2, "B")]
    patch = document["messages"][1]["patches"][0]
    assert patch["value"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}]
