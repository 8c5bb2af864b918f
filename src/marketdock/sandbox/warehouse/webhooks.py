"""Webhook subscriptions and signed deliveries, in the Standard Webhooks scheme.

ShipBob's dated API signs deliveries like Standard Webhooks (notes/wms.md §3, the
shipbob AsyncAPI model): headers ``webhook-id`` (stable across retries),
``webhook-timestamp`` (Unix seconds), ``webhook-signature`` (``v1,<base64>`` entries,
space separated) and ``x-webhook-topic``. The signature is base64(HMAC-SHA256(key,
"{webhook-id}.{webhook-timestamp}.{raw body}")); the key is the base64-decoded part after
``whsec_`` of the subscription secret (a secret without that prefix is used as UTF-8).

Deliveries go through an injectable ``sender(url, headers, body) -> status`` so tests
capture them in-process. A delivery answered with a non-2xx status (or whose sender
raises) is retried on the floor clock after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
Fault switches, whose ``path`` filter matches the topic: ``webhook_lost`` drops a
delivery, ``webhook_duplicate`` sends it twice with the same id, ``webhook_late`` holds
it back for the switch's ``delay`` seconds of floor time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from marketdock.errors import ValidationError
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.warehouse.clock import ManualClock

Sender = Callable[[str, Mapping[str, str], bytes], int]
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


class BadSignature(ValidationError):
    """The webhook signature does not match the body."""


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one delivery."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: float = 300.0,
) -> None:
    """Raise :class:`BadSignature` unless one ``v1`` signature matches (and, given
    ``now``, the timestamp lies within ``tolerance`` seconds)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        msg_id, stamp = lowered["webhook-id"], lowered["webhook-timestamp"]
        offered = lowered["webhook-signature"].split()
        timestamp = int(stamp)
    except (KeyError, ValueError) as exc:
        raise BadSignature(f"webhook headers incomplete or malformed: {exc}") from exc
    if now is not None and abs(now.timestamp() - timestamp) > tolerance:
        raise BadSignature(f"webhook timestamp {timestamp} is outside the tolerance")
    expected = sign(secret, msg_id, timestamp, body)
    if not any(hmac.compare_digest(expected, entry) for entry in offered):
        raise BadSignature(f"no signature of webhook {msg_id} matches")


def http_sender(url: str, headers: Mapping[str, str], body: bytes) -> int:
    """Deliver over the network (the default when no sender is injected)."""
    try:
        return httpx.post(url, headers=dict(headers), content=body, timeout=15.0).status_code
    except httpx.HTTPError:
        return 0


@dataclass(frozen=True, kw_only=True)
class Subscription:
    subscription_id: str
    url: str
    topics: tuple[str, ...]
    secret: str
    created_at: datetime
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One message to one subscription; ``attempts`` lists the answered statuses."""

    msg_id: str
    subscription_id: str
    url: str
    topic: str
    body: bytes
    due: datetime
    copies: int = 1
    attempts: tuple[int, ...] = ()
    state: str = "pending"  # pending | delivered | failed | lost

    def as_json(self) -> dict[str, Any]:
        return {
            "msg_id": self.msg_id, "subscription_id": self.subscription_id, "url": self.url,
            "topic": self.topic, "due": self.due.isoformat(), "attempts": list(self.attempts),
            "state": self.state, "payload": json.loads(self.body),
        }


@dataclass
class WebhookDispatcher:
    clock: ManualClock
    faults: FaultSwitches
    sender: Sender = http_sender
    seed: int = 0
    _subs: dict[str, Subscription] = field(default_factory=dict)
    _log: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._counter = 0

    def subscribe(
        self, url: str, topics: tuple[str, ...], secret: str | None = None, description: str = ""
    ) -> Subscription:
        with self._lock:
            self._counter += 1
            sub = Subscription(
                subscription_id=f"sub_{self._counter:06d}",
                url=url,
                topics=topics,
                secret=secret or "whsec_" + base64.b64encode(self._rng.randbytes(24)).decode(),
                created_at=self.clock.now(),
                description=description,
            )
            self._subs[sub.subscription_id] = sub
            return sub

    def unsubscribe(self, subscription_id: str) -> bool:
        with self._lock:
            return self._subs.pop(subscription_id, None) is not None

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            return list(self._subs.values())

    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._log)

    def reset(self) -> None:
        with self._lock:
            self._subs.clear()
            self._log.clear()

    def publish(self, topic: str, payload: Mapping[str, Any]) -> None:
        """Queue ``payload`` for every subscription to ``topic``, applying the faults."""
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        now = self.clock.now()
        with self._lock:
            for sub in self._subs.values():
                if topic not in sub.topics or not sub.enabled:
                    continue
                self._counter += 1
                delivery = Delivery(
                    msg_id=f"msg_{self._counter:08d}", subscription_id=sub.subscription_id,
                    url=sub.url, topic=topic, body=body, due=now,
                )
                if self.faults.fire("webhook_lost", topic, "POST"):
                    delivery = replace(delivery, state="lost")
                else:
                    if late := self.faults.fire("webhook_late", topic, "POST"):
                        delivery = replace(delivery, due=now + timedelta(seconds=late.delay))
                    if self.faults.fire("webhook_duplicate", topic, "POST"):
                        delivery = replace(delivery, copies=2)
                self._log.append(delivery)

    def run_due(self) -> None:
        """Send every delivery that is due on the clock (called after each floor step)."""
        now = self.clock.now()
        with self._lock:
            due = [(i, d) for i, d in enumerate(self._log) if d.state == "pending" and d.due <= now]
            subs = dict(self._subs)
        for index, delivery in due:
            sub = subs.get(delivery.subscription_id)
            statuses = [self._send(delivery, sub) for _ in range(delivery.copies)]
            ok = any(200 <= s < 300 for s in statuses)
            attempts = (*delivery.attempts, *statuses)
            tried = len(delivery.attempts) // delivery.copies
            if ok:
                updated = replace(delivery, attempts=attempts, state="delivered")
            elif tried < len(RETRY_DELAYS) and sub is not None:
                updated = replace(delivery, attempts=attempts,
                                  due=now + timedelta(seconds=RETRY_DELAYS[tried]))
            else:
                updated = replace(delivery, attempts=attempts, state="failed")
            with self._lock:
                self._log[index] = updated

    def _send(self, delivery: Delivery, sub: Subscription | None) -> int:
        if sub is None:  # unsubscribed meanwhile
            return 0
        timestamp = int(self.clock.now().timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(sub.secret, delivery.msg_id, timestamp, delivery.body),
            "x-webhook-topic": delivery.topic,
        }
        try:
            return self.sender(delivery.url, headers, delivery.body)
        except Exception:  # a receiver that blows up counts as a failed attempt
            return 0
