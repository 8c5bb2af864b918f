"""OTTO Market simulator: Orders V4, Shipments V1, Availability V1, Returns V3, Receipts V3.

Entry points::

    state, faults, clock = OttoState(), FaultSwitches(), SimulatedClock()
    app = create_app(state, faults, clock)
    client = authorized_client(app)           # token for the default sandbox seller
    apply_seed(state, SeedPayload.model_validate({...}), clock.now())   # or POST /_admin/seed

See ``admin.py`` for the admin routes and ``seed.py`` for the seed shapes.
"""

from marketdock.sandbox.otto.app import create_app
from marketdock.sandbox.otto.client import authorized_client, fetch_token
from marketdock.sandbox.otto.clock import AdvanceableClock, SimulatedClock
from marketdock.sandbox.otto.model import Partner
from marketdock.sandbox.otto.seed import SeedError, SeedOrder, SeedPayload, apply_seed
from marketdock.sandbox.otto.state import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_PARTNER_ID,
    OttoConfig,
    OttoState,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_PARTNER_ID",
    "AdvanceableClock",
    "OttoConfig",
    "OttoState",
    "Partner",
    "SeedError",
    "SeedOrder",
    "SeedPayload",
    "SimulatedClock",
    "apply_seed",
    "authorized_client",
    "create_app",
    "fetch_token",
]
