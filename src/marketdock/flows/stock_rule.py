"""The stock rule: how many units of a listing a channel is shown, and why.

Pure functions over domain records and the config; the stock flow feeds them what the
store knows and stores what they return.

For one listing on one channel:

1. per warehouse SKU behind the listing: the units pickable at each of the channel's
   warehouses, summed, less the units reserved by orders the hub holds that the warehouse
   has not acknowledged yet (pending, releasable, held and released orders);
2. a kit is as available as its scarcest component allows: the minimum over components
   of ``floor(component available / units per kit)``;
3. the tenant's safety buffer comes off, then the channel rule applies: percentage
   (rounded down), 0 below the floor, capped at ``max_listed``; never negative.

An FBA listing is excluded: Amazon ships it from its own stock, so it never receives a
warehouse quantity.

Every result carries its :class:`StockExplanation`, a serialisable record of each term, so
an operator can see why a number was published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal

import pydantic

from marketdock.config import ChannelStockRule, StockPolicy, TenantConfig
from marketdock.domain import Listing, OrderStatus
from marketdock.flows.routing import open_units
from marketdock.flows.store.orders import StoredOrder

RESERVING = (OrderStatus.PENDING, OrderStatus.RELEASABLE, OrderStatus.HELD,
             OrderStatus.RELEASED)
"""Hub statuses of orders whose open units the warehouse does not yet hold for them."""

FBA_EXCLUDED = "FBA listing: Amazon ships it from its own stock; no warehouse quantity is sent"

ReservationKey = tuple[str | None, str]
"""(warehouse id, or None for an order not yet routed; warehouse SKU)."""


class _Frozen(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class ComponentStock(_Frozen):
    """One warehouse SKU behind a listing (the only one, for a single listing)."""

    warehouse_sku: str
    per_unit: int
    """Units of this SKU in one unit of the listing."""
    pickable: dict[str, int]
    """Warehouse id → units the warehouse can pick."""
    reserved: int
    """Units held for orders the warehouse has not acknowledged."""
    available: int
    """Pickable summed over the warehouses, less ``reserved``; may be negative."""
    listing_units: int
    """Whole listing units this SKU allows: ``floor(max(available, 0) / per_unit)``."""


class RuleTerms(_Frozen):
    warehouses: tuple[str, ...]
    components: tuple[ComponentStock, ...]
    available: int
    """Listing units the components allow (the minimum over them)."""
    safety_buffer: int
    after_buffer: int
    percentage: Decimal
    after_percentage: int
    floor: int
    below_floor: bool
    max_listed: int | None
    capped: bool


class StockExplanation(_Frozen):
    """Why a channel is shown ``quantity`` units of a listing (or nothing, when excluded)."""

    channel: str
    channel_sku: str
    quantity: int | None
    """Units to publish; None for an excluded listing, which is never sent a quantity."""
    excluded: str | None = None
    terms: RuleTerms | None = None

    @pydantic.model_validator(mode="after")
    def _shape(self) -> StockExplanation:
        if (self.excluded is None) == (self.terms is None):
            raise ValueError("an explanation has either terms or an exclusion reason")
        if (self.quantity is None) != (self.excluded is not None):
            raise ValueError("an excluded listing has no quantity; any other has one")
        return self

    def describe(self) -> list[str]:
        """The explanation as lines an operator reads (``marketdock stock explain``)."""
        head = f"{self.channel} {self.channel_sku}"
        if self.terms is None:
            return [f"{head}: excluded ({self.excluded})"]
        t = self.terms
        lines = [f"{head}: publish {self.quantity}"]
        for c in t.components:
            per_warehouse = ", ".join(f"{w} {n}" for w, n in sorted(c.pickable.items())) \
                or "no warehouse"
            lines.append(f"  {c.warehouse_sku}: pickable {per_warehouse}; reserved {c.reserved};"
                         f" available {c.available}"
                         + (f"; {c.per_unit} per unit -> {c.listing_units}"
                            if c.per_unit != 1 else ""))
        lines.append(f"  available {t.available} - safety buffer {t.safety_buffer}"
                     f" = {t.after_buffer}")
        lines.append(f"  {t.percentage}% rounded down = {t.after_percentage}")
        if t.below_floor:
            lines.append(f"  below the floor of {t.floor}: 0")
        if t.capped:
            lines.append(f"  capped at max listed {t.max_listed}")
        return lines


def channel_warehouses(tenant: TenantConfig, channel_id: str) -> tuple[str, ...]:
    """The warehouses whose stock a channel is shown: its rule's, or all the tenant's."""
    rule = tenant.stock_policy.channels.get(channel_id)
    if rule is not None and rule.warehouses is not None:
        return rule.warehouses
    return tuple(warehouse.id for warehouse in tenant.warehouses)


def reservations(orders: Iterable[StoredOrder],
                 listings: Mapping[tuple[str, str], Listing]) -> dict[ReservationKey, int]:
    """Units of each warehouse SKU held for orders in :data:`RESERVING`.

    ``listings`` is keyed by (channel account, channel SKU). A kit line reserves its
    components. A line whose SKU has no listing reserves nothing: it cannot be mapped to
    warehouse stock (the order is held for it).
    """
    reserved: dict[ReservationKey, int] = {}
    for stored in orders:
        if stored.status not in RESERVING:
            continue
        for line in stored.order.lines:
            units = open_units(line)
            listing = listings.get((stored.order.channel_account_id, line.sku))
            if units == 0 or listing is None:
                continue
            for sku, quantity in listing.warehouse_units(units).items():
                key = (stored.warehouse_id, sku)
                reserved[key] = reserved.get(key, 0) + quantity
    return reserved


def reserved_for(reserved: Mapping[ReservationKey, int],
                 warehouses: Sequence[str]) -> dict[str, int]:
    """Warehouse SKU → units reserved against ``warehouses``: orders routed to one of them,
    and orders not routed yet (they may go to any)."""
    result: dict[str, int] = {}
    for (warehouse_id, sku), units in reserved.items():
        if warehouse_id is None or warehouse_id in warehouses:
            result[sku] = result.get(sku, 0) + units
    return result


def explain(listing: Listing, *, channel_id: str, policy: StockPolicy,
            warehouses: Sequence[str], pickable: Mapping[tuple[str, str], int],
            reserved: Mapping[str, int]) -> StockExplanation:
    """What ``channel_id`` is shown of ``listing``, with every term.

    ``pickable`` maps (warehouse id, warehouse SKU) to units; a missing entry is 0.
    ``reserved`` maps warehouse SKU to units reserved against ``warehouses``
    (see :func:`reserved_for`).
    """
    if not listing.receives_warehouse_stock:
        return StockExplanation(channel=channel_id, channel_sku=listing.channel_sku,
                                quantity=None, excluded=FBA_EXCLUDED)
    components = tuple(_component(c.warehouse_sku, c.quantity, warehouses, pickable, reserved)
                       for c in listing.bill_of_materials)
    available = min(c.listing_units for c in components)
    rule = policy.channels.get(channel_id, ChannelStockRule())
    after_buffer = available - policy.safety_buffer
    after_percentage = int((Decimal(max(after_buffer, 0)) * rule.percentage / 100)
                           .to_integral_value(rounding=ROUND_DOWN))
    below_floor = after_percentage < rule.floor
    quantity = 0 if below_floor else after_percentage
    capped = rule.max_listed is not None and quantity > rule.max_listed
    if rule.max_listed is not None:
        quantity = min(quantity, rule.max_listed)
    terms = RuleTerms(
        warehouses=tuple(warehouses), components=components, available=available,
        safety_buffer=policy.safety_buffer, after_buffer=after_buffer,
        percentage=rule.percentage, after_percentage=after_percentage, floor=rule.floor,
        below_floor=below_floor, max_listed=rule.max_listed, capped=capped)
    return StockExplanation(channel=channel_id, channel_sku=listing.channel_sku,
                            quantity=quantity, terms=terms)


def _component(sku: str, per_unit: int, warehouses: Sequence[str],
               pickable: Mapping[tuple[str, str], int],
               reserved: Mapping[str, int]) -> ComponentStock:
    at = {warehouse: pickable.get((warehouse, sku), 0) for warehouse in warehouses}
    held = reserved.get(sku, 0)
    available = sum(at.values()) - held
    return ComponentStock(warehouse_sku=sku, per_unit=per_unit, pickable=at, reserved=held,
                          available=available, listing_units=max(available, 0) // per_unit)
