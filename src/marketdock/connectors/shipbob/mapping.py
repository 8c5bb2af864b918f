"""Pure mapping between ShipBob's wire records and marketdock's port types.

Line references: ShipBob's ``external_line_id`` is a number and its shipments name
products only by SKU, so an order carries the hub's line references in tags
(``marketdock_line_<n>`` → line ref, ``n`` being the product's ``external_line_id``).
Units of a shipment are given to the order's lines of the same SKU in line order, up to
what each line still misses; all shipments of an order are walked in id order, so a poll
and a webhook give a package the same lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from marketdock.connectors.ports import (
    InboundNotice,
    Receipt,
    ShippedPackage,
    ShortPick,
    WarehouseOrder,
)
from marketdock.connectors.shipbob import wire
from marketdock.domain import Address, StockPosition
from marketdock.errors import ParseError, UnknownSku, ValidationError

LINE_TAG = "marketdock_line_"


# ---------------------------------------------------------------- order out


def recipient(order_reference: str, address: Address) -> wire.RecipientOut:
    street = " ".join(part for part in (address.street, address.house_number) if part)
    name = address.name or address.company
    missing = [field for field, value in (("name", name), ("street", street),
                                          ("city", address.city)) if not value]
    if missing:
        raise ValidationError(f"order {order_reference}: ship-to address lacks "
                              f"{', '.join(missing)}", missing=missing)
    assert name is not None and address.city is not None
    extra = ", ".join(part for part in (address.line2, address.line3) if part)
    return wire.RecipientOut(
        name=name,
        address=wire.AddressOut(
            address1=street, address2=extra or None, city=address.city,
            country=address.country_code,
            company_name=address.company if address.name else None,
            state=address.region, zip_code=address.postal_code),
        email=address.email, phone_number=address.phone)


def order_request(order: WarehouseOrder) -> wire.CreateOrder:
    """The create-order body: the hub's reference is ShipBob's unique ``reference_id``."""
    if not order.lines:
        raise ValidationError(f"order {order.reference} has no lines")
    products, tags = [], []
    for number, line in enumerate(order.lines, start=1):
        if line.quantity < 1:
            raise ValidationError(f"order {order.reference} line {line.line_ref}: quantity "
                                  f"{line.quantity} must be at least 1")
        products.append(wire.ProductOut(reference_id=line.sku, name=line.sku,
                                        quantity=line.quantity, external_line_id=number))
        tags.append(wire.Tag(name=f"{LINE_TAG}{number}", value=line.line_ref))
    return wire.CreateOrder(
        reference_id=order.reference, order_number=order.reference,
        recipient=recipient(order.reference, order.ship_to), products=products,
        shipping_method=order.shipping_method, tags=tags,
        gift_message=order.gift_message or None)


def duplicate_reference(body: object) -> bool:
    """Whether a 422 answer refuses the order because its ``reference_id`` exists."""
    return isinstance(body, dict) and "reference_id" in body


# ---------------------------------------------------------------- lines of an order


@dataclass(frozen=True)
class Line:
    line_ref: str
    sku: str
    ordered: int


@dataclass(frozen=True)
class LineBook:
    """The hub's lines of one ShipBob order, in order."""

    order_reference: str
    lines: tuple[Line, ...]

    @classmethod
    def of(cls, order: wire.ShipBobOrder) -> LineBook:
        refs = {tag.name.removeprefix(LINE_TAG): tag.value for tag in order.tags or ()
                if tag.name.startswith(LINE_TAG)}
        lines = []
        for index, product in enumerate(order.products, start=1):
            sku = product.reference_id or product.sku
            number = str(product.external_line_id) if product.external_line_id else ""
            line_ref = refs.get(number)
            if sku is None or line_ref is None:
                raise ParseError(f"ShipBob order {order.id} ({order.reference_id}) product "
                                 f"{index} ({sku or 'no SKU'}) carries no marketdock line "
                                 "reference: the order was not created by marketdock")
            lines.append(Line(line_ref=line_ref, sku=sku, ordered=product.quantity))
        return cls(order.reference_id, tuple(lines))

    def allocate(self, shipment: wire.Shipment,
                 taken: dict[str, int]) -> dict[str, int]:
        """Line ref → units of ``shipment``; ``taken`` (line ref → units of earlier
        shipments) is updated."""
        result: dict[str, int] = {}
        for sku, units in shipment_units(shipment).items():
            left = units
            for line in self.lines:
                if line.sku != sku or left == 0:
                    continue
                room = line.ordered - taken.get(line.line_ref, 0)
                given = min(room, left)
                if given > 0:
                    taken[line.line_ref] = taken.get(line.line_ref, 0) + given
                    result[line.line_ref] = result.get(line.line_ref, 0) + given
                    left -= given
            if left:
                raise ValidationError(f"ShipBob shipment {shipment.id} of order "
                                      f"{self.order_reference} ships {left} more units of "
                                      f"{sku} than the order holds")
        return result


