"""Webhook deliveries from ShipBob: signature check and payload, without I/O.

ShipBob's dated API signs deliveries in the Standard Webhooks scheme (notes/wms.md,
contracts/wms/shipbob/shipbob-webhooks-asyncapi.yml): ``webhook-id`` (the same on every
retry of one message), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``
(space-separated ``v1,<base64>`` entries), the HMAC-SHA256 of ``"{id}.{timestamp}.{body}"``
under the subscription secret (base64 after ``whsec_``, else the secret's UTF-8 bytes).
The topic comes in ``x-webhook-topic``.

An ``order.shipped`` payload is one shipment. Its products are named by SKU only, so
turning it into a :class:`ShippedPackage` needs the order's line references
(:func:`shipped_package`, given the order as ShipBob returns it). The package reference
is the shipment id, as in polls, so a duplicate delivery or a package both polled and
pushed is reported under one reference.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError as PydanticError

from marketdock.connectors.ports import ShippedPackage
from marketdock.connectors.shipbob import mapping, wire
from marketdock.errors import ParseError, ValidationError

SHIPPED_TOPIC = "order.shipped"
SHIPMENT_TOPICS = frozenset({SHIPPED_TOPIC, "order.shipment.delivered",
                             "order.shipment.exception", "order.shipment.on_hold",
                             "order.shipment.cancelled"})
TOLERANCE_SECONDS = 300.0


class WebhookRejected(ValidationError):
    """The webhook delivery is not signed by ShipBob with our secret."""


@dataclass(frozen=True)
class WebhookDelivery:
    message_id: str
    topic: str
    shipment: wire.Shipment | None
    """The shipment of a shipment topic; None for other topics."""


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            raise WebhookRejected("the webhook secret after whsec_ is not base64") from exc
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(
        hmac.new(signing_key(secret), signed, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: datetime,
           tolerance: float = TOLERANCE_SECONDS) -> str:
    """Return the message id, or raise :class:`WebhookRejected` unless one ``v1``
    signature matches and the timestamp lies within ``tolerance`` seconds of ``now``."""
    lowered = {key.lower(): value for key, value in headers.items()}
    message_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp", "")
    offered = lowered.get("webhook-signature", "").split()
    if not message_id or not offered or not stamp.isdigit():
        raise WebhookRejected("webhook-id, webhook-timestamp or webhook-signature is "
                              "missing or malformed")
    timestamp = int(stamp)
    if abs(now.timestamp() - timestamp) > tolerance:
        raise WebhookRejected(f"webhook {message_id}: timestamp {timestamp} is more than "
                              f"{tolerance:g} s away from now (a replay or a wrong clock)")
    expected = signature(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, entry) for entry in offered):
        raise WebhookRejected(f"webhook {message_id}: no signature matches")
    return message_id


def receive(secret: str, headers: Mapping[str, str], body: bytes, *,
            now: datetime, tolerance: float = TOLERANCE_SECONDS) -> WebhookDelivery:
    """Verify a delivery and read its payload (ParseError if a shipment topic's payload
    is not a shipment)."""
    message_id = verify(secret, headers, body, now=now, tolerance=tolerance)
    topic = {key.lower(): value for key, value in headers.items()}.get("x-webhook-topic", "")
    if topic not in SHIPMENT_TOPICS:
        return WebhookDelivery(message_id, topic, None)
    try:
        shipment = wire.Shipment.model_validate(json.loads(body))
    except (ValueError, PydanticError) as exc:
        raise ParseError(f"webhook {message_id} ({topic}): the payload is not a ShipBob "
                         f"shipment: {exc}".splitlines()[0]) from exc
    return WebhookDelivery(message_id, topic, shipment)


def shipped_package(delivery: WebhookDelivery,
                    order: wire.ShipBobOrder) -> ShippedPackage | None:
    """The package an ``order.shipped`` delivery reports, with the order's line refs;
    None for other topics or a shipment not yet gone."""
    shipment = delivery.shipment
    if delivery.topic != SHIPPED_TOPIC or shipment is None:
        return None
    if shipment.order_id is not None and shipment.order_id != order.id:
        raise ValidationError(f"webhook {delivery.message_id}: shipment {shipment.id} belongs "
                              f"to order {shipment.order_id}, not {order.id}")
    return mapping.package_in_order(order, shipment)
