"""ShipBob webhooks: subscriptions, Standard Webhooks signatures, retries, fault switches."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from marketdock.sandbox.warehouse import ReturnItem
from marketdock.sandbox.warehouse.webhooks import BadSignature, sign, verify
from tests.sandbox.warehouse.helpers import Sim

V = "/2026-01"


def subscribe(sim: Sim, *topics: str, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": "https://hub.example.test/hooks/shipbob",
                            "topics": list(topics)}
    if secret:
        body["secret"] = secret
    response = sim.client.post(f"{V}/webhook", json=body)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def ship_one(sim: Sim, reference: str = "R-1") -> dict[str, Any]:
    sim.floor.set_stock("A", 10)
    order = sim.create(reference, ("A", 1)).json()
    sim.advance(120)
    return order  # type: ignore[no-any-return]


def test_subscription_matches_the_contract(sim: Sim, conforms: Any) -> None:
    sub = subscribe(sim, "order.shipped")
    conforms(sub, "Webhooks.V2.Create.WebhookViewModelV2")
    assert sub["secret"].startswith("whsec_")
    listed = sim.client.get(f"{V}/webhook").json()
    conforms(listed, "Webhooks.GetWebhookResponse")
    assert "secret" not in listed["items"][0]
    assert sim.client.post(f"{V}/webhook", json={"url": "https://x.test",
                                                 "topics": ["wrong"]}).status_code == 400
    assert sim.client.delete(f"{V}/webhook/{sub['id']}").status_code == 204
    assert sim.client.get(f"{V}/webhook").json()["items"] == []


def test_shipped_webhook_is_signed_and_carries_the_shipment(sim: Sim, conforms: Any) -> None:
    sub = subscribe(sim, "order.shipped")
    order = ship_one(sim)
    ((url, headers, body),) = sim.hooks.calls
    assert url == "https://hub.example.test/hooks/shipbob"
    assert headers["x-webhook-topic"] == "order.shipped"
    verify(sub["secret"], headers, body, now=sim.floor.now())
    payload = json.loads(body)
    conforms(payload, "Orders.ShipmentViewModel")
    assert payload["order_id"] == order["id"] and payload["tracking"]["tracking_number"]
    with pytest.raises(BadSignature):
        verify(sub["secret"], headers, body.replace(b"Completed", b"Cancelled"))
    with pytest.raises(BadSignature):
        verify("whsec_" + "QUJD" * 8, headers, body)


def test_signature_follows_standard_webhooks() -> None:
    # base64 "c2VjcmV0" is b"secret": the key is the decoded part after whsec_
    expected = base64.b64encode(hmac.new(b"secret", b"msg_1.1700000000.{}",
                                         hashlib.sha256).digest()).decode()
    assert sign("whsec_c2VjcmV0", "msg_1", 1700000000, b"{}") == f"v1,{expected}"
    assert sign("secret", "msg_1", 1700000000, b"{}") == f"v1,{expected}"  # raw secret


def test_own_secret_is_used(sim: Sim) -> None:
    subscribe(sim, "order.shipped", secret="hub-shared-secret")
    ship_one(sim)
    _, headers, body = sim.hooks.calls[0]
    verify("hub-shared-secret", headers, body)


def test_only_subscribed_topics_are_sent(sim: Sim) -> None:
    subscribe(sim, "order.shipment.cancelled", "order.shipment.exception")
    order = sim.create("R-1", ("A", 1)).json()  # no stock: exception
    sim.client.post(f"{V}/order/{order['id']}:cancel")
    assert sim.hooks.topics() == ["order.shipment.exception", "order.shipment.cancelled"]


def test_return_completed_webhook(sim: Sim) -> None:
    subscribe(sim, "return.completed")
    sim.floor.receive_return("RMA-1", [ReturnItem(sku="A", quantity=1)], order_reference="R-1")
    payload = json.loads(sim.hooks.calls[0][2])
    assert payload["reference_id"] == "RMA-1"
    assert payload["inventory"] == [{"sku": "A", "quantity": 1, "action": "sellable"}]


def test_failed_delivery_is_retried_on_the_clock_with_the_same_id(sim: Sim) -> None:
    subscribe(sim, "order.shipped")
    sim.hooks.status = 500
    ship_one(sim)
    assert len(sim.hooks.calls) == 1
    sim.hooks.status = 200
    sim.advance(4)
    assert len(sim.hooks.calls) == 1
    sim.advance(1)
    assert len(sim.hooks.calls) == 2
    first, second = (h for _, h, _ in sim.hooks.calls)
    assert first["webhook-id"] == second["webhook-id"]
    log = sim.client.get("/_admin/webhooks").json()
    assert log[0]["state"] == "delivered" and log[0]["attempts"] == [500, 200]


def test_webhook_lost(sim: Sim) -> None:
    subscribe(sim, "order.shipped")
    sim.faults.set("webhook_lost", count=1)
    ship_one(sim, "R-1")
    ship_one(sim, "R-2")
    assert len(sim.hooks.calls) == 1
    log = sim.client.get("/_admin/webhooks").json()
    assert [d["state"] for d in log] == ["lost", "delivered"]


def test_webhook_duplicate(sim: Sim) -> None:
    sub = subscribe(sim, "order.shipped")
    sim.faults.set("webhook_duplicate", count=1)
    ship_one(sim)
    assert len(sim.hooks.calls) == 2
    (_, h1, b1), (_, h2, b2) = sim.hooks.calls
    assert h1["webhook-id"] == h2["webhook-id"] and b1 == b2
    verify(sub["secret"], h2, b2)


def test_webhook_late_arrives_after_the_delay(sim: Sim) -> None:
    subscribe(sim, "order.shipped")
    sim.faults.set("webhook_late", count=1, delay=600)
    ship_one(sim)
    assert sim.hooks.calls == []
    sim.advance(599)
    assert sim.hooks.calls == []
    sim.advance(1)
    assert sim.hooks.topics() == ["order.shipped"]


def test_fault_path_filter_selects_the_topic(sim: Sim) -> None:
    subscribe(sim, "order.shipped", "order.shipment.exception")
    sim.faults.set("webhook_lost", rate=1.0, path="order.shipment.exception")
    sim.create("R-0", ("B", 1))  # no stock for B: exception, lost
    ship_one(sim)
    assert sim.hooks.topics() == ["order.shipped"]
