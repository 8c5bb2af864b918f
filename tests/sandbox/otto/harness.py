"""An in-process OTTO simulator whose every exchange is checked against the contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.otto import (
    OttoState,
    SeedPayload,
    SimulatedClock,
    apply_seed,
    fetch_token,
)
from tests.sandbox.otto.contract import operation_for, validator


class ContractClient:
    """An httpx client that fails the test on any undocumented request or response shape."""

    def __init__(self, client: httpx.Client) -> None:
        self.http = client

    def request(
        self, method: str, url: str, *, invalid_request: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send; ``invalid_request=True`` skips the request check for deliberate bad input
        (the response is still checked)."""
        path = urlsplit(url).path
        op = operation_for(method, path)
        query = [k for k, _ in parse_qsl(urlsplit(url).query)] + list(kwargs.get("params") or {})
        undocumented = set(query) - op.params
        assert not undocumented, f"{op.name}: undocumented query parameters {undocumented}"
        if "json" in kwargs and not invalid_request:
            assert op.request is not None, f"{op.name} takes no JSON body"
            validator(op.api, op.request).validate(kwargs["json"])
        response = self.http.request(method, url, **kwargs)
        assert response.status_code in op.responses, (
            f"{op.name} answered {response.status_code}, not a documented status: {response.text}"
        )
        api, schema = op.responses[response.status_code]
        body = response.json() if response.content else None
        validator(api, schema).validate(body)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def authorize(self, **credentials: str) -> str:
        token = fetch_token(self.http, **credentials)
        self.http.headers["Authorization"] = f"Bearer {token}"
        return token


@dataclass
class Sim:
    state: OttoState
    faults: FaultSwitches
    clock: SimulatedClock
    api: ContractClient
    admin: httpx.Client

    def seed(self, **payload: Any) -> dict[str, Any]:
        result = apply_seed(self.state, SeedPayload.model_validate(payload), self.clock.now())
        return result

    def order(self, *lines: tuple[str, int], **fields: Any) -> dict[str, Any]:
        """Seed one order of (sku, quantity) lines at 10.00 EUR a unit; answer its ids."""
        seeded = [{"sku": sku, "quantity": qty, "unitPrice": "10.00"} for sku, qty in lines]
        orders: list[dict[str, Any]] = self.seed(orders=[{"lines": seeded, **fields}])["orders"]
        return orders[0]

    def advance(self, seconds: float) -> None:
        """Move the clock; fetch a fresh token as a connector would after a long pause."""
        self.clock.advance(seconds)
        self.api.authorize()
