"""Webhook deliveries: Standard Webhooks signature and the order.shipped payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from marketdock.connectors.shipbob import mapping, webhooks, wire
from marketdock.errors import ParseError
from tests.connectors.shipbob.conftest import FIXTURES, load
from tests.connectors.shipbob.harness import ENV

SECRET = ENV["SHIPBOB_HOOK_SECRET"]
NOW = datetime(2026, 3, 2, 6, 21, tzinfo=UTC)
BODY = (FIXTURES / "webhook_order_shipped.body.json").read_bytes()
HEADERS: dict[str, str] = load("webhook_order_shipped.headers.json")


def test_a_recorded_delivery_verifies_and_maps_to_the_polled_package() -> None:
    delivery = webhooks.receive(SECRET, HEADERS, BODY, now=NOW)
    assert (delivery.message_id, delivery.topic) == ("msg_00000007", "order.shipped")
    order = wire.ShipBobOrder.model_validate(load("order_split_shipped.json"))
    package = webhooks.shipped_package(delivery, order)
    polled = {p.package_ref: p for p in mapping.outcome(order).packages}
    assert package is not None and package == polled["500002"]
    assert dict(package.line_quantities) == {"L2/TEE": 2}


def test_header_names_are_case_insensitive() -> None:
    upper = {key.upper(): value for key, value in HEADERS.items()}
    assert webhooks.receive(SECRET, upper, BODY, now=NOW).message_id == "msg_00000007"


@pytest.mark.parametrize(("secret", "headers", "body", "message"), [
    (SECRET, HEADERS, BODY.replace(b'"quantity":2', b'"quantity":9'), "no signature matches"),
    ("whsec_b3RoZXJrZXk=", HEADERS, BODY, "no signature matches"),
    (SECRET, {**HEADERS, "webhook-id": "msg_00000008"}, BODY, "no signature matches"),
    (SECRET, {k: v for k, v in HEADERS.items() if k != "webhook-signature"}, BODY,
     "missing or malformed"),
    (SECRET, {**HEADERS, "webhook-timestamp": "soon"}, BODY, "missing or malformed"),
    ("whsec_not base64!", HEADERS, BODY, "not base64"),
])
def test_a_forged_or_damaged_delivery_is_rejected(secret: str, headers: dict[str, str],
                                                  body: bytes, message: str) -> None:
    with pytest.raises(webhooks.WebhookRejected, match=message):
        webhooks.receive(secret, headers, body, now=NOW)


def test_an_old_delivery_is_rejected_as_a_replay() -> None:
    with pytest.raises(webhooks.WebhookRejected, match="more than 300 s away"):
        webhooks.receive(SECRET, HEADERS, BODY, now=datetime(2026, 3, 2, 7, 0, tzinfo=UTC))


def test_a_second_signature_entry_is_accepted_during_key_rotation() -> None:
    rotated = {**HEADERS, "webhook-signature": "v1,AAAA " + HEADERS["webhook-signature"]}
    assert webhooks.receive(SECRET, rotated, BODY, now=NOW).message_id == "msg_00000007"


def test_other_topics_carry_no_package_and_a_broken_payload_is_a_parse_error() -> None:
    body = json.dumps({"reference_id": "RET-1", "status": "Completed"}).encode()
    stamp = int(NOW.timestamp())
    headers = {"webhook-id": "msg_9", "webhook-timestamp": str(stamp),
               "x-webhook-topic": "return.completed",
               "webhook-signature": webhooks.signature(SECRET, "msg_9", stamp, body)}
    delivery = webhooks.receive(SECRET, headers, body, now=NOW)
    assert delivery.shipment is None
    order = wire.ShipBobOrder.model_validate(load("order_split_shipped.json"))
    assert webhooks.shipped_package(delivery, order) is None
    shipped = {**headers, "x-webhook-topic": "order.shipped"}
    with pytest.raises(ParseError, match="msg_9 \\(order.shipped\\): the payload is not"):
        webhooks.receive(SECRET, shipped, body, now=NOW)