def shipment_units(shipment: wire.Shipment) -> dict[str, int]:
    """SKU → units in one shipment."""
    units: dict[str, int] = {}
    for index, product in enumerate(shipment.products, start=1):
        sku = product.reference_id or product.sku
        if sku is None:
            raise ParseError(f"ShipBob shipment {shipment.id} product {index} has no SKU")
        if product.quantity is not None:
            count = product.quantity
        elif len(product.inventory_items) == 1:
            count = product.inventory_items[0].quantity
        else:
            raise ParseError(f"ShipBob shipment {shipment.id} product {sku}: "
                             f"{len(product.inventory_items)} inventory items and no quantity; "
                             "units of a warehouse bundle cannot be counted")
        units[sku] = units.get(sku, 0) + count
    return units


# ---------------------------------------------------------------- shipments in


def is_shipped(shipment: wire.Shipment) -> bool:
    return shipment.status in wire.SHIPPED_STATUSES and shipment.tracking is not None


def package(order_reference: str, shipment: wire.Shipment,
            lines: Mapping[str, int]) -> ShippedPackage:
    tracking = shipment.tracking
    assert tracking is not None
    carrier = tracking.carrier or tracking.scac
    if not carrier:
        raise ParseError(f"ShipBob shipment {shipment.id} of order {order_reference} names "
                         "no carrier")
    shipped_at = tracking.shipping_date or shipment.actual_fulfillment_date
    if shipped_at is None:
        raise ParseError(f"ShipBob shipment {shipment.id} of order {order_reference} has no "
                         "shipping date")
    return ShippedPackage(
        order_reference=order_reference, package_ref=package_ref(shipment.id),
        carrier=carrier, service=tracking.carrier_service,
        tracking_number=tracking.tracking_number, line_quantities=dict(lines),
        shipped_at=shipped_at)


def package_ref(shipment_id: int) -> str:
    """A package's reference: ShipBob's shipment id, the same in polls and webhooks."""
    return str(shipment_id)


@dataclass(frozen=True)
class OrderOutcome:
    """What one ShipBob order reports: its shipped packages, and once the warehouse has
    finished with it, the units it closed short."""

    packages: tuple[ShippedPackage, ...]
    short_picks: tuple[ShortPick, ...]
    final: bool
    updated_at: datetime | None


def outcome(order: wire.ShipBobOrder) -> OrderOutcome:
    book = LineBook.of(order)
    taken: dict[str, int] = {}
    packages = []
    for shipment in sorted(order.shipments, key=lambda s: s.id):
        if is_shipped(shipment):
            packages.append(package(order.reference_id, shipment,
                                    book.allocate(shipment, taken)))
    settled = all(_terminal(s) for s in order.shipments)
    final = settled and (order.status in wire.FINAL_ORDER_STATUSES or closed_short(order))
    shorts: list[ShortPick] = []
    if final and order.status != "Cancelled":
        shorts = [ShortPick(order_reference=order.reference_id, line_ref=line.line_ref,
                            sku=line.sku, missing=line.ordered - taken.get(line.line_ref, 0))
                  for line in book.lines if line.ordered > taken.get(line.line_ref, 0)]
    stamps = [s.last_update_at for s in order.shipments if s.last_update_at is not None]
    return OrderOutcome(tuple(packages), tuple(shorts), final, max(stamps, default=None))


def closed_short(order: wire.ShipBobOrder) -> bool:
    """Whether the warehouse closed every shipment of ``order`` for want of stock to pick:
    nothing of it will ever ship."""
    return bool(order.shipments) and all(_closed_short(s) for s in order.shipments)


def _terminal(shipment: wire.Shipment) -> bool:
    """Whether the warehouse is done with a shipment: a partly fulfilled order may still
    have shipments on their way, and its missing units are short only once none is."""
    return shipment.status in wire.SHIPPED_STATUSES or shipment.status == "Cancelled" \
        or _closed_short(shipment)


def _closed_short(shipment: wire.Shipment) -> bool:
    return shipment.status == "Exception" and any(
        d.name == wire.SHORT_PICK_DETAIL for d in shipment.status_details or ())


