"""The carrier codes each marketplace accepts, so a carrier mapping to anything else is
refused when it is saved rather than when a package is confirmed.

OTTO's list is the carrier enum of Shipments V1 (2025-04 snapshot of the contract); OTTO
grows it over time, so the list is data, kept equal to the contract by a test. Amazon's
is the ``CarrierCode`` list of its feed schema; a carrier outside it is sent as ``Other``
with the carrier's name.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Final

from marketdock.domain.accounts import ChannelKind

OTTO_CARRIERS: Final = (
    "DHL", "DHL_EXPRESS", "DHL_FREIGHT", "DHL_HOME_DELIVERY", "GLS", "HERMES", "DPD", "UPS",
    "BTW", "BURSPED", "CARGOLINE", "DACHSER", "DB_SCHENKER", "DSV", "EMONS", "EPH_DIREKT",
    "IDS", "GEIS", "GEL", "GUETTLER", "HES", "HELLMANN", "HEUEL", "KOCH", "KUEHNE_NAGEL",
    "LOGWIN", "MEYER_JUMBO", "RABEN_LOGISTIK", "RHENUS", "REIMER", "REITHMEIER",
    "SCHOCKEMOEHLE", "SCHMIDT_GEVELSBERG", "ZUFALL", "OTHER_FORWARDER",
)  # fmt: skip
"""Valid ``trackingKey.carrier`` values of OTTO Shipments V1."""

OTTO_RETURN_CARRIERS: Final = ("DHL", "GLS", "HERMES")
"""Valid ``returnTrackingKey.carrier`` values."""


@cache
def amazon_carrier_codes() -> frozenset[str]:
    """Amazon's published ``CarrierCode`` values (``Other`` among them)."""
    text = resources.files("marketdock.domain").joinpath(
        "data/amazon_carrier_codes.json").read_text("utf-8")
    return frozenset(json.loads(text)["codes"])


def accepted_codes(channel: ChannelKind) -> frozenset[str]:
    return frozenset(OTTO_CARRIERS) if channel is ChannelKind.OTTO else amazon_carrier_codes()
