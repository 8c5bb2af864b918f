"""Packages to OTTO shipments (Shipments V1) and shipments back to packages.

One package is one OTTO shipment: the carrier from the carrier mapping, the tracking number,
the hand-over time in UTC, the ship-from address and exactly the position items in the
package, each with the return label's tracking key. OTTO refuses parcel shipments without
a return tracking key (the customer's return label is made from it), so a package without
one is refused here, before anything is sent, with what is missing named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from marketdock.connectors.otto import wire
from marketdock.connectors.otto.settings import ShipFrom
from marketdock.connectors.ports import CarrierChoice, RemotePackage
from marketdock.domain import Order, Package
from marketdock.errors import ConfigError, ValidationError

PARCEL_CARRIERS = frozenset({"DHL", "DHL_EXPRESS", "GLS", "HERMES", "DPD", "UPS"})
"""Parcel services: OTTO requires a tracking number and, per item, a return tracking key."""
RETURN_CARRIERS = frozenset({"DHL", "GLS", "HERMES"})


def _what(order: Order, package: Package) -> str:
    return f"package {package.package_ref} of OTTO order {order.marketplace_order_id}"


def return_key(order: Order, package: Package, carrier: str,
               return_carrier: str | None) -> wire.ShipmentTrackingKey | None:
    """The return label's key for the package's items; required for parcel carriers."""
    key = package.return_tracking
    if key is None:
        if carrier in PARCEL_CARRIERS:
            raise ValidationError(
                f"{_what(order, package)} has no return tracking key (the return label's "
                f"carrier and tracking number); OTTO refuses {carrier} parcel shipments "
                "without returnTrackingKey, so the warehouse must report the return label",
                missing=["return_tracking"])
        return None
    code = key.carrier.strip().upper()
    if code not in RETURN_CARRIERS and return_carrier is not None:
        code = return_carrier
    return wire.ShipmentTrackingKey(carrier=code, tracking_number=key.tracking_number)


def shipment_request(order: Order, package: Package, carrier: CarrierChoice,
                     ship_from: ShipFrom | None, return_carrier: str | None,
                     ) -> wire.CreateShipment:
    """The ``POST /v1/shipments`` body for ``package``; :class:`ValidationError` (or
    :class:`ConfigError` for a missing ship-from address) naming what is wrong."""
    what = _what(order, package)
    if ship_from is None:
        raise ConfigError(f"{what}: no ship-from address for warehouse "
                          f"{package.warehouse_id!r}; set options ship_from_city, "
                          "ship_from_zip_code and ship_from_country on OTTO channel "
                          f"{order.channel_account_id!r}")
    if package.marketplace_order_id != order.marketplace_order_id:
        raise ValidationError(f"{what} belongs to order {package.marketplace_order_id}")
    code = carrier.code.strip().upper()
    if package.tracking_number is None and code in PARCEL_CARRIERS:
        raise ValidationError(f"{what} has no tracking number; OTTO requires one for "
                              f"{code} parcels", missing=["tracking_number"])
    known = {line.line_id for line in order.lines}
    unknown = [line.line_id for line in package.lines if line.line_id not in known]
    if unknown:
        raise ValidationError(f"{what} lists position item(s) {', '.join(unknown)} that the "
                              "order does not have")
    several = [line.line_id for line in package.lines if line.quantity != 1]
    if several:
        raise ValidationError(f"{what} ships more than one unit of position item(s) "
                              f"{', '.join(several)}; an OTTO position item is one unit")
    returns = return_key(order, package, code, return_carrier)
    return wire.CreateShipment(
        tracking_key=wire.ShipmentTrackingKey(carrier=code,
                                              tracking_number=package.tracking_number),
        ship_date=wire.iso(package.shipped_at),
        ship_from_address=wire.ShipFromAddress(city=ship_from.city,
                                               zip_code=ship_from.zip_code,
                                               country_code=ship_from.country_code),
        position_items=[wire.ShipmentItem(position_item_id=line.line_id,
                                          sales_order_id=order.marketplace_order_id,
                                          return_tracking_key=returns)
                        for line in package.lines],
    )


def remote_package(shipment: wire.Shipment, sales_order_id: str) -> RemotePackage:
    """What OTTO holds of one shipment, limited to the items of one order."""
    lines: Mapping[str, int] = {item.position_item_id: 1 for item in shipment.position_items
                                if item.sales_order_id == sales_order_id}
    return RemotePackage(package_ref=shipment.shipment_id,
                         tracking_number=shipment.tracking_key.tracking_number,
                         carrier_code=shipment.tracking_key.carrier, line_quantities=lines)


def tracking_keys(order: wire.PartnerOrder) -> list[tuple[str, str | None]]:
    """The distinct (carrier, tracking number) pairs the order's items were sent with."""
    keys: list[tuple[str, str | None]] = []
    for item in order.position_items:
        info = item.tracking_info
        if info is None or not info.carrier:
            continue
        key = (info.carrier, info.tracking_number or None)
        if key not in keys:
            keys.append(key)
    return keys


def covers(shipment: wire.Shipment, line_ids: Sequence[str]) -> bool:
    held = {item.position_item_id for item in shipment.position_items}
    return all(line_id in held for line_id in line_ids)
