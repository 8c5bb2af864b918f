"""Helpers for the ShipBob simulator tests: an in-process client and captured webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.warehouse import Floor, FloorConfig
from marketdock.sandbox.warehouse.shipbob import DEFAULT_CHANNEL_ID, DEFAULT_TOKEN, create_app


@dataclass
class Captured:
    calls: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        self.calls.append((url, dict(headers), body))
        return self.status

    def topics(self) -> list[str]:
        return [h["x-webhook-topic"] for _, h, _ in self.calls]


@dataclass
class Sim:
    client: httpx.Client
    floor: Floor
    faults: FaultSwitches
    hooks: Captured

    def create(self, reference: str, *products: tuple[str, int], **extra: Any) -> httpx.Response:
        body = {
            "reference_id": reference,
            "type": "DTC",
            "shipping_method": "Standard",
            "recipient": {
                "name": "Jürgen Weiß",
                "address": {"address1": "Schloßstraße 12", "address2": "Hinterhaus, 3. OG",
                            "city": "Düsseldorf", "zip_code": "40213", "country": "DE"},
                "email": "juergen@example.test",
            },
            "products": [{"reference_id": sku, "name": f"Artikel {sku}", "quantity": qty}
                         for sku, qty in products],
            **extra,
        }
        return self.client.post("/2026-01/order", json=body,
                                headers={"shipbob_channel_id": str(DEFAULT_CHANNEL_ID)})

    def advance(self, seconds: float) -> None:
        self.client.post("/_admin/advance", json={"seconds": seconds}).raise_for_status()


def build_sim(**config: Any) -> Sim:
    floor = Floor(FloorConfig(**{"pick_delay": 60, "pack_delay": 30, "ship_delay": 30,
                                 **config}))
    faults = FaultSwitches(seed=1)
    hooks = Captured()
    app = create_app(floor, faults, sender=hooks, rate_limit=150)
    client = client_for(app, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    return Sim(client, floor, faults, hooks)


