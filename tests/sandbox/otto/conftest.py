"""Fixtures: an in-process OTTO simulator whose every exchange is checked against the contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.otto import OttoConfig, OttoState, SimulatedClock, create_app
from tests.sandbox.otto.harness import ContractClient, Sim


@pytest.fixture
def sim() -> Iterator[Sim]:
    """A simulator with the rate limits off (the rate-limit tests build their own)."""
    state = OttoState(config=OttoConfig(api_rate_per_second=None, token_rate_per_second=None))
    faults, clock = FaultSwitches(seed=3), SimulatedClock()
    http = client_for(create_app(state, faults, clock))
    api = ContractClient(http)
    api.authorize()
    yield Sim(state, faults, clock, api, http)
    http.close()