def package_in_order(order: wire.ShipBobOrder, shipment: wire.Shipment) -> ShippedPackage | None:
    """The package of ``shipment`` (e.g. from a webhook) within ``order``: its lines are
    the ones a poll gives it, since the order's earlier shipments are counted first."""
    if not is_shipped(shipment):
        return None
    book = LineBook.of(order)
    taken: dict[str, int] = {}
    for earlier in sorted(order.shipments, key=lambda s: s.id):
        if earlier.id < shipment.id and is_shipped(earlier):
            book.allocate(earlier, taken)
    return package(order.reference_id, shipment, book.allocate(shipment, taken))


# ---------------------------------------------------------------- stock


def stock_position(level: wire.InventoryLevel, *, tenant_id: str, warehouse_id: str,
                   as_of: datetime) -> StockPosition:
    """ShipBob's fulfillable quantity is what can still be picked: ``available``."""
    if not level.sku:
        raise ParseError(f"ShipBob inventory {level.inventory_id} has no SKU")
    return StockPosition(
        tenant_id=tenant_id, warehouse_id=warehouse_id, sku=level.sku,
        on_hand=level.total_on_hand_quantity, allocated=level.total_committed_quantity,
        available=level.total_fulfillable_quantity,
        blocked=level.total_exception_quantity, as_of=as_of)


def first_writable_channel(channels: Iterable[wire.Channel]) -> int | None:
    for channel in channels:
        if "orders_write" in channel.scopes:
            return channel.id
    return None



# ---------------------------------------------------------------- inbound (receiving orders)


def receiving_request(notice: InboundNotice, inventory_ids: Mapping[str, int], *,
                      fulfillment_center_id: int, arrival: datetime) -> wire.CreateReceiving:
    """The receiving-order body: the hub's reference travels as ``purchase_order_number``
    (ShipBob numbers receiving orders itself). ``arrival`` stands in when the notice has
    no expected date (ShipBob requires one)."""
    units: dict[str, int] = {}
    for line in notice.lines:
        if line.quantity < 1:
            raise ValidationError(f"inbound notice {notice.reference}: SKU {line.sku} quantity "
                                  f"{line.quantity} must be at least 1")
        units[line.sku] = units.get(line.sku, 0) + line.quantity
    if not units:
        raise ValidationError(f"inbound notice {notice.reference} has no lines")
    unknown = sorted(sku for sku in units if sku not in inventory_ids)
    if unknown:
        raise UnknownSku(f"inbound notice {notice.reference}: ShipBob knows no inventory "
                         f"item for SKU {', '.join(unknown)}", skus=unknown)
    items = [wire.BoxItemOut(inventory_id=inventory_ids[sku], quantity=qty)
             for sku, qty in units.items()]
    return wire.CreateReceiving(
        purchase_order_number=notice.reference,
        expected_arrival_date=notice.expected_at or arrival,
        fulfillment_center=wire.FulfillmentCenterRef(id=fulfillment_center_id),
        boxes=[wire.BoxOut(tracking_number=notice.tracking_number, box_items=items)])


def receiving_reference(receiving: wire.Receiving) -> str:
    """The hub's reference of a receiving order; one created in ShipBob by hand has none
    and goes by its ShipBob id."""
    return receiving.purchase_order_number or f"shipbob-wro-{receiving.id}"


def completed_at(receiving: wire.Receiving) -> datetime | None:
    """When the receiving order was completed, or None while it is not."""
    if receiving.status != wire.COMPLETED_RECEIVING:
        return None
    stamps = [change.timestamp for change in receiving.status_history
              if change.status == wire.COMPLETED_RECEIVING and change.timestamp is not None]
    return max(stamps) if stamps else receiving.last_updated_date


def receipt(receiving: wire.Receiving) -> Receipt | None:
    """The receipt of a completed receiving order: stowed units are received, units
    counted in but not stowed are damaged."""
    when = completed_at(receiving)
    if when is None:
        return None
    received: dict[str, int] = {}
    damaged: dict[str, int] = {}
    for quantity in receiving.inventory_quantities:
        if not quantity.sku:
            raise ParseError(f"ShipBob receiving order {receiving.id}: an inventory quantity "
                             f"(inventory id {quantity.inventory_id}) names no SKU")
        received[quantity.sku] = received.get(quantity.sku, 0) + quantity.stowed_quantity
        broken = max(0, quantity.received_quantity - quantity.stowed_quantity)
        if broken:
            damaged[quantity.sku] = damaged.get(quantity.sku, 0) + broken
    return Receipt(inbound_reference=receiving_reference(receiving), received=received,
                   received_at=when, damaged=damaged, receipt_id=str(receiving.id))
