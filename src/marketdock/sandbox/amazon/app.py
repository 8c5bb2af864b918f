"""Build the Amazon SP-API simulator as one ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from marketdock.sandbox.amazon import (
    admin,
    fba_inventory,
    feeds,
    inbound,
    listings,
    orders_2026,
    orders_v0,
    reports,
    shipments,
)
from marketdock.sandbox.amazon.auth import token_endpoint
from marketdock.sandbox.amazon.clock import SimulatedClock
from marketdock.sandbox.amazon.feed_processing import finish_feed
from marketdock.sandbox.amazon.http import Simulator
from marketdock.sandbox.amazon.model import AmazonState
from marketdock.sandbox.amazon.usage_plans import RateLimiter
from marketdock.sandbox.faults import FaultSwitches, fault_admin_routes, with_faults


def create_app(
    state: AmazonState | None = None,
    faults: FaultSwitches | None = None,
    clock: SimulatedClock | None = None,
) -> ASGIApp:
    """The simulator, wrapped with the generic HTTP fault switches.

    ``app.state.sim`` of the inner Starlette app holds state, faults, clock and limiter;
    tests usually keep their own references to the objects they pass in.
    """
    faults = faults or FaultSwitches()
    sim = Simulator(
        state=state or AmazonState(),
        faults=faults,
        clock=clock or SimulatedClock(),
        limiter=RateLimiter(),
        on_feed_finished=finish_feed,
    )
    routes: list[Route] = [
        Route("/auth/o2/token", token_endpoint, methods=["POST"]),
        *fault_admin_routes(faults),
        *admin.admin_routes(),
        *orders_v0.routes(),
        *orders_2026.routes(),
        *shipments.routes(),
        *listings.routes(),
        *feeds.routes(),
        *fba_inventory.routes(),
        *reports.routes(),
        *inbound.routes(),
    ]
    app = Starlette(routes=routes)
    app.state.sim = sim
    return with_faults(app, faults)
