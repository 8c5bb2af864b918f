"""An OTTO simulator in this process and the connector bound to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from marketdock.connectors.http import HttpCaller
from marketdock.connectors.otto.api import API_OPERATION, OttoApi, error_code
from marketdock.connectors.otto.auth import TOKEN_OPERATION, TokenCache
from marketdock.connectors.otto.connector import OttoConnector
from marketdock.connectors.otto.settings import OttoSettings
from marketdock.domain import Order, Package
from marketdock.engine.clock import FrozenClock
from marketdock.sandbox import otto
from marketdock.sandbox.asgi import InProcessTransport
from marketdock.sandbox.faults import FaultSwitches
from tests.sandbox.otto.contract import operation_for, validator

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE_URL = "http://otto.sandbox"
SHIP_FROM = {"ship_from_city": "Hamburg", "ship_from_zip_code": "22113",
             "ship_from_country": "DE"}


class Recorder(httpx.BaseTransport):
    """Passes requests to the simulator and keeps them for assertions."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response

    def close(self) -> None:
        self.inner.close()

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method is None or r.method == method]


@dataclass
class Sim:
    config: otto.OttoConfig = field(default_factory=otto.OttoConfig)

    def __post_init__(self) -> None:
        self.state = otto.OttoState(config=self.config)
        self.clock = otto.SimulatedClock(START)
        self.faults = FaultSwitches(seed=1)
        self.app = otto.create_app(self.state, self.faults, self.clock)
        self.hub_clock = FrozenClock(START)
        self.clients: list[httpx.Client] = []
        self.recorders: list[Recorder] = []

    def client(self) -> tuple[httpx.Client, Recorder]:
        recorder = Recorder(InProcessTransport(self.app))
        client = httpx.Client(transport=recorder, base_url=BASE_URL)
        self.clients.append(client)
        self.recorders.append(recorder)
        return client, recorder

    def seed(self, **payload: Any) -> dict[str, Any]:
        return otto.apply_seed(self.state, otto.SeedPayload.model_validate(payload),
                               self.clock.now())

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.hub_clock.advance(seconds)

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def check_contract(self) -> None:
        """Every request the connector sent is a documented OTTO operation, with documented
        query parameters and a body valid against the contract's schema."""
        for recorder in self.recorders:
            for request in recorder.requests:
                operation = operation_for(request.method, request.url.path)
                unknown = set(request.url.params) - operation.params
                assert not unknown, f"{operation.name}: undocumented {sorted(unknown)}"
                if operation.request is not None:
                    validator(operation.api, operation.request).validate(
                        json.loads(request.content))


def settings(secret: str = otto.DEFAULT_CLIENT_SECRET, **options: Any) -> OttoSettings:
    return OttoSettings.from_channel(
        "otto-de", BASE_URL, {"client_id": otto.DEFAULT_CLIENT_ID, "client_secret": secret},
        {**SHIP_FROM, **options})


def connector(sim: Sim, secret: str = otto.DEFAULT_CLIENT_SECRET,
              **options: Any) -> tuple[OttoConnector, Recorder]:
    """A connector without shared buckets (the build test covers those)."""
    client, recorder = sim.client()
    config = settings(secret, **options)
    api_http = HttpCaller(client, "otto", "acme", config.account, error_code=error_code)
    token_http = HttpCaller(client, "otto", "acme", f"{config.account}:token",
                            error_code=error_code)
    assert API_OPERATION != TOKEN_OPERATION
    tokens = TokenCache(token_http, config, sim.hub_clock)
    return OttoConnector(OttoApi(api_http, tokens), config, "acme"), recorder


def mock_connector(handler: Callable[[httpx.Request], httpx.Response]) -> OttoConnector:
    """A connector talking to ``handler`` instead of the simulator."""
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://otto")
    config = settings()
    tokens = TokenCache(HttpCaller(client, "otto", "acme", "t", error_code=error_code), config,
                        FrozenClock(START))
    return OttoConnector(OttoApi(HttpCaller(client, "otto", "acme", "a", error_code=error_code),
                                 tokens), config, "acme")


def package(order: Order, line_ids: list[str], ref: str, *, tracking: str | None = "T1",
            return_tracking: str | None = "R1", carrier: str = "DHL") -> Package:
    fields: dict[str, Any] = {
        "tenant_id": "acme", "warehouse_id": "wh1", "package_ref": ref,
        "channel_account_id": order.channel_account_id,
        "marketplace_order_id": order.marketplace_order_id, "carrier": carrier,
        "tracking_number": tracking, "shipped_at": datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
        "lines": [{"line_id": line_id, "quantity": 1} for line_id in line_ids],
    }
    if return_tracking is not None:
        fields["return_tracking"] = {"carrier": "dhl", "tracking_number": return_tracking}
    return Package.create(**fields)
