"""Edge cases of the calls, with small handlers in place of ShipBob (httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.connectors.ports import CancelOutcome
from marketdock.connectors.shipbob.api import ShipBobApi, error_code
from marketdock.connectors.shipbob.connector import ShipBobConnector
from marketdock.connectors.shipbob.cursor import PollCursor
from marketdock.connectors.shipbob.settings import ShipBobSettings
from marketdock.engine.clock import FrozenClock
from marketdock.errors import ConfigError, RemoteError
from tests.connectors.shipbob.conftest import load
from tests.connectors.shipbob.harness import order

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
Handler = Callable[[httpx.Request], httpx.Response]


def connector(handler: Handler, **settings: Any) -> ShipBobConnector:
    config = ShipBobSettings(**{"base_url": "http://shipbob.test", "api_key": "pat-1",
                                "channel_id": 4711, **settings})
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url=config.base_url)
    caller = HttpCaller(client=client, system="shipbob", tenant_id="acme",
                        account="shipbob:hh", error_code=error_code)
    return ShipBobConnector(ShipBobApi(caller, config), config, FrozenClock(NOW),
                            tenant_id="acme", warehouse_id="hh")


def test_an_unreadable_inventory_record_turns_the_snapshot_into_a_delta() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=load("inventory_levels_broken.json"))

    snapshot = connector(handler).fetch_stock()
    assert [(p.sku, p.available) for p in snapshot.positions] == [("MUG", 5)]
    assert not snapshot.full  # CAP, the record without SKU and SOCK were unreadable
    assert seen[0].headers["authorization"] == "Bearer pat-1"
    assert seen[0].url.params["PageSize"] == "250"


def test_inventory_pages_are_followed_and_a_loop_is_refused() -> None:
    first = load("inventory_levels.json")
    second = {"items": [{"sku": "CAP", "total_on_hand_quantity": 1,
                         "total_fulfillable_quantity": 1}], "next": None}
    first["next"] = "/2026-01/inventory-level?PageSize=250&Cursor=250"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=second if "Cursor=250" in str(request.url) else first)

    snapshot = connector(handler).fetch_stock()
    assert [p.sku for p in snapshot.positions] == ["MUG", "TEE-M", "CAP"] and snapshot.full

    second["next"] = first["next"]
    with pytest.raises(RemoteError, match="came twice"):
        connector(handler).fetch_stock()


def test_an_answer_of_the_wrong_shape_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"orders": []})

    with pytest.raises(BadResponse, match="expected a list"):
        connector(handler).fetch_updates(None)
    with pytest.raises(BadResponse, match="GET /inventory-level: unexpected answer at items"):
        connector(lambda r: httpx.Response(200, json={"items": 5})).fetch_stock()


def test_the_first_poll_looks_back_a_month_and_later_ones_overlap_the_cursor() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["LastUpdateStartDate"])
        return httpx.Response(200, json=[load("order_split_shipped.json")])

    port = connector(handler)
    first = port.fetch_updates(None)
    port.fetch_updates(first.cursor)
    assert asked == ["2026-01-31T07:00:00Z", "2026-03-02T06:15:00Z"]


def test_an_unreadable_cursor_starts_over() -> None:
    assert PollCursor.decode("not json") == PollCursor()
    assert PollCursor.decode('{"since": "yesterday"}') == PollCursor()


def test_a_cancellation_refused_for_another_reason_is_a_remote_error() -> None:
    order = load("order_split_shipped.json")
    order["status"] = "Processing"
    for shipment in order["shipments"]:
        shipment["status"] = "Processing"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(422, json={"order": ["Order is on hold."]})
        return httpx.Response(200, json=[order])

    with pytest.raises(RemoteError, match="refused: order: Order is on hold."):
        connector(handler).cancel_order("OTTO-7-1")


def test_webhooks_need_the_secret_in_the_connection() -> None:
    port = connector(lambda r: httpx.Response(500))
    with pytest.raises(ConfigError, match="webhook_secret is not set"):
        port.receive_webhook({}, b"{}")


def test_a_duplicate_that_cannot_be_read_back_yet_is_not_a_rejection() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(422, json=load("create_order_duplicate_422.json"))
        return httpx.Response(200, json=[])

    with pytest.raises(RemoteError, match="cannot be read back yet") as caught:
        connector(handler).send_order(order("OTTO-7-1", ("L1", "MUG", 2)))
    assert caught.value.status is None  # transient: the flow retries instead of holding


def test_a_partly_refused_cancellation_is_settled_by_reading_the_order() -> None:
    raw = load("order_split_shipped.json")
    raw["status"] = "Processing"
    for shipment in raw["shipments"]:
        shipment["status"] = "Processing"
    reads = [raw, {**raw, "shipments": [{**raw["shipments"][0], "status": "LabeledCreated"}]}]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"order_id": raw["id"], "status": "Failure",
                                             "canceled_shipment_results": []})
        return httpx.Response(200, json=[reads.pop(0)])

    assert connector(handler).cancel_order("OTTO-7-1") is CancelOutcome.ALREADY_SHIPPED
