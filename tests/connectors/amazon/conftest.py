"""The Amazon connector built by its builder, against the in-process simulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from marketdock.config import ChannelConfig
from marketdock.connectors.amazon import AmazonConnector, build
from marketdock.connectors.factory import BuildContext
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.sandbox import amazon
from marketdock.sandbox.amazon.seed import Seed, apply_seed
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.secrets import SecretRef, SecretResolver

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BASE_URL = "http://amazon.sandbox"
DE = "A1PA6795UKMFR9"
UK = "A1F83G8C2ARO7P"
FR = "A13V1IB3VIYZZH"
CREDENTIALS = amazon.Credentials()
ENVIRON = {
    "AMZ_CLIENT_ID": CREDENTIALS.client_id,
    "AMZ_CLIENT_SECRET": CREDENTIALS.client_secret,
    "AMZ_REFRESH_TOKEN": next(iter(CREDENTIALS.refresh_tokens)),
}


def channel(**options: Any) -> ChannelConfig:
    return ChannelConfig(
        id="amazon-eu", kind="amazon", base_url=BASE_URL, marketplace_ids=(DE, UK),
        credentials={"client_id": SecretRef(env="AMZ_CLIENT_ID"),
                     "client_secret": SecretRef(env="AMZ_CLIENT_SECRET"),
                     "refresh_token": SecretRef(env="AMZ_REFRESH_TOKEN")},
        options={"seller_id": amazon.DEFAULT_SELLER, **options})


@dataclass
class SimClock:
    clock: amazon.SimulatedClock

    def now(self) -> datetime:
        return self.clock.now()


@dataclass
class Sandbox:
    db: Database
    state: amazon.AmazonState = field(default_factory=lambda: amazon.AmazonState(
        config=amazon.SimConfig(pending_seconds=900)))
    faults: FaultSwitches = field(default_factory=FaultSwitches)
    clock: amazon.SimulatedClock = field(default_factory=lambda: amazon.SimulatedClock(START))
    environ: dict[str, str] = field(default_factory=lambda: dict(ENVIRON))

    def __post_init__(self) -> None:
        self.app = amazon.create_app(self.state, self.faults, self.clock)
        self.limiter = RateLimiter(self.db)
        self.clients: list[httpx.Client] = []

    def http(self, base_url: str) -> httpx.Client:
        client = client_for(self.app, base_url=base_url)
        self.clients.append(client)
        return client

    def connector(self, **options: Any) -> AmazonConnector:
        ctx = BuildContext(tenant_id="acme", db=self.db, limiter=self.limiter,
                           secrets=SecretResolver(self.environ), clock=SimClock(self.clock),
                           http=self.http)
        return build(ctx, channel(**options))

    def seed(self, **body: Any) -> dict[str, list[str]]:
        return apply_seed(self.state, Seed.model_validate(body), self.clock.now())

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def close(self) -> None:
        for client in self.clients:
            client.close()


@pytest.fixture
def sandbox(db: Database) -> Iterator[Sandbox]:
    box = Sandbox(db)
    yield box
    box.close()
