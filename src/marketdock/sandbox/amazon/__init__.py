"""Amazon SP-API simulator: orders, shipments, listings, feeds, FBA inventory, reports and FBA
inbound, with Amazon's rules."""

from marketdock.sandbox.amazon.app import create_app
from marketdock.sandbox.amazon.clock import SimulatedClock
from marketdock.sandbox.amazon.model import DEFAULT_SELLER, AmazonState, Credentials, SimConfig

__all__ = [
    "DEFAULT_SELLER",
    "AmazonState",
    "Credentials",
    "SimConfig",
    "SimulatedClock",
    "create_app",
]
