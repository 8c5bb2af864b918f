"""The shared fault switches and the in-process transport behave as documented."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.faults import FaultSwitches, fault_admin_routes, with_faults


def make_app() -> tuple[httpx.Client, FaultSwitches, list[str]]:
    seen: list[str] = []
    faults = FaultSwitches(seed=1)

    async def echo(request: Request) -> JSONResponse:
        seen.append(request.url.path)
        return JSONResponse({"path": request.url.path, "body": (await request.body()).decode()})

    routes = [*fault_admin_routes(faults), Route("/{p:path}", echo, methods=["GET", "POST"])]
    app = Starlette(routes=routes)
    return client_for(with_faults(app, faults)), faults, seen


def test_passes_requests_and_bodies_through() -> None:
    client, _, seen = make_app()
    response = client.post("/orders", content=b"hello")
    assert response.json() == {"path": "/orders", "body": "hello"}
    assert seen == ["/orders"]


@pytest.mark.parametrize(("name", "status"), [("429", 429), ("5xx", 503)])
def test_status_faults_fire_count_times_then_stop(name: str, status: int) -> None:
    client, faults, seen = make_app()
    faults.set(name, count=2)
    assert [client.get("/x").status_code for _ in range(3)] == [status, status, 200]
    assert seen == ["/x"]


def test_429_carries_retry_after() -> None:
    client, faults, _ = make_app()
    faults.set("429", count=1, retry_after=7)
    assert client.get("/x").headers["retry-after"] == "7"


def test_timeout_before_and_after_the_effect() -> None:
    client, faults, seen = make_app()
    faults.set("timeout", count=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/before")
    assert seen == []
    faults.set("timeout_after", count=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/after")
    assert seen == ["/after"]


def test_reset_raises_protocol_error() -> None:
    client, faults, _ = make_app()
    faults.set("reset", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")


def test_malformed_and_truncated_bodies() -> None:
    client, faults, _ = make_app()
    faults.set("malformed", count=1)
    with pytest.raises(ValueError):
        client.get("/x").json()
    faults.set("truncated", count=1)
    body = client.get("/abc").content
    with pytest.raises(ValueError):
        httpx.Response(200, content=body).json()


def test_path_filter_and_admin_endpoint() -> None:
    client, faults, _ = make_app()
    assert client.put("/_admin/faults/5xx", json={"rate": 1.0, "path": "/ship"}).status_code == 200
    assert client.get("/orders").status_code == 200
    assert client.get("/shipments").status_code == 503
    assert client.get("/_admin/faults").json()["5xx"]["fired"] == 1
    client.delete("/_admin/faults")
    assert client.get("/shipments").status_code == 200


def test_rate_is_reproducible_from_the_seed() -> None:
    def run() -> list[int]:
        client, faults, _ = make_app()
        faults.set("5xx", rate=0.5)
        return [client.get("/x").status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert 200 in first and 503 in first
