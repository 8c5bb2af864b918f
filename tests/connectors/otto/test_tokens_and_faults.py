"""Token cache, refresh on 401, and the simulator's fault switches."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from marketdock.connectors.http import BadResponse
from marketdock.connectors.ports import CarrierChoice
from marketdock.errors import AuthError, RateLimited, RemoteError
from marketdock.sandbox.otto import OttoConfig
from tests.connectors.otto.harness import START, Sim, connector, mock_connector, package


def token_posts(paths: list[str]) -> int:
    return paths.count("/v1/token")


def test_token_is_cached_and_renewed_before_it_expires(sim: Sim) -> None:
    otto, recorder = connector(sim)
    otto.fetch_orders(START)
    otto.fetch_orders(START)
    assert token_posts(recorder.paths("POST")) == 1
    sim.advance(29 * 60)  # still valid at OTTO, but inside the renewal margin
    otto.fetch_orders(START)
    assert token_posts(recorder.paths("POST")) == 2
    assert 401 not in recorder.statuses


def test_an_expired_token_is_refreshed_once_on_401(sim: Sim) -> None:
    otto, recorder = connector(sim)
    otto.fetch_orders(START)
    sim.clock.advance(31 * 60)  # OTTO's clock only: the cache still trusts its token
    otto.fetch_orders(START)
    assert token_posts(recorder.paths("POST")) == 2
    assert recorder.statuses.count(401) == 1
    assert recorder.statuses[-1] == 200


def test_a_second_401_is_not_retried_again() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/v1/token":
            return httpx.Response(200, json={"access_token": f"t{len(paths)}",
                                             "expires_in": 1800, "token_type": "bearer"})
        return httpx.Response(401, json={"errors": [{"title": "UNAUTHORIZED"}]})

    otto = mock_connector(handler)
    with pytest.raises(AuthError, match="401"):
        otto.fetch_orders(START)
    assert paths == ["/v1/token", "/v4/orders", "/v1/token", "/v4/orders"]


def test_refused_credentials_are_an_auth_error(sim: Sim) -> None:
    otto, _ = connector(sim, secret="wrong")
    with pytest.raises(AuthError, match="otto token: HTTP 401 invalid_client"):
        otto.fetch_orders(START)


def test_a_429_burst_is_a_rate_limit_and_the_next_call_goes_through(sim: Sim) -> None:
    otto, _ = connector(sim)
    sim.faults.set("429", count=2, path="/v4/orders", retry_after=3)
    for _ in range(2):
        with pytest.raises(RateLimited) as caught:
            otto.fetch_orders(START)
        assert caught.value.retry_after == 3
    assert otto.fetch_orders(START).orders == []


def test_otto_own_rate_limit_answers_429() -> None:
    sim = Sim(OttoConfig(api_rate_per_second=3))
    try:
        otto, _ = connector(sim)
        for _ in range(3):
            otto.fetch_orders(START)
        with pytest.raises(RateLimited):
            otto.fetch_orders(START)
        sim.advance(1)
        otto.fetch_orders(START)
    finally:
        sim.close()


def test_a_5xx_on_a_shipment_creates_nothing_and_a_retry_succeeds(sim: Sim) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}], "status": "PROCESSABLE"}])
    otto, _ = connector(sim)
    [order] = otto.fetch_orders(START).orders
    parcel = package(order, [order.lines[0].line_id], "P1")
    sim.faults.set("5xx", count=1, path="/v1/shipments", method="POST")
    with pytest.raises(RemoteError) as caught:
        otto.confirm_package(order, parcel, CarrierChoice(code="DHL"))
    assert caught.value.status == 503
    assert otto.confirmed_packages(order) == []
    assert otto.confirm_package(order, parcel, CarrierChoice(code="DHL"))


def test_an_unreadable_page_is_a_bad_response(sim: Sim) -> None:
    otto, _ = connector(sim)
    sim.faults.set("malformed", count=1, path="/v4/orders")
    with pytest.raises(BadResponse):
        otto.fetch_orders(START)


def test_token_lifetime_follows_the_answer(sim: Sim) -> None:
    sim.state.config.token_ttl = timedelta(minutes=5)
    otto, recorder = connector(sim)
    otto.fetch_orders(START)
    sim.advance(4 * 60)  # 1 minute left: inside the 2-minute margin
    otto.fetch_orders(START)
    assert token_posts(recorder.paths("POST")) == 2
    assert 401 not in recorder.statuses


def test_a_next_link_to_another_host_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        assert request.url.host == "otto", "the token must not leave OTTO's host"
        return httpx.Response(200, json={"resources": [], "links": [
            {"rel": "next", "href": "https://elsewhere.example/v4/orders?nextcursor=x"}]})

    otto = mock_connector(handler)
    with pytest.raises(BadResponse, match="elsewhere.example"):
        otto.fetch_orders(START)


def test_a_next_link_that_keeps_coming_back_stops_paging() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        return httpx.Response(200, json={"resources": [], "links": [
            {"rel": "next", "href": "/v4/orders?nextcursor=same"}]})

    otto = mock_connector(handler)
    with pytest.raises(BadResponse, match="came back 4 times"):
        otto.fetch_orders(START)
