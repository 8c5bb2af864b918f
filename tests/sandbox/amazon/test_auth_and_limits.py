"""LWA tokens, 403 without a valid token, usage plans enforced on the simulated clock."""

from __future__ import annotations

import pytest

from tests.sandbox.amazon.conftest import CREDS, DE, REFRESH, Sim

V0 = "/orders/v0/orders"


def grant(sim: Sim, **fields: str) -> dict[str, object]:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "client_id": CREDS.client_id,
        "client_secret": CREDS.client_secret,
        **fields,
    }
    response = sim.client.post("/auth/o2/token", data=form)
    return {"status": response.status_code, **response.json()}


def test_refresh_grant_returns_an_expiring_bearer_token(sim: Sim) -> None:
    body = grant(sim)
    assert body["status"] == 200 and body["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and str(body["access_token"]).startswith("Atza|")


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|unknown"}, 400, "invalid_grant"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_id": ""}, 400, "invalid_request"),
    ],
)
def test_bad_grants(sim: Sim, fields: dict[str, str], status: int, error: str) -> None:
    body = grant(sim, **fields)
    assert (body["status"], body["error"]) == (status, error)


def test_missing_wrong_expired_and_grantless_tokens_get_403(sim: Sim) -> None:
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-01T00:00:00Z"}
    del sim.client.headers["x-amz-access-token"]
    for token in (None, "Atza|forged"):
        headers = {"x-amz-access-token": token} if token else {}
        response = sim.client.get(V0, params=params, headers=headers)
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "Unauthorized"
        assert "x-amzn-RateLimit-Limit" not in response.headers
    grantless = grant(
        sim, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    )
    headers = {"x-amz-access-token": str(grantless["access_token"])}
    assert sim.client.get(V0, params=params, headers=headers).status_code == 403
    sim.login()
    sim.advance(3600)
    expired = sim.client.get(V0, params=params)
    assert expired.status_code == 403 and "expired" in expired.json()["errors"][0]["message"]


def test_burst_then_429_then_refill_on_the_simulated_clock(sim: Sim) -> None:
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-01T00:00:00Z"}
    codes = [sim.client.get(V0, params=params).status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]
    throttled = sim.client.get(V0, params=params)
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert sim.client.get(f"{V0}/302-0000000-0000000").status_code == 404  # other bucket
    sim.advance(60)  # 0.0167 rps: one token per ~60 s
    assert sim.client.get(V0, params=params).status_code == 200
    assert sim.client.get(V0, params=params).status_code == 429


def test_buckets_are_per_seller(sim: Sim) -> None:
    sim.seed({"refreshTokens": {"Atzr|b": "ASECONDSELLER"}})
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-01T00:00:00Z"}
    for _ in range(20):
        sim.client.get(V0, params=params)
    assert sim.client.get(V0, params=params).status_code == 429
    other = {"x-amz-access-token": sim.token("Atzr|b")}
    assert sim.client.get(V0, params=params, headers=other).status_code == 200


def test_rate_limits_can_be_switched_off(sim: Sim) -> None:
    assert sim.client.put("/_admin/config", json={"rate_limits": False}).status_code == 200
    params = {"MarketplaceIds": DE, "CreatedAfter": "2026-03-01T00:00:00Z"}
    assert {sim.client.get(V0, params=params).status_code for _ in range(30)} == {200}
