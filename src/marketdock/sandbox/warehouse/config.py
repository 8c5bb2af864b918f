"""How the simulated warehouse behaves: delays, error rates, splits and carriers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from marketdock.sandbox.warehouse.model import Carrier

CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in (
        Carrier(
            code="DHL", name="DHL Paket", scac="DHLD", service="DHL Paket",
            tracking_pattern="00340434############",
            tracking_url="https://www.dhl.de/de/privatkunden/dhl-sendungsverfolgung.html?piececode={tracking}",
        ),
        Carrier(
            code="DPD", name="DPD", scac="DPDD", service="DPD Classic",
            tracking_pattern="0###############",
            tracking_url="https://tracking.dpd.de/parcelstatus?query={tracking}",
        ),
        Carrier(
            code="HERMES", name="Hermes", scac="HRMS", service="Hermes Paket",
            tracking_pattern="H10############",
            tracking_url="https://www.myhermes.de/empfangen/sendungsverfolgung/?trackingId={tracking}",
        ),
        Carrier(
            code="UPS", name="UPS", scac="UPSN", service="UPS Express Saver",
            tracking_pattern="1Z******##########",
            tracking_url="https://www.ups.com/track?tracknum={tracking}",
        ),
        Carrier(
            code="ROYAL_MAIL", name="Royal Mail", scac="RMLG", service="Tracked 48",
            tracking_pattern="@@#########GB",
            tracking_url="https://www.royalmail.com/track-your-item#/tracking-results/{tracking}",
        ),
    )
}

# shipping method (as the order names it, case-insensitive) -> carrier code
DEFAULT_METHODS: dict[str, str] = {
    "standard": "DHL",
    "dhl": "DHL",
    "dpd": "DPD",
    "hermes": "HERMES",
    "express": "UPS",
    "ups": "UPS",
    "royal mail": "ROYAL_MAIL",
}


@dataclass(frozen=True, kw_only=True)
class FloorConfig:
    """Behaviour of one simulated warehouse. Delays are seconds on the floor clock."""

    seed: int = 0
    allocate_delay: float = 0.0
    pick_delay: float = 3600.0
    pack_delay: float = 900.0
    ship_delay: float = 1800.0
    short_pick_rate: float = 0.0  # chance per order line of being short at pick
    # On a short pick the bin is found empty: free units of the missing SKU are written
    # off too, so the SKU shows a stock-out at once. False writes off only the missing.
    short_pick_empties_bin: bool = True
    split_probability: float = 0.0  # chance a multi-unit order goes out in extra parcels
    max_items_per_parcel: int | None = None
    max_extra_parcels: int = 2
    unit_weight_g: int = 400
    inbound_receive_delay: float | None = None  # None: inbound waits for receive_inbound
    inbound_short_rate: float = 0.0  # auto-receipt: chance per line of arriving short
    inbound_damage_rate: float = 0.0  # auto-receipt: chance per line of a damaged unit
    carriers: dict[str, Carrier] = field(default_factory=lambda: dict(CARRIERS))
    shipping_methods: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_METHODS))
    default_carrier: str = "DHL"
    carrier_by_country: dict[str, str] = field(default_factory=lambda: {"GB": "ROYAL_MAIL"})
    boxes_per_unit: dict[str, int] = field(default_factory=dict)
    """SKU → boxes one unit is packed in (bulky goods); a parcel holding such units gets a
    tracking number per further box. The 945 and the DESADV report the further boxes; the
    CSV layout and the REST shape carry one tracking number per parcel."""

    def __post_init__(self) -> None:
        for name in ("allocate_delay", "pick_delay", "pack_delay", "ship_delay"):
            if getattr(self, name) < 0:
                raise ValueError(f"FloorConfig.{name} must be >= 0, got {getattr(self, name)}")
        for name in (
            "short_pick_rate", "split_probability", "inbound_short_rate", "inbound_damage_rate"
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FloorConfig.{name} must be within 0..1, got {value}")
        bad_boxes = {sku: n for sku, n in self.boxes_per_unit.items() if n < 1}
        if bad_boxes:
            raise ValueError(f"FloorConfig.boxes_per_unit must be >= 1 per SKU, got {bad_boxes}")
        if self.max_items_per_parcel is not None and self.max_items_per_parcel < 1:
            raise ValueError(
                f"FloorConfig.max_items_per_parcel must be >= 1, got {self.max_items_per_parcel}"
            )
        known = set(self.carriers)
        wanted = {self.default_carrier, *self.shipping_methods.values(),
                  *self.carrier_by_country.values()}
        if unknown := wanted - known:
            raise ValueError(f"FloorConfig names unknown carriers {sorted(unknown)}")

    def carrier_for(self, shipping_method: str, country: str) -> Carrier:
        """The carrier a method names, else the destination's default, else the default."""
        code = self.shipping_methods.get(shipping_method.strip().lower())
        if code is None:
            code = self.carrier_by_country.get(country.upper(), self.default_carrier)
        return self.carriers[code]


def tracking_number(pattern: str, rng: random.Random) -> str:
    """A tracking number in the carrier's pattern (see :class:`Carrier`)."""
    digits, letters = "0123456789", "ABCDEFGHJKLMNPQRSTUVWXYZ"
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(rng.choice(digits))
        elif ch == "@":
            out.append(rng.choice(letters))
        elif ch == "*":
            out.append(rng.choice(digits + letters))
        else:
            out.append(ch)
    return "".join(out)
