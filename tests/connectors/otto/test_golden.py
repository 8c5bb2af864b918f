"""Golden tests: requests built from domain records, answers read into ports types.

Fixtures are OTTO-shaped JSON files under ``fixtures/``; request bodies are also validated
against OTTO's contract schemas (through the simulator tests' contract module).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from marketdock.connectors.otto import api, orders, returns, shipments, stock, wire
from marketdock.connectors.otto.settings import OttoSettings, ShipFrom
from marketdock.connectors.ports import CarrierChoice, StockUpdate
from marketdock.domain import Order, Package, Parcel, TrackingKey
from marketdock.errors import ConfigError, ValidationError
from tests.sandbox.otto.contract import validator

FIXTURES = Path(__file__).parent / "fixtures"
SHIP_FROM = ShipFrom(city="Hamburg", zip_code="22113", country_code="DE")
CET = timezone(timedelta(hours=1))


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def page_orders() -> list[Order]:
    page = wire.OrderPage.model_validate(fixture("orders-v4.page.json"))
    good, _ = orders.read_page(page.resources, "acme", "otto-de", "otto orders v4 (otto-de)", 1)
    return [order for _, order in good]


def parcel(order: Order, **changes: Any) -> Package:
    fields: dict[str, Any] = {
        "tenant_id": "acme", "warehouse_id": "wh1", "package_ref": "PK-1",
        "channel_account_id": "otto-de", "marketplace_order_id": order.marketplace_order_id,
        "carrier": "hermes-std", "tracking_number": "H1234567890123456789",
        "return_tracking": {"carrier": "dhl", "tracking_number": "577546565072"},
        "shipped_at": datetime(2026, 3, 2, 15, 5, 9, 250_000, tzinfo=CET),
        "lines": [{"line_id": "1a000000-0000-4000-8000-000000000001", "quantity": 1}],
    }
    return Package.create(**{**fields, **changes})


def body(request: wire.CreateShipment) -> Any:
    return request.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---------------------------------------------------------------- orders


def test_order_page_maps_to_domain_orders_and_quarantine() -> None:
    page = wire.OrderPage.model_validate(fixture("orders-v4.page.json"))
    good, bad = orders.read_page(page.resources, "acme", "otto-de", "otto orders v4 (otto-de)", 1)
    mapped = {"orders": [o.model_dump(mode="json", exclude_none=True) for _, o in good],
              "quarantined": [dataclasses.asdict(q) for q in bad],
              "next": wire.next_href(page.links)}
    assert mapped == fixture("orders-v4.page.expected.json")


def test_the_newest_copy_of_a_repeated_order_wins() -> None:
    raw = fixture("orders-v4.page.json")["resources"][0]
    older = {**raw, "orderLifecycleInformation": {"lifecycleChangeDate": "2026-03-02T07:00:00Z"},
             "positionItems": [{**raw["positionItems"][0], "fulfillmentStatus": "ANNOUNCED"}]}
    good, _ = orders.read_page([raw, older], "acme", "otto-de", "test", 1)
    [kept] = orders.latest(good)
    assert kept.lines[0].marketplace_status == "PROCESSABLE"


# ---------------------------------------------------------------- shipments


def test_parcel_shipment_request() -> None:
    order = page_orders()[0]
    request = shipments.shipment_request(order, parcel(order), CarrierChoice(code="HERMES"),
                                         SHIP_FROM, None)
    sent = body(request)
    assert sent == fixture("shipment-create.parcel.request.json")
    validator("Shipments-V1", "CreateShipmentRequest").validate(sent)


def test_forwarder_shipment_request_without_numbers() -> None:
    order = page_orders()[0]
    package = parcel(order, tracking_number=None, return_tracking=None, carrier="schenker")
    request = shipments.shipment_request(order, package, CarrierChoice(code="DB_SCHENKER"),
                                         SHIP_FROM, None)
    sent = body(request)
    assert sent == fixture("shipment-create.forwarder.request.json")
    validator("Shipments-V1", "CreateShipmentRequest").validate(sent)


def test_multiparcel_request_validates() -> None:
    order = page_orders()[0]
    boxes = parcel(order, tracking_number="H0").evolve(more_parcels=(Parcel(
        tracking_number="H1", return_tracking=TrackingKey(carrier="HERMES",
                                                          tracking_number="R1")),))
    sent = [body(shipments.shipment_request(order, box, CarrierChoice(code="HERMES"), SHIP_FROM,
                                            None)) for box in boxes.parcels()]
    validator("Shipments-V1", ["MultiparcelCreateShipmentRequest"]).validate(sent)
    assert [b["trackingKey"]["trackingNumber"] for b in sent] == ["H0", "H1"]
    assert sent[1]["positionItems"][0]["returnTrackingKey"]["trackingNumber"] == "R1"


def test_return_carrier_setting_replaces_a_warehouse_code() -> None:
    order = page_orders()[0]
    package = parcel(order, return_tracking={"carrier": "dhl-retoure", "tracking_number": "R9"})
    request = shipments.shipment_request(order, package, CarrierChoice(code="HERMES"),
                                         SHIP_FROM, "GLS")
    key = request.position_items[0].return_tracking_key
    assert key is not None
    assert (key.carrier, key.tracking_number) == ("GLS", "R9")


@pytest.mark.parametrize(("changes", "carrier", "message"), [
    ({"return_tracking": None}, "DHL", "no return tracking key"),
    ({"tracking_number": None}, "GLS", "no tracking number"),
    ({"lines": [{"line_id": "elsewhere", "quantity": 1}]}, "DHL", "does not have"),
    ({"lines": [{"line_id": "1a000000-0000-4000-8000-000000000001", "quantity": 2}]}, "DHL",
     "more than one unit"),
    ({"marketplace_order_id": "another"}, "DHL", "belongs to order another"),
])
def test_a_package_otto_would_refuse_is_refused_here(changes: dict[str, Any], carrier: str,
                                                     message: str) -> None:
    order = page_orders()[0]
    with pytest.raises(ValidationError, match=message) as caught:
        shipments.shipment_request(order, parcel(order, **changes), CarrierChoice(code=carrier),
                                   SHIP_FROM, None)
    assert "PK-1" in caught.value.message


def test_no_ship_from_address_names_the_options() -> None:
    order = page_orders()[0]
    with pytest.raises(ConfigError, match="ship_from_city"):
        shipments.shipment_request(order, parcel(order), CarrierChoice(code="DHL"), None, None)


def test_shipment_answer_becomes_a_remote_package_of_the_order() -> None:
    shipment = wire.Shipment.model_validate(fixture("shipment.response.json"))
    remote = shipments.remote_package(shipment, "0b6e7c1a-2f4d-4e8b-9a3c-5d1f2e3a4b01")
    assert remote.package_ref == "100000294699"
    assert (remote.carrier_code, remote.tracking_number) == ("HERMES", "H1234567890123456789")
    assert remote.line_quantities == {"1a000000-0000-4000-8000-000000000001": 1}


def test_error_code_is_the_first_title() -> None:
    response = httpx.Response(409, json=fixture("shipment-create.409.response.json"))
    assert api.error_code(response) == "POSITION_ITEM_INCLUDED_IN_OTHER_SHIPMENT"
    assert api.error_code(httpx.Response(401, json={"error": "invalid_client"})) == \
        "invalid_client"
    assert api.error_code(httpx.Response(502, content=b"<html>")) is None


# ---------------------------------------------------------------- stock


def test_quantities_request_in_batches() -> None:
    updates = [StockUpdate(q["sku"], q["quantity"]) for q in fixture("quantities.request.json")]
    [batch] = stock.batches(updates)
    sent = [q.model_dump(mode="json", by_alias=True) for q in batch]
    assert sent == fixture("quantities.request.json")
    validator("Availability-V1", ["AvailableQuantityRequestDTO"]).validate(sent)
    many = stock.batches([StockUpdate(f"S{n}", 1) for n in range(401)])
    assert [len(b) for b in many] == [200, 200, 1]
    twice = stock.batches([StockUpdate("A", 1), StockUpdate("B", 2), StockUpdate("A", 3)])
    assert [(q.sku, q.quantity) for q in twice[0]] == [("B", 2), ("A", 3)]


def test_207_answer_maps_to_a_result_per_sku() -> None:
    [batch] = stock.batches([StockUpdate(q["sku"], q["quantity"])
                             for q in fixture("quantities.request.json")])
    answer = wire.QuantityAnswer.model_validate(fixture("quantities.207.response.json"))
    results = [dataclasses.asdict(r) for r in stock.results(batch, answer)]
    assert json.loads(json.dumps(results)) == fixture("quantities.207.expected.json")


def test_negative_stock_is_refused() -> None:
    with pytest.raises(ValidationError, match="SKU 'A'"):
        stock.batches([StockUpdate("A", -1)])


# ---------------------------------------------------------------- settings and token


def test_token_answer_and_settings() -> None:
    token = wire.TokenResponse.model_validate(fixture("token.response.json"))
    assert (token.access_token, token.expires_in) == ("eyJhbGciOiJSUzI1NiJ9.example", 1800)
    settings = OttoSettings.from_channel("otto-de", "https://api.otto.market",
                                         {"client_id": "id", "client_secret": "secret"},
                                         {"ship_from_city": "Hamburg",
                                          "ship_from_zip_code": "22113",
                                          "ship_from_country": "DE"})
    assert settings.ship_from == SHIP_FROM
    assert settings.ship_from.country_code == "DEU"
    assert "secret" not in repr(settings)


@pytest.mark.parametrize(("credentials", "options", "message"), [
    ({"client_id": "id"}, {}, "client_secret"),
    ({"client_id": "id", "client_secret": "s"}, {"ship_from_city": "Hamburg"},
     "ship_from_zip_code, ship_from_country"),
    ({"client_id": "id", "client_secret": "s"}, {"colour": "red"}, "unknown option"),
    ({"client_id": "id", "client_secret": "s"}, {"page_size": 500}, "page_size"),
])
def test_bad_settings_are_named(credentials: dict[str, str], options: dict[str, object],
                                message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        OttoSettings.from_channel("otto-de", "https://api.otto.market", credentials, options)


# ---------------------------------------------------------------- returns


def test_return_page_maps_to_returned_items() -> None:
    page = wire.ReturnPage.model_validate(fixture("returns-v3.page.json"))
    items = [returns.returned_item(item) for item in page.position_items]
    assert [(i.status, i.return_carrier, i.return_tracking_numbers, i.otto_warehouse_id)
            for i in items] == [
        ("ANNOUNCED", "DHL", ("577546565072",), None),
        ("MISDIRECTED", None, (), "OTTO-HAMBURG-01"),
        ("A_STATUS_ADDED_LATER", None, (), None),
    ]
    assert wire.next_href(page.links) == "/v3/returns?status=ANNOUNCED&limit=50&page=2"


def test_rejection_request_and_207_answer() -> None:
    order_id = "0b6e7c1a-2f4d-4e8b-9a3c-5d1f2e3a4b01"
    batch = [returns.ReturnDecision(f"1a000000-0000-4000-8000-00000000000{n}", order_id,
                                    returns.Verdict.REJECT, reason="ITEM_DAMAGED",
                                    condition="D") for n in (2, 4, 6)]
    sent = returns.decision_request(batch).model_dump(mode="json", by_alias=True,
                                                      exclude_none=True)
    validator("Returns-V3", "RejectedPartnerReturnV3").validate(sent)
    answer = wire.ReturnDecisionAnswer.model_validate(
        fixture("returns-v3.rejection.207.response.json"))
    results = returns.decision_results(batch, answer)
    assert [(r.applied, r.reason.split(":")[0]) for r in results] == [
        (True, ""), (False, "CONFLICT"), (False, "OTTO answered neither a result nor an error "
                                                "for this item")]


def test_decisions_go_in_batches_per_verdict() -> None:
    decisions = [returns.ReturnDecision(f"i{n}", "o", returns.Verdict.ACCEPT) for n in range(201)]
    decisions.append(returns.ReturnDecision("r", "o", returns.Verdict.REJECT, reason="EXCHANGE"))
    assert [(v.value, len(b)) for v, b in returns.decision_batches(decisions)] == [
        ("accept", 200), ("accept", 1), ("reject", 1)]
