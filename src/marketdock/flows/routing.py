"""The order routing rules, as pure functions over domain records and the config.

:func:`decide` takes what the marketplace says about an order, what the hub knew before,
the listings of its SKUs and the tenant's config, and says what the hub does: the hub
status, the warehouse, the holds (each an open business exception with a reason an
operator can act on), and whether to release the order or cancel it at the warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from marketdock.config import TenantConfig, WarehouseConfig
from marketdock.connectors.ports import WarehouseLine
from marketdock.domain import Address, LineStatus, Listing, Order, OrderLine, OrderStatus
from marketdock.domain.accounts import WarehouseKind

UNMAPPED_SKU = "unmapped_sku"
ADDRESS_INVALID = "address_invalid"
NO_WAREHOUSE = "no_warehouse"
HOLD_TYPES = (UNMAPPED_SKU, ADDRESS_INVALID, NO_WAREHOUSE)

AT_WAREHOUSE = frozenset({OrderStatus.RELEASED, OrderStatus.ACKNOWLEDGED,
                          OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED})

# Longest value per address field each kind of warehouse accepts. X12: the element maximums
# of N1-02 (name), N3-01 (street), N4-01 (city) and N4-03 (postal code) in version 004010.
# EDIFACT: what the EANCOM NAD holds when name, company and street wrap over its components
# of 35 characters (five for name and company, four for street and further lines), city
# an..35, postal code an..9.
ADDRESS_LIMITS: Mapping[WarehouseKind, Mapping[str, int]] = {
    WarehouseKind.X12: {"name": 60, "company": 60, "street": 55, "line2": 55, "city": 30,
                        "postal_code": 15},
    WarehouseKind.EDIFACT: {"name": 70, "company": 70, "street": 60, "line2": 35, "city": 35,
                            "postal_code": 9},
    WarehouseKind.CSV: {"name": 100, "company": 100, "street": 100, "line2": 100, "city": 60,
                        "postal_code": 20},
    WarehouseKind.REST: {"name": 100, "company": 100, "street": 100, "line2": 100, "city": 60,
                         "postal_code": 20},
}


@dataclass(frozen=True)
class Hold:
    type: str
    reason: str


@dataclass(frozen=True)
class Decision:
    status: OrderStatus
    warehouse_id: str | None = None
    holds: tuple[Hold, ...] = ()
    release: bool = False
    cancel_at_warehouse: bool = False
    notes: tuple[str, ...] = field(default=())


def open_units(line: OrderLine) -> int:
    if line.status in (LineStatus.CANCELLED, LineStatus.SHIPPED, LineStatus.RETURNED):
        return 0
    return max(line.quantity - line.quantity_shipped - line.quantity_cancelled, 0)


def decide(order: Order, previous: OrderStatus | None, listings: Mapping[str, Listing],
           tenant: TenantConfig) -> Decision:
    """What the hub does with ``order`` (the marketplace's view) now."""
    if order.status is OrderStatus.CANCELLED:
        at_warehouse = previous in AT_WAREHOUSE and previous is not OrderStatus.SHIPPED
        return Decision(OrderStatus.CANCELLED, cancel_at_warehouse=at_warehouse)
    if previous in AT_WAREHOUSE:
        assert previous is not None
        return Decision(previous)
    if previous is OrderStatus.CANCELLED:
        return Decision(OrderStatus.CANCELLED)
    if order.status is OrderStatus.PENDING or any(
            line.status is LineStatus.PENDING for line in order.lines):
        return Decision(OrderStatus.PENDING)
    lines = [line for line in order.lines if open_units(line) > 0]
    if not lines:
        return Decision(OrderStatus.CANCELLED)
    holds: list[Hold] = []
    unmapped = sorted({line.sku for line in lines if line.sku not in listings})
    if unmapped:
        holds.append(Hold(UNMAPPED_SKU, (
            f"no listing maps channel SKU {', '.join(unmapped)} of account "
            f"{order.channel_account_id} to a warehouse SKU; add the listing and the order "
            "is released")))
    warehouse = choose_warehouse(order, lines, listings, tenant)
    if warehouse is None:
        holds.append(Hold(NO_WAREHOUSE, f"tenant {tenant.id} has no warehouse configured"))
    holds += address_holds(order.shipping_address, warehouse)
    if holds:
        return Decision(OrderStatus.HELD, warehouse.id if warehouse else None, tuple(holds))
    assert warehouse is not None
    return Decision(OrderStatus.RELEASABLE, warehouse.id, release=True)


def choose_warehouse(order: Order, lines: list[OrderLine], listings: Mapping[str, Listing],
                     tenant: TenantConfig) -> WarehouseConfig | None:
    """By SKU rule, then by destination country rule, then the tenant's first warehouse."""
    if not tenant.warehouses:
        return None
    for line in lines:
        listing = listings.get(line.sku)
        for component in listing.bill_of_materials if listing else ():
            if component.warehouse_sku in tenant.routing.by_sku:
                return tenant.warehouse(tenant.routing.by_sku[component.warehouse_sku])
    country = order.shipping_address.country_code if order.shipping_address else None
    if country in tenant.routing.by_country:
        return tenant.warehouse(tenant.routing.by_country[country])
    return tenant.warehouses[0]


def address_holds(address: Address | None, warehouse: WarehouseConfig | None) -> list[Hold]:
    if address is None:
        return [Hold(ADDRESS_INVALID, "the order has no delivery address")]
    problems = []
    missing = address.missing()
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if warehouse is not None:
        if warehouse.ships_to and address.country_code not in warehouse.ships_to:
            problems.append(f"warehouse {warehouse.id} does not ship to {address.country_code} "
                            f"(it ships to {', '.join(warehouse.ships_to)})")
        for name, limit in ADDRESS_LIMITS[warehouse.kind].items():
            value = getattr(address, name)
            if value is not None and len(value) > limit:
                problems.append(f"{name} has {len(value)} characters, warehouse "
                                f"{warehouse.id} takes at most {limit}")
    if not problems:
        return []
    return [Hold(ADDRESS_INVALID, "delivery address: " + "; ".join(problems)
                 + "; correct it on the marketplace or in the hub and the order is released")]


LINE_ID_MAX = 20
"""Longest marketplace line id a warehouse line reference carries as it is. Longer ids
(OTTO's position item UUIDs) go by their rank among the order's sorted line ids, ``#3``:
EDI and many WMS fields take 30 characters at most, and a kit reference adds the SKU."""


def _line_keys(order: Order) -> dict[str, str]:
    """Marketplace line id → the key a warehouse reference uses for it. Ranks follow the
    sorted line ids, so they do not depend on the order the marketplace lists lines in."""
    ranked = sorted(line.line_id for line in order.lines)
    return {line_id: line_id if len(line_id) <= LINE_ID_MAX else f"#{rank}"
            for rank, line_id in enumerate(ranked, start=1)}


def line_for_reference(order: Order, reference: str) -> OrderLine | None:
    """The order line a warehouse line reference (``<key>`` or ``<key>/<SKU>``) names."""
    key = reference.partition("/")[0]
    line_id = {k: line_id for line_id, k in _line_keys(order).items()}.get(key)
    return None if line_id is None else order.line(line_id)


def warehouse_lines(order: Order, listings: Mapping[str, Listing]) -> list[WarehouseLine]:
    """The warehouse's lines for the open units: a kit becomes one line per component,
    referenced ``<line key>/<warehouse SKU>`` (the key: the marketplace line id, or its
    rank for a long one, see :data:`LINE_ID_MAX`)."""
    keys = _line_keys(order)
    result = []
    for line in order.lines:
        units = open_units(line)
        if units == 0:
            continue
        listing = listings[line.sku]
        parts = listing.warehouse_units(units)
        single = len(listing.bill_of_materials) == 1 and \
            listing.bill_of_materials[0].quantity == 1
        for sku, quantity in parts.items():
            key = keys[line.line_id]
            reference = key if single else f"{key}/{sku}"
            result.append(WarehouseLine(line_ref=reference, sku=sku, quantity=quantity))
    return result


def marketplace_units(order: Order, listings: Mapping[str, Listing],
                      warehouse_units: Mapping[str, int]) -> dict[str, int]:
    """Marketplace line id → whole units, from warehouse line refs → units.

    A kit unit counts only when every component of it is there.
    """
    per_line: dict[str, dict[str, int]] = {}
    for reference, units in warehouse_units.items():
        found = line_for_reference(order, reference)
        if found is None:
            continue
        sku = reference.partition("/")[2]
        parts = per_line.setdefault(found.line_id, {})
        parts[sku] = parts.get(sku, 0) + units
    result = {}
    for line_id, parts in per_line.items():
        line = order.line(line_id)
        listing = listings.get(line.sku)
        if listing is None or "" in parts:
            result[line_id] = sum(parts.values())
            continue
        result[line_id] = min(parts.get(c.warehouse_sku, 0) // c.quantity
                              for c in listing.bill_of_materials)
    return {line_id: units for line_id, units in result.items() if units > 0}
