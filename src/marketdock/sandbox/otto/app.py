"""Assemble the OTTO Market simulator as one ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from marketdock.sandbox.faults import FaultSwitches, fault_admin_routes, with_faults
from marketdock.sandbox.otto.admin import admin_routes
from marketdock.sandbox.otto.auth import token_routes
from marketdock.sandbox.otto.availability import availability_routes
from marketdock.sandbox.otto.clock import AdvanceableClock, SimulatedClock
from marketdock.sandbox.otto.http import Pipeline
from marketdock.sandbox.otto.orders import order_routes
from marketdock.sandbox.otto.receipts import receipt_routes
from marketdock.sandbox.otto.returns import return_routes
from marketdock.sandbox.otto.shipments import shipment_routes
from marketdock.sandbox.otto.state import OttoState


def create_app(
    state: OttoState | None = None,
    faults: FaultSwitches | None = None,
    clock: AdvanceableClock | None = None,
) -> ASGIApp:
    """The OTTO Market simulator, wrapped with the generic HTTP fault switches.

    Pass your own ``state``, ``faults`` and ``clock`` to seed, inspect, break and move time
    from Python; the same is possible over HTTP under ``/_admin``.
    """
    state = state if state is not None else OttoState()
    faults = faults if faults is not None else FaultSwitches()
    clock = clock if clock is not None else SimulatedClock()
    pipe = Pipeline(state, clock, faults)
    routes = [
        *fault_admin_routes(faults),
        *admin_routes(state, clock),
        *token_routes(state, clock),
        *order_routes(pipe),
        *shipment_routes(pipe),
        *availability_routes(pipe),
        *return_routes(pipe),
        *receipt_routes(pipe),
    ]
    return with_faults(Starlette(routes=routes), faults)
