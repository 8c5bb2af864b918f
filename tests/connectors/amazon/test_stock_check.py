"""The port's view of stock feeds (check_stock) and of urgent quantities (push_stock_now),
against the simulator."""

from __future__ import annotations

from marketdock.connectors.ports import (
    Capability,
    StockCheckState,
    StockOutcome,
    StockUpdate,
)
from tests.connectors.amazon.conftest import Sandbox

FEED_SECONDS = 130


def _listings(sandbox: Sandbox, *skus: str) -> None:
    sandbox.seed(listings=[{"sku": sku, "quantity": 1, "marketplaces": ["DE", "UK"]}
                           for sku in skus])


def test_a_feed_is_checked_until_done_with_a_result_per_sku(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    assert connector.supports(Capability.CHECK_STOCK)
    _listings(sandbox, "A")
    results = connector.push_stock([StockUpdate("A", 4), StockUpdate("NOPE", 2)])
    feed_id = results[0].reference
    assert feed_id is not None
    waiting = connector.check_stock(feed_id, ["A", "NOPE"])
    assert (waiting.state, waiting.results, waiting.reason) == (StockCheckState.WAITING, (), "")
    sandbox.advance(FEED_SECONDS)
    done = connector.check_stock(feed_id, ["A", "NOPE"])
    assert done.state is StockCheckState.DONE
    assert [(r.sku, r.outcome, r.reference) for r in done.results] == [
        ("A", StockOutcome.APPLIED, feed_id), ("NOPE", StockOutcome.REJECTED, feed_id)]
    assert done.results[1].reason


def test_a_stuck_feed_says_which_and_since_when(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A")
    sandbox.faults.set("feed_stuck", count=1)
    [result] = connector.push_stock([StockUpdate("A", 3)])
    assert result.reference is not None
    sandbox.advance(3 * 3600)
    stuck = connector.check_stock(result.reference, ["A"])
    assert stuck.state is StockCheckState.STUCK and stuck.results == ()
    assert stuck.reason == (f"Amazon feed {result.reference} is still IN_PROGRESS more "
                            "than 2 h after it was submitted")


def test_a_fatal_feed_is_failed_with_its_reason(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A", "B")
    sandbox.faults.set("feed_fatal", count=1)
    results = connector.push_stock([StockUpdate("A", 3), StockUpdate("B", 4)])
    feed_id = results[0].reference
    assert feed_id is not None
    sandbox.advance(FEED_SECONDS)
    failed = connector.check_stock(feed_id, ["A", "B"])
    assert failed.state is StockCheckState.FAILED and failed.results == ()
    assert failed.reason.startswith(f"Amazon feed {feed_id} ended FATAL")


def test_an_urgent_quantity_goes_out_at_once_without_a_feed(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    _listings(sandbox, "A")
    result = connector.push_stock_now(StockUpdate("A", 0))
    assert result.outcome is StockOutcome.APPLIED
    assert sandbox.state.feeds == {}
    assert connector.read_stock(["A"]) == {"A": 0}
    unknown = connector.push_stock_now(StockUpdate("GHOST", 1))
    assert unknown.outcome is StockOutcome.UNKNOWN_SKU
