"""A ShipBob connector wired to the in-process simulator, as the factory builds it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from marketdock.config import WarehouseConfig
from marketdock.connectors.factory import BuildContext
from marketdock.connectors.ports import WarehouseLine, WarehouseOrder
from marketdock.connectors.shipbob import ShipBobConnector, build
from marketdock.domain import Address
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock, shipbob
from marketdock.sandbox.warehouse.shipbob_core import ShipBobSimulator
from marketdock.secrets import SecretResolver

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
URL = "http://3pl.sandbox"
ENV = {"SHIPBOB_TOKEN": shipbob.DEFAULT_TOKEN, "SHIPBOB_HOOK_SECRET": "whsec_" + "a2V5" * 8}

BERLIN = Address(name="Jörg Müller", street="Straße des 17. Juni", house_number="135",
                 line2="Hinterhaus", postal_code="10623", city="Berlin", country_code="DE",
                 email="joerg@example.test")


class TickingTime:
    """The rate limiter's clock: one second passes per reading, so buckets refill and
    tests never sleep."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@dataclass
class Hooks:
    """Webhook deliveries the simulator sent, captured in-process."""

    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        self.calls.append((dict(headers), body))
        return 200


def warehouse_config(**connection: Any) -> WarehouseConfig:
    return WarehouseConfig.model_validate({
        "id": "hh", "kind": "rest", "cutoff": "14:00", "timezone": "Europe/Berlin",
        "ship_from": {"company": "Acme Fulfilment", "street": "Lagerweg", "house_number": "1",
                      "postal_code": "20095", "city": "Hamburg", "country_code": "DE"},
        "connection": {"base_url": URL, "api_key": {"env": "SHIPBOB_TOKEN"},
                       "webhook_secret": {"env": "SHIPBOB_HOOK_SECRET"}, **connection},
    })


@dataclass
class Setup:
    floor: Floor
    faults: FaultSwitches
    hooks: Hooks
    simulator: ShipBobSimulator
    clock: FrozenClock
    connector: ShipBobConnector
    clients: list[httpx.Client]
    sent: list[httpx.Request]
    """Every request the connector sent."""

    def advance(self, seconds: float) -> None:
        self.floor.advance(seconds)
        self.clock.advance(seconds)

    def subscribe(self, *topics: str) -> None:
        self.simulator.webhooks.subscribe("http://hub.test/hooks/shipbob", topics,
                                          ENV["SHIPBOB_HOOK_SECRET"])

    def close(self) -> None:
        for client in self.clients:
            client.close()


def setup(db: Database, *, rate_limit: int = 150, connection: Mapping[str, Any] | None = None,
          **floor: Any) -> Setup:
    """A connector built by :func:`build` over a fresh simulator; ``floor`` overrides
    :class:`FloorConfig` fields, ``rate_limit`` the simulator's window, ``connection``
    adds keys to the warehouse's connection."""
    config = FloorConfig(**{"seed": 3, "pick_delay": 600, "pack_delay": 300,
                            "ship_delay": 300, **floor})
    world = Floor(config, clock=ManualClock(START))
    faults = FaultSwitches(seed=3)
    hooks = Hooks()
    app = shipbob.create_app(world, faults, sender=hooks, rate_limit=rate_limit)
    clients: list[httpx.Client] = []
    sent: list[httpx.Request] = []

    def http(base_url: str) -> httpx.Client:
        client = client_for(app, base_url=base_url)
        client.event_hooks["request"].append(sent.append)
        clients.append(client)
        return client

    clock = FrozenClock(START)
    ctx = BuildContext(tenant_id="acme", db=db, limiter=RateLimiter(db, clock=TickingTime()),
                       secrets=SecretResolver(environ=ENV), clock=clock, http=http)
    return Setup(world, faults, hooks, shipbob.simulator_of(app), clock,
                 build(ctx, warehouse_config(**(connection or {}))), clients, sent)


def order(reference: str, *lines: tuple[str, str, int], method: str = "Standard") -> WarehouseOrder:
    return WarehouseOrder(reference=reference, ship_to=BERLIN, shipping_method=method,
                          lines=[WarehouseLine(line_ref=ref, sku=sku, quantity=qty)
                                 for ref, sku, qty in lines])
