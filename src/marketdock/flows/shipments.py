"""The shipment flow: warehouse packages back to the marketplace, exactly once, in time.

Tasks:

- ``shipments`` (a flow tick per warehouse): read the warehouse's new packages and
  short-picks since its cursor; store each package once; enqueue its confirmation (priority
  class tracking, ordered by the order's ship-by deadline); for a short-pick, cancel the
  missing units on the marketplace and push the SKU's stock at once;
- ``shipments.confirm``: confirm one package through the effects ledger; after an
  ambiguous failure the marketplace's packages are read before anything is sent again; a
  package without a return label of its own takes one from the account's pool; a package
  the marketplace cannot take as it is (no return label, no carrier mapping) is held with
  an exception that says what is missing, and confirmed once it is added;
- ``shipments.cancel_short``: cancel short-picked units where the marketplace has an API
  for it; otherwise, or when it refuses, an exception says what to do by hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

import pydantic
import structlog
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.ports import (
    Capability,
    CarrierChoice,
    ShippedPackage,
    ShortPick,
    WarehouseUpdates,
)
from marketdock.domain import (
    AMAZON_OTHER,
    ChannelKind,
    LineStatus,
    Listing,
    Order,
    OrderStatus,
    Package,
    PackageLine,
    Parcel,
    TrackingKey,
    resolve_carrier,
)
from marketdock.engine import audit, effects
from marketdock.engine.jobs import Priority
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.errors import MappingError, ValidationError
from marketdock.flows import routing
from marketdock.flows.orders import CANCELLED_AFTER_SHIPPING
from marketdock.flows.ports import Ports
from marketdock.flows.store import carriers as carrier_store
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.flows.store import packages as package_store
from marketdock.flows.store import return_labels, sync_state
from marketdock.flows.ticks import FlowTick, fan_out
from marketdock.monitor import exceptions

FLOW = "shipments"
CONFIRM = "shipments.confirm"
CANCEL_SHORT = "shipments.cancel_short"
RECONFIRM_UNMAPPED = "shipments.reconfirm_unmapped"

UNKNOWN_ORDER = "unknown_warehouse_order"
CARRIER_UNMAPPED = "carrier_unmapped"
CANCEL_BY_HAND = "cancel_by_hand"
PACKAGE_INCOMPLETE = "package_incomplete"
PARTIAL_KIT_SHIPPED = "partial_kit_shipped"
UNITS_NOT_OPEN = "package_units_not_open"
WAREHOUSE_MESSAGE = {"unreadable": "warehouse_message_unreadable",
                     "refused": "warehouse_document_refused",
                     "unacknowledged": "warehouse_ack_missing"}
"""Exception type per kind of quarantined warehouse record; a missing acknowledgement
resolves itself when the late one arrives."""
HELD_PACKAGES = (CARRIER_UNMAPPED, PACKAGE_INCOMPLETE)

log = structlog.get_logger("marketdock.shipments")

class PushStockNow(Protocol):
    """After a short-pick: the SKU is out at that warehouse; push its stock at once."""

    def __call__(self, conn: Connection, ctx: JobContext, tenant_id: str, warehouse_sku: str,
                 warehouse_id: str | None = None) -> None: ...


class PackageRef(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    package_id: int


class ShortPickRef(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    order_id: int
    line_id: str
    units: int = pydantic.Field(ge=1)


def _settle_status(conn: Connection, order_id: int, now: datetime) -> None:
    """Partially shipped while units are open; shipped when none is; cancelled when every
    unit was cancelled (short-picked) and none shipped."""
    stored = order_store.get(conn, order_id)
    assert stored is not None
    lines = stored.order.lines
    if any(routing.open_units(line) > 0 for line in lines):
        status = OrderStatus.PARTIALLY_SHIPPED if any(line.quantity_shipped for line in lines) \
            else stored.status
    elif any(line.quantity_shipped for line in lines):
        status = OrderStatus.SHIPPED
    else:
        status = OrderStatus.CANCELLED
    if status is not stored.status:
        order_store.set_status(conn, order_id, status, now)


def _dropped_key(warehouse_id: str, package_ref: str) -> str:
    """Marks a package none of whose units could be confirmed, so a report of it again
    is known."""
    return f"package_dropped:{warehouse_id}:{package_ref}"


def _units_of(units: Mapping[str, int]) -> str:
    return ", ".join(f"{n} unit(s) of line {line_id}" for line_id, n in sorted(units.items()))


def _with_return_labels(conn: Connection, order: Order, package: Package,
                        now: datetime) -> Package:
    """The package with a label from the account's pool for each of its parcels that came
    without a return label of its own (each parcel keeps the label it took first)."""
    def label(current: TrackingKey | None, ref: str) -> TrackingKey | None:
        if current is not None:
            return current
        return return_labels.take(conn, order.tenant_id, order.channel_account_id,
                                  f"{package.warehouse_id}:{ref}", now)
    return package.evolve(
        return_tracking=label(package.return_tracking, package.package_ref),
        more_parcels=tuple(parcel.evolve(return_tracking=label(box.return_tracking,
                                                               box.package_ref))
                           for parcel, box in zip(package.more_parcels, package.parcels()[1:],
                                                  strict=True)))


class ShipmentFlow:
    def __init__(self, config: Config, ports: Ports,
                 push_stock_now: PushStockNow | None = None) -> None:
        self.config = config
        self.ports = ports
        self.push_stock_now = push_stock_now

    # -------------------------------------------------------------- the tick

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        tenant_id = ctx.job.tenant_id
        if tick.warehouse is None:
            fan_out(ctx, self.config, FLOW, "warehouses")
            return
        key = f"shipments:{tick.warehouse}:cursor"
        with ctx.db.read() as conn:
            cursor = sync_state.get(conn, tenant_id, key)
        updates = self.ports.warehouse(tenant_id, tick.warehouse).fetch_updates(cursor)
        now = ctx.clock.now()
        with ctx.transaction() as conn:
            # short-picks first: a parcel with parts of a kit whose unit was just
            # cancelled is then known to be stranded
            for short in updates.short_picks:
                self._short_pick(conn, ctx, short)
            for shipped in updates.packages:
                self._package(conn, ctx, tick.warehouse, shipped)
            for bad in updates.quarantined:
                exceptions.open_exception(
                    conn, tenant_id=tenant_id, type=WAREHOUSE_MESSAGE[bad.kind],
                    object_type="warehouse_message", object_id=f"{tick.warehouse}:{bad.reference}",
                    now=now, reason=f"warehouse {tick.warehouse}: {bad.reason}",
                    details={"source": bad.source, "excerpt": bad.excerpt})
            self._resolve_late_acks(conn, tenant_id, tick.warehouse, updates, now)
            if updates.cursor is not None:
                sync_state.put(conn, tenant_id, key, updates.cursor, now)
        log.info("warehouse updates", warehouse=tick.warehouse, packages=len(updates.packages),
                 short_picks=len(updates.short_picks))

    @staticmethod
    def _resolve_late_acks(conn: Connection, tenant_id: str, warehouse_id: str,
                           updates: WarehouseUpdates, now: datetime) -> None:
        """A document no longer overdue was acknowledged late: its exception is over."""
        kind = WAREHOUSE_MESSAGE["unacknowledged"]
        overdue = {f"{warehouse_id}:{bad.reference}" for bad in updates.quarantined
                   if bad.kind == "unacknowledged"}
        for late in exceptions.list_open(conn, tenant_id, kind):
            if late.object_id.startswith(f"{warehouse_id}:") and late.object_id not in overdue:
                exceptions.resolve(conn, tenant_id=tenant_id, object_type="warehouse_message",
                                   object_id=late.object_id, now=now, type=kind)

    def _order_for(self, conn: Connection, ctx: JobContext, reference: str,
                   what: str) -> order_store.StoredOrder | None:
        order_id = order_store.order_id_from_reference(reference)
        stored = order_store.get(conn, order_id) if order_id is not None else None
        if stored is None:
            exceptions.open_exception(
                conn, tenant_id=ctx.job.tenant_id, type=UNKNOWN_ORDER,
                object_type="warehouse_order", object_id=reference, now=ctx.clock.now(),
                reason=f"the warehouse reported {what} for order {reference}, which the hub "
                       "did not send")
        return stored

    def _package(self, conn: Connection, ctx: JobContext, warehouse_id: str,
                 shipped: ShippedPackage) -> None:
        stored = self._order_for(conn, ctx, shipped.order_reference, "a package")
        if stored is None:
            return
        order, now = stored.order, ctx.clock.now()
        dropped = _dropped_key(warehouse_id, shipped.package_ref)
        if package_store.exists(conn, stored.id, shipped.package_ref) or \
                sync_state.get(conn, order.tenant_id, dropped) is not None:
            return  # reported before
        listings = listing_store.find(conn, order.tenant_id, order.channel_account_id,
                                      (line.sku for line in order.lines))
        units = self._whole_units(conn, stored.id, order, listings, warehouse_id, shipped, now)
        if not units:
            # only parts of a kit so far: confirmed when the kit is complete, unless the
            # kit can no longer be completed (its units were cancelled, e.g. short-picked)
            stranded = sorted({found.line_id for ref in shipped.line_quantities
                               if (found := routing.line_for_reference(order, ref))
                               and routing.open_units(found) == 0
                               and found.quantity_shipped < found.quantity})
            if stranded:
                exceptions.open_exception(
                    conn, tenant_id=order.tenant_id, type=PARTIAL_KIT_SHIPPED,
                    object_type="warehouse_package",
                    object_id=f"{warehouse_id}:{shipped.package_ref}", now=now,
                    reason=f"package {shipped.package_ref} of order "
                           f"{order.marketplace_order_id} carries parts of a kit whose unit "
                           f"was cancelled (lines {', '.join(stranded)}): the customer gets "
                           "an incomplete kit; contact them or stop the parcel",
                    details={"tracking": shipped.tracking_number,
                             "parts": dict(shipped.line_quantities)})
            return
        units = self._open_units_only(conn, stored.id, order, warehouse_id, shipped, units, now)
        if not units:
            sync_state.put(conn, order.tenant_id, dropped, shipped.tracking_number or "", now)
            return
        package = Package.create(
            tenant_id=order.tenant_id, warehouse_id=warehouse_id,
            package_ref=shipped.package_ref, channel_account_id=order.channel_account_id,
            marketplace_order_id=order.marketplace_order_id, carrier=shipped.carrier,
            service=shipped.service, tracking_number=shipped.tracking_number,
            return_tracking=TrackingKey(carrier=shipped.carrier,
                                        tracking_number=shipped.return_tracking_number)
            if shipped.return_tracking_number else None,
            lines=tuple(PackageLine(line_id=line_id, quantity=n)
                        for line_id, n in sorted(units.items())),
            shipped_at=shipped.shipped_at,
            more_parcels=tuple(Parcel(
                tracking_number=box.tracking_number,
                return_tracking=TrackingKey(carrier=shipped.carrier,
                                            tracking_number=box.return_tracking_number)
                if box.return_tracking_number else None) for box in shipped.more_parcels))
        package_id = package_store.add(conn, stored.id, package, now)
        if package_id is None:
            return  # reported before, by a poll running beside this one
        lines = [line.evolve(quantity_shipped=line.quantity_shipped + units[line.line_id])
                 for line in order.lines if line.line_id in units]
        lines = [line.evolve(status=LineStatus.SHIPPED) if routing.open_units(line) == 0
                 and line.quantity_shipped > 0 else line for line in lines]
        order_store.replace_lines(conn, stored.id, lines)
        _settle_status(conn, stored.id, now)
        audit.record(conn, tenant_id=order.tenant_id, object_type="package",
                     object_id=str(package_id), action="shipped", system=warehouse_id, at=now,
                     job_id=ctx.job.id, details={"order_id": stored.id,
                                                 "tracking": package.tracking_number})
        ctx.defer(conn, CONFIRM, {"package_id": package_id}, deadline=order.ship_by)

    @staticmethod
    def _open_units_only(conn: Connection, order_id: int, order: Order, warehouse_id: str,
                         shipped: ShippedPackage, units: dict[str, int],
                         now: datetime) -> dict[str, int]:
        """The package's units of each line up to what is still open (ordered less shipped
        less cancelled); units beyond that are never confirmed. Of a line with cancelled
        units they left because the cancellation (on the marketplace, or after a
        short-pick) reached the warehouse too late: the order's ``cancelled_after_shipping``
        says so, the exception a warehouse that answers ``already shipped`` opens too. Of
        any other line the marketplace counts them shipped already (confirmed by hand?):
        ``package_units_not_open`` says so."""
        kept: dict[str, int] = {}
        cancelled: dict[str, int] = {}
        beyond: dict[str, int] = {}
        for line_id, n in units.items():
            line = order.line(line_id)
            allowed = min(n, routing.open_units(line))
            if allowed:
                kept[line_id] = allowed
            if n > allowed:
                (cancelled if line.quantity_cancelled else beyond)[line_id] = n - allowed
        what = f"package {shipped.package_ref} of order {order.marketplace_order_id}"
        if cancelled:
            exceptions.open_exception(
                conn, tenant_id=order.tenant_id, type=CANCELLED_AFTER_SHIPPING,
                object_type="order", object_id=str(order_id), now=now,
                reason=f"{what} carries {_units_of(cancelled)} that were cancelled: "
                       f"warehouse {warehouse_id} shipped them before the cancellation "
                       "reached it; stop the parcel or expect a return",
                details={"tracking": shipped.tracking_number, "units": cancelled})
        if beyond:
            exceptions.open_exception(
                conn, tenant_id=order.tenant_id, type=UNITS_NOT_OPEN,
                object_type="warehouse_package",
                object_id=f"{warehouse_id}:{shipped.package_ref}", now=now,
                reason=f"{what} carries {_units_of(beyond)} that the marketplace counts "
                       "shipped already; they are not confirmed again: check whether the "
                       "warehouse shipped them twice",
                details={"tracking": shipped.tracking_number, "units": beyond})
        return kept

    @staticmethod
    def _whole_units(conn: Connection, order_id: int, order: Order,
                     listings: Mapping[str, Listing], warehouse_id: str,
                     shipped: ShippedPackage, now: datetime) -> dict[str, int]:
        """Marketplace line id → units this package ships. A kit whose components leave
        in different parcels counts in the parcel that completes it: the components
        shipped so far are kept per order until they make whole kits."""
        kit_refs = {ref: n for ref, n in shipped.line_quantities.items() if "/" in ref}
        units = routing.marketplace_units(order, listings, {
            ref: n for ref, n in shipped.line_quantities.items() if ref not in kit_refs})
        if not kit_refs:
            return units
        key = f"kit_parts:{order_id}"
        kept = json.loads(sync_state.get(conn, order.tenant_id, key) or
                          '{"parts": {}, "credited": {}, "packages": []}')
        package_key = f"{warehouse_id}:{shipped.package_ref}"
        if package_key in kept["packages"]:
            return units  # this parcel's components were counted when it was first reported
        for ref, n in kit_refs.items():
            kept["parts"][ref] = kept["parts"].get(ref, 0) + n
        kept["packages"].append(package_key)
        whole = routing.marketplace_units(order, listings, kept["parts"])
        for line_id, n in whole.items():
            new = n - kept["credited"].get(line_id, 0)
            if new > 0:
                units[line_id] = units.get(line_id, 0) + new
        kept["credited"] = whole
        sync_state.put(conn, order.tenant_id, key, json.dumps(kept), now)
        return units

    def _short_pick(self, conn: Connection, ctx: JobContext, short: ShortPick) -> None:
        stored = self._order_for(conn, ctx, short.order_reference, "a short-pick")
        if stored is None:
            return
        now, order = ctx.clock.now(), stored.order
        effect = effects.claim(conn, order.tenant_id, "short_pick",
                               f"{stored.id}:{short.line_ref}", now)
        if effect.done or effect.attempts > 0:
            return  # this short-pick was handled when it was first reported
        effects.complete(conn, effect.id, None, now)
        listings = listing_store.find(conn, order.tenant_id, order.channel_account_id,
                                      (line.sku for line in order.lines))
        found = routing.line_for_reference(order, short.line_ref)
        if found is None:
            return
        line, line_id = found, found.line_id
        listing = listings.get(line.sku)
        per_unit = next((c.quantity for c in listing.bill_of_materials
                         if c.warehouse_sku == short.sku), 1) if listing else 1
        units = min(-(-short.missing // per_unit), routing.open_units(line))
        if units > 0:
            order_store.replace_lines(conn, stored.id, [line.evolve(
                quantity_cancelled=line.quantity_cancelled + units)])
            _settle_status(conn, stored.id, now)
            ctx.defer(conn, CANCEL_SHORT, {"order_id": stored.id, "line_id": line_id,
                                           "units": units}, priority=Priority.TRACKING)
        audit.record(conn, tenant_id=order.tenant_id, object_type="order",
                     object_id=str(stored.id), action="short_pick", system="warehouse", at=now,
                     job_id=ctx.job.id, details={"sku": short.sku, "missing": short.missing,
                                                 "line_id": line_id, "units_cancelled": units})
        if self.push_stock_now is not None:
            self.push_stock_now(conn, ctx, order.tenant_id, short.sku,
                                warehouse_id=stored.warehouse_id)

    # -------------------------------------------------------------- confirmation

    def confirm(self, ctx: JobContext, ref: PackageRef) -> None:
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            found = package_store.get(conn, ref.package_id)
            if found is None:
                return
            order_id, package = found
            stored = order_store.get(conn, order_id)
            mappings = carrier_store.for_tenant(conn, package.tenant_id)
        assert stored is not None
        order = stored.order
        object_id = str(ref.package_id)
        try:
            mapping = resolve_carrier(mappings, channel=order.channel,
                                      warehouse_carrier=package.carrier,
                                      warehouse_service=package.service,
                                      warehouse_id=package.warehouse_id,
                                      marketplace_id=order.marketplace_id)
            carrier = CarrierChoice(code=mapping.marketplace_code, name=mapping.carrier_name,
                                    service=mapping.shipping_method)
        except MappingError as exc:
            if self._unmapped_as_other(order):
                carrier = CarrierChoice(code=AMAZON_OTHER, name=package.carrier,
                                        service=package.service)
            else:
                self._hold_unmapped(ctx, order, package, object_id, exc, now)
                return
        with ctx.db.begin() as conn:
            effect = effects.claim(conn, order.tenant_id, "marketplace_package", object_id, now)
            package = _with_return_labels(conn, order, package, now)
        if effect.done:
            return
        port = self.ports.marketplace(order.tenant_id, order.channel_account_id)
        remote_ref = None
        if effect.maybe_sent:
            remote_ref = next((p.package_ref for p in port.confirmed_packages(order)
                               if p.package_ref == package.package_ref
                               or (package.tracking_number
                                   and p.tracking_number == package.tracking_number)), None)
        if remote_ref is None:
            try:
                remote_ref = port.confirm_package(order, package, carrier)
            except ValidationError as exc:
                with ctx.transaction() as conn:
                    effects.refused(conn, effect.id, now)
                    exceptions.open_exception(
                        conn, tenant_id=order.tenant_id, type=PACKAGE_INCOMPLETE,
                        object_type="package", object_id=object_id, now=now,
                        reason=f"package {package.package_ref} of order "
                               f"{order.marketplace_order_id} was not sent: {exc}",
                        details={"carrier": package.carrier})
                return
        with ctx.transaction() as conn:
            effects.complete(conn, effect.id, remote_ref, now)
            exceptions.resolve(conn, tenant_id=order.tenant_id, object_type="package",
                               object_id=object_id, now=now)
            audit.record(conn, tenant_id=order.tenant_id, object_type="package",
                         object_id=object_id, action="confirmed", system=order.channel.value,
                         at=now, job_id=ctx.job.id, details={"marketplace_ref": remote_ref})

    def _unmapped_as_other(self, order: Order) -> bool:
        """Amazon takes any carrier as ``Other`` with its name; a channel may choose that
        (``options.unmapped_carrier = "other"``) over holding the package (``"hold"``)."""
        channel = self.config.tenant(order.tenant_id).channel(order.channel_account_id)
        return order.channel is ChannelKind.AMAZON and \
            channel.options.get("unmapped_carrier", "hold") == "other"

    @staticmethod
    def _hold_unmapped(ctx: JobContext, order: Order, package: Package, object_id: str,
                       exc: MappingError, now: datetime) -> None:
        with ctx.transaction() as conn:
            exceptions.open_exception(
                conn, tenant_id=order.tenant_id, type=CARRIER_UNMAPPED,
                object_type="package", object_id=object_id, now=now,
                reason=f"package {package.package_ref} of order "
                       f"{order.marketplace_order_id}: {exc}; add a carrier mapping "
                       "and the package is confirmed",
                details={"carrier": package.carrier, "service": package.service})

    def reconfirm_unmapped(self, ctx: JobContext, tick: FlowTick) -> None:
        """Enqueue again the packages held for a missing carrier mapping or return label."""
        with ctx.transaction() as conn:
            for kind in HELD_PACKAGES:
                for held in exceptions.list_open(conn, ctx.job.tenant_id, kind):
                    ctx.defer(conn, CONFIRM, {"package_id": int(held.object_id)})

    # -------------------------------------------------------------- short-picks

    def cancel_short(self, ctx: JobContext, ref: ShortPickRef) -> None:
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            stored = order_store.get(conn, ref.order_id)
        if stored is None:
            return
        order = stored.order
        port = self.ports.marketplace(order.tenant_id, order.channel_account_id)
        refused = None
        if port.supports(Capability.CANCEL_UNITS):
            result = port.cancel_units(order, {ref.line_id: ref.units}, "short pick")
            refused = result.refused.get(ref.line_id)
        else:
            refused = f"{order.channel.value} offers no cancellation API"
        with ctx.transaction() as conn:
            if refused is not None:
                exceptions.open_exception(
                    conn, tenant_id=order.tenant_id, type=CANCEL_BY_HAND, object_type="order",
                    object_id=str(stored.id), now=now,
                    reason=f"order {order.marketplace_order_id}: cancel {ref.units} unit(s) "
                           f"of line {ref.line_id} by hand in the seller portal ({refused})")
            audit.record(conn, tenant_id=order.tenant_id, object_type="order",
                         object_id=str(stored.id), action="short_pick_cancelled"
                         if refused is None else "short_pick_cancel_refused",
                         system=order.channel.value, at=now, job_id=ctx.job.id,
                         details={"line_id": ref.line_id, "units": ref.units})

    def register(self, registry: TaskRegistry) -> None:
        registry.register(FLOW, self.tick, payload=FlowTick,
                          queueing_lock=lambda t: t.queueing_key(FLOW))
        registry.register(CONFIRM, self.confirm, payload=PackageRef,
                          priority=Priority.TRACKING, lock=lambda r: f"package:{r.package_id}",
                          queueing_lock=lambda r: f"confirm:{r.package_id}")
        registry.register(CANCEL_SHORT, self.cancel_short, payload=ShortPickRef,
                          priority=Priority.TRACKING, lock=lambda r: f"order:{r.order_id}")
        registry.register(RECONFIRM_UNMAPPED, self.reconfirm_unmapped, payload=FlowTick,
                          queueing_lock=lambda t: t.queueing_key(RECONFIRM_UNMAPPED))
