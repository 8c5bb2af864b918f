"""The simulators are not the bottleneck: simple requests per second, served in-process.

For each simulator, a simple authenticated read (OTTO: list orders; Amazon: getOrders v0;
3PL: inventory levels) is served ``--requests`` times with the simulator's own rate limits
switched off, measured two ways:

- ``served_per_s``: the ASGI app called directly, as a server calls it: the simulator's
  own cost, judged against the target of 5,000 requests/s;
- ``via_httpx_per_s``: through an httpx client on the ASGI transport, ``--concurrency``
  at a time, as tests and the demo use it; this adds httpx's client-side cost, which is
  the same for any app (``httpx_trivial_app_per_s`` shows it for a one-line app).

    python bench/sandbox.py [--requests N] [--concurrency N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketdock.sandbox import amazon, otto
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.warehouse import shipbob

TARGET = 5000.0


def otto_case() -> tuple[Any, str, dict[str, str]]:
    app = otto.create_app(otto.OttoState(config=otto.OttoConfig(
        api_rate_per_second=None, token_rate_per_second=None)))
    with client_for(app) as client:
        token = otto.fetch_token(client)
    return app, "/v4/orders?limit=10", {"Authorization": f"Bearer {token}"}


def amazon_case() -> tuple[Any, str, dict[str, str]]:
    app = amazon.create_app(amazon.AmazonState(config=amazon.SimConfig(rate_limits=False)))
    credentials = amazon.Credentials()
    with client_for(app) as client:
        token = client.post("/auth/o2/token", data={
            "grant_type": "refresh_token", "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": next(iter(credentials.refresh_tokens))}).json()["access_token"]
    return (app, "/orders/v0/orders?MarketplaceIds=A1PA6795UKMFR9"
                 "&CreatedAfter=2020-01-01T00:00:00Z", {"x-amz-access-token": token})


def threepl_case() -> tuple[Any, str, dict[str, str]]:
    app = shipbob.create_app(rate_limit=10_000_000)
    return app, "/2026-01/inventory-level", {"Authorization": f"Bearer {shipbob.DEFAULT_TOKEN}"}


async def served(app: Any, path: str, headers: dict[str, str], requests: int) -> float:
    """Requests/s with the app called directly through ASGI."""
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": route, "raw_path": route.encode(),
             "query_string": query.encode(), "root_path": "", "client": ("127.0.0.1", 1),
             "server": ("sandbox", 80),
             "headers": [(b"host", b"sandbox"),
                         *((k.lower().encode(), v.encode()) for k, v in headers.items())]}
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"{path}: statuses {sorted(set(statuses))}")
    return requests / elapsed


async def via_httpx(app: Any, path: str, headers: dict[str, str], requests: int,
                    concurrency: int) -> float:
    """Requests/s through an httpx client on the ASGI transport."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                 headers=headers) as client:
        assert (await client.get(path)).status_code == 200, path
        remaining = requests
        started = time.perf_counter()

        async def one() -> None:
            response = await client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")

        while remaining > 0:
            batch = min(concurrency, remaining)
            await asyncio.gather(*(one() for _ in range(batch)))
            remaining -= batch
        return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description="simulator throughput in-process")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    cases: dict[str, Callable[[], tuple[Any, str, dict[str, str]]]] = {
        "otto": otto_case, "amazon": amazon_case, "3pl": threepl_case}
    report: dict[str, object] = {"requests": args.requests, "concurrency": args.concurrency,
                                 "target_requests_per_s": TARGET}
    for name, case in cases.items():
        app, path, headers = case()
        rate = asyncio.run(served(app, path, headers, args.requests))
        client = asyncio.run(via_httpx(app, path, headers, args.requests, args.concurrency))
        report[name] = {"request": f"GET {path.split('?')[0]}", "served_per_s": round(rate),
                        "via_httpx_per_s": round(client), "meets_target": rate >= TARGET}
    report["httpx_trivial_app_per_s"] = round(asyncio.run(via_httpx(
        trivial_app(), "/", {}, args.requests, args.concurrency)))
    print(json.dumps(report))


def trivial_app() -> Any:
    async def hello(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/", hello)])


if __name__ == "__main__":
    main()
