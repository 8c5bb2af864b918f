"""Token endpoint, token expiry, scopes and the rate limits on the simulated clock."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.otto import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    OttoConfig,
    OttoState,
    SimulatedClock,
    authorized_client,
    create_app,
)
from tests.sandbox.otto.harness import ContractClient, Sim

FORM = {"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET, "scope": "orders"}  # fmt: skip


def test_client_credentials_token_lasts_30_minutes(sim: Sim) -> None:
    response = sim.api.post("/v1/token", data=FORM)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1800
    assert response.json()["scope"] == "orders"
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert sim.api.get("/v4/orders", headers=headers).status_code == 200
    sim.advance(1799)
    assert sim.api.get("/v4/orders", headers=headers).status_code == 200
    sim.advance(1)
    expired = sim.api.get("/v4/orders", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["detail"] == "access token expired"


def test_http_basic_credentials_are_accepted(sim: Sim) -> None:
    basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
    data = {"grant_type": "client_credentials", "scope": "orders"}
    response = sim.api.post("/v1/token", data=data, headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "orders galaxy"}, 400, "invalid_scope"),
    ],
)
def test_bad_token_requests(sim: Sim, change: dict[str, str], status: int, error: str) -> None:
    response = sim.api.post("/v1/token", data={**FORM, **change})
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_json_token_request_is_refused(sim: Sim) -> None:
    response = sim.api.post("/v1/token", json=FORM, invalid_request=True)
    assert response.status_code == 400


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Token abc"])
def test_missing_or_unknown_token_is_401(sim: Sim, header: str | None) -> None:
    sim.api.http.headers.pop("Authorization")
    headers = {"Authorization": header} if header else {}
    response = sim.api.get("/v4/orders", headers=headers)
    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]


def test_scopes_must_be_requested(sim: Sim) -> None:
    token = sim.api.post("/v1/token", data={**FORM, "scope": "orders"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert sim.api.get("/v4/orders", headers=headers).status_code == 200
    denied = sim.api.get("/v1/shipments?datefrom=2025-01-01", headers=headers)
    assert denied.status_code == 403
    bare = sim.api.post("/v1/token", data={**FORM, "scope": ""}).json()["access_token"]
    assert sim.api.get("/v4/orders", headers={"Authorization": f"Bearer {bare}"}).status_code == 403


@pytest.fixture
def limited() -> Iterator[tuple[ContractClient, SimulatedClock]]:
    clock = SimulatedClock()
    http = client_for(create_app(OttoState(config=OttoConfig()), FaultSwitches(), clock))
    yield ContractClient(http), clock
    http.close()


def test_token_endpoint_allows_10_per_second_per_ip(
    limited: tuple[ContractClient, SimulatedClock],
) -> None:
    api, clock = limited
    codes = [api.post("/v1/token", data=FORM).status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]
    clock.advance(0.1)
    assert api.post("/v1/token", data=FORM).status_code == 200


def test_api_allows_20_per_second_per_partner_without_retry_after(
    limited: tuple[ContractClient, SimulatedClock],
) -> None:
    api, clock = limited
    api.authorize()
    codes = [api.get("/v4/orders").status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]
    throttled = api.get("/v4/orders")
    assert throttled.status_code == 429 and "retry-after" not in throttled.headers
    clock.advance(0.05)  # one request's worth at 20/s
    assert [api.get("/v4/orders").status_code for _ in range(2)] == [200, 429]
    clock.advance(5)  # the bucket holds at most one second's worth
    codes = [api.get("/v4/orders").status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]


def test_rate_limit_is_per_partner(limited: tuple[ContractClient, SimulatedClock]) -> None:
    api, _ = limited
    api.http.post("/_admin/partners", json={"partnerId": "2", "clientId": "b", "clientSecret": "s"})
    api.authorize()
    for _ in range(20):
        api.get("/v4/orders")
    assert api.get("/v4/orders").status_code == 429
    api.authorize(client_id="b", client_secret="s")
    assert api.get("/v4/orders").status_code == 200


def test_authorized_client_for_benchmarks_and_demos() -> None:
    state = OttoState(config=OttoConfig(api_rate_per_second=None))
    app = create_app(state, clock=SimulatedClock(live=True))
    with authorized_client(app) as client:
        assert client.get("/v4/orders").json() == {"resources": [], "links": []}
