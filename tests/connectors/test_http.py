"""Every outbound call is rate-limited through the shared buckets and classified."""

from __future__ import annotations

import httpx
import pytest

from marketdock.connectors.http import BadResponse, HttpCaller
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import Limit, RateLimiter
from marketdock.errors import AuthError, RateLimited, RemoteError, RemoteTimeout, TransportError


def caller(handler: httpx.MockTransport, db: Database | None = None) -> HttpCaller:
    limiter = RateLimiter(db) if db is not None else None
    return HttpCaller(httpx.Client(transport=handler, base_url="http://remote"), system="test",
                      tenant_id="acme", account="acc", limiter=limiter,
                      limits={"orders": Limit(rate=5, burst=2)} if db else None,
                      rate_header="x-amzn-RateLimit-Limit",
                      error_code=lambda r: r.json().get("code") if r.content else None)


def test_success_and_json() -> None:
    http = caller(httpx.MockTransport(lambda r: httpx.Response(200, json={"a": 1})))
    response = http.call("orders", "GET", "/orders")
    assert http.json(response, "orders") == {"a": 1}


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, AuthError),
                                               (400, RemoteError), (503, RemoteError)])
def test_error_statuses_are_classified(status: int, error: type[Exception]) -> None:
    http = caller(httpx.MockTransport(lambda r: httpx.Response(status, json={"code": "X1"})))
    with pytest.raises(error) as caught:
        http.call("orders", "GET", "/orders")
    if isinstance(caught.value, RemoteError):
        assert (caught.value.status, caught.value.code) == (status, "X1")


def test_transport_failures() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(RemoteTimeout, match="may have taken effect"):
        caller(httpx.MockTransport(timeout)).call("orders", "POST", "/orders")
    with pytest.raises(TransportError) as caught:
        caller(httpx.MockTransport(refused)).call("orders", "POST", "/orders")
    assert not isinstance(caught.value, RemoteTimeout)
    http = caller(httpx.MockTransport(lambda r: httpx.Response(200, content=b"<html>")))
    with pytest.raises(BadResponse):
        http.json(http.call("orders", "GET", "/orders"), "orders")


def test_429_blocks_the_shared_bucket_and_headers_adjust_it(db: Database) -> None:
    responses = iter([httpx.Response(200, headers={"x-amzn-RateLimit-Limit": "0.5"}),
                      httpx.Response(429, headers={"Retry-After": "60"}, json={})])
    http = caller(httpx.MockTransport(lambda r: next(responses)), db)
    http.call("orders", "GET", "/orders")
    with pytest.raises(RateLimited) as caught:
        http.call("orders", "GET", "/orders")
    assert caught.value.retry_after == 60
    other = RateLimiter(db)
    assert other.try_acquire("acme", "acc", "orders") == pytest.approx(60, abs=1)
