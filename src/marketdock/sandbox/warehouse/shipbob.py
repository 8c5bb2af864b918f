"""A REST 3PL simulator in the shape of ShipBob's dated API (``/2026-01/...``).

``create_app()`` returns an ASGI app over a :class:`Floor`, wrapped with the generic
HTTP fault switches. Requests need ``Authorization: Bearer <token>`` (a personal access
token; default :data:`DEFAULT_TOKEN`); creating an order also needs the header
``shipbob_channel_id`` (default :data:`DEFAULT_CHANNEL_ID`). Each token may make
``rate_limit`` requests per sliding ``rate_window`` seconds of floor time; beyond that the
answer is 429 with ``x-retry-after`` (seconds) and ``x-remaining-calls: 0``. Every API
answer carries ``x-remaining-calls``.

Endpoints (all under ``/2026-01``): ``GET /channel``; ``POST /order`` (a reused
``reference_id`` is answered 422 ``{"reference_id": [...]}``); ``GET /order`` (filters
``IDs``, ``ReferenceIds``, ``HasTracking``, ``StartDate``/``EndDate``,
``LastUpdateStartDate``/``LastUpdateEndDate``, ``SortOrder=Newest``, ``Page``, ``Limit``);
``GET /order/{id}``; ``POST /order/{id}:cancel``; ``GET /order/{id}/shipment[/{sid}]``;
``GET /shipment/{sid}``; ``GET /inventory-level[/{inventory_id}]`` (``PageSize``,
``Cursor``, ``InventoryIds``, ``SearchBy``); ``POST|GET /receiving``,
``GET /receiving/{id}``, ``POST /receiving/{id}:cancel``; ``POST|GET /webhook``,
``DELETE /webhook/{id}``. Webhooks are described in
:mod:`marketdock.sandbox.warehouse.webhooks`; admin routes in
:mod:`marketdock.sandbox.warehouse.shipbob_admin`.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp

from marketdock.sandbox.faults import FaultSwitches, fault_admin_routes, with_faults
from marketdock.sandbox.warehouse.floor import Floor
from marketdock.sandbox.warehouse.shipbob_admin import admin_routes
from marketdock.sandbox.warehouse.shipbob_core import ShipBobSimulator
from marketdock.sandbox.warehouse.shipbob_orders import order_routes
from marketdock.sandbox.warehouse.shipbob_stock import stock_routes
from marketdock.sandbox.warehouse.webhooks import Sender, http_sender

DEFAULT_TOKEN = "shipbob-sandbox-pat"
DEFAULT_CHANNEL_ID = 4711


def create_app(
    floor: Floor | None = None,
    faults: FaultSwitches | None = None,
    *,
    token: str = DEFAULT_TOKEN,
    channel_id: int = DEFAULT_CHANNEL_ID,
    sender: Sender | None = None,
    rate_limit: int = 150,
    rate_window: float = 60.0,
    seed: int = 0,
) -> ASGIApp:
    """The ShipBob-shaped simulator over ``floor``.

    ``sender(url, headers, body) -> status`` delivers webhooks (default: HTTP POST via
    httpx); ``seed`` drives generated webhook secrets and the default fault switches.
    """
    floor = floor or Floor()
    faults = faults or FaultSwitches(seed=seed)
    sim = ShipBobSimulator(
        floor, faults, token=token, channel_id=channel_id, sender=sender or http_sender,
        rate_limit=rate_limit, rate_window=rate_window, seed=seed,
    )
    app = Starlette(routes=[
        *fault_admin_routes(faults), *admin_routes(sim), *order_routes(sim), *stock_routes(sim),
    ])
    app.state.simulator = sim
    return with_faults(app, faults)


def simulator_of(app: ASGIApp) -> ShipBobSimulator:
    """The :class:`ShipBobSimulator` behind an app made by :func:`create_app`."""
    inner: Any = getattr(app, "app", app)
    sim = getattr(getattr(inner, "state", None), "simulator", None)
    if not isinstance(sim, ShipBobSimulator):
        raise TypeError(f"{app!r} was not made by create_app")
    return sim
