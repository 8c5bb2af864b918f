"""Fixtures: a simulator with a frozen clock and a client holding a valid access token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from marketdock.sandbox.amazon import AmazonState, SimulatedClock, create_app
from marketdock.sandbox.amazon.model import Credentials
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CREDS = Credentials()
REFRESH = next(iter(CREDS.refresh_tokens))
DE = "A1PA6795UKMFR9"
UK = "A1F83G8C2ARO7P"


@dataclass
class Sim:
    client: httpx.Client
    state: AmazonState
    faults: FaultSwitches
    clock: SimulatedClock

    def token(self, refresh: str = REFRESH) -> str:
        response = self.client.post(
            "/auth/o2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": CREDS.client_id,
                "client_secret": CREDS.client_secret,
            },
        )
        assert response.status_code == 200, response.text
        access: str = response.json()["access_token"]
        return access

    def login(self) -> None:
        self.client.headers["x-amz-access-token"] = self.token()

    def seed(self, body: dict[str, Any]) -> dict[str, list[str]]:
        response = self.client.post("/_admin/seed", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, list[str]] = response.json()
        return created

    def advance(self, seconds: float) -> None:
        assert self.client.post("/_admin/advance", json={"seconds": seconds}).status_code == 200


@pytest.fixture
def sim() -> Iterator[Sim]:
    state, faults, clock = AmazonState(), FaultSwitches(seed=3), SimulatedClock(START)
    with client_for(create_app(state, faults, clock)) as client:
        simulator = Sim(client, state, faults, clock)
        simulator.login()
        yield simulator
