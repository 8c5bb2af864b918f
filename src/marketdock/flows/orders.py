"""The order flow: marketplace orders in, releasable ones to the warehouse exactly once.

Tasks:

- ``orders`` (a flow tick per channel account): read the orders changed since the last
  run (minus an overlap, so nothing changing between pages or polls is missed), store each
  once, decide its hub status with :func:`~marketdock.flows.routing.decide`, open or
  resolve its holds, and enqueue the follow-up jobs in the same transaction;
- ``orders.release``: create the order at the warehouse through the effects ledger; after
  an ambiguous failure the warehouse is asked first whether it already has the order;
- ``orders.cancel_at_warehouse``: a marketplace cancellation reaches the warehouse, or
  becomes an exception when the order already left;
- ``orders.reevaluate``: held orders are decided again (after a listing was added, say),
  so holds resolve themselves when their cause is gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pydantic
import structlog
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.ports import (
    CancelOutcome,
    Capability,
    Quarantined,
    WarehouseOrder,
)
from marketdock.domain import Order, OrderStatus
from marketdock.engine import audit, effects
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.errors import RemoteError
from marketdock.flows import deadlines, routing
from marketdock.flows.ports import Ports
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.flows.store import sync_state
from marketdock.flows.ticks import FlowTick, per_target
from marketdock.monitor import exceptions

FLOW = "orders"
RELEASE = "orders.release"
CANCEL_AT_WAREHOUSE = "orders.cancel_at_warehouse"
REEVALUATE = "orders.reevaluate"

ORDER_UNREADABLE = "order_unreadable"
WAREHOUSE_REJECTED = "warehouse_rejected"
CANCELLED_AFTER_SHIPPING = "cancelled_after_shipping"
CANCEL_AT_WAREHOUSE_BY_HAND = "cancel_at_warehouse_by_hand"

OVERLAP = timedelta(minutes=10)
FIRST_SYNC = timedelta(days=7)

log = structlog.get_logger("marketdock.orders")


class OrderRef(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    order_id: int


def _watermark_key(channel: str) -> str:
    return f"orders:{channel}:changed_since"


class OrderFlow:
    def __init__(self, config: Config, ports: Ports) -> None:
        self.config = config
        self.ports = ports

    # -------------------------------------------------------------- the tick

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        """Sync one channel account; a tick for no channel fans out to all of them."""
        per_target(ctx, self.config, FLOW, tick, "channels", self._sync)

    def _sync(self, ctx: JobContext, tenant_id: str, channel_id: str) -> None:
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            mark = sync_state.get(conn, tenant_id, _watermark_key(channel_id))
        since = datetime.fromisoformat(mark) - OVERLAP if mark else now - FIRST_SYNC
        batch = self.ports.marketplace(tenant_id, channel_id).fetch_orders(since, now)
        with ctx.transaction() as conn:
            for order in batch.orders:
                self.route(conn, ctx, order)
            for bad in batch.quarantined:
                _quarantine(conn, tenant_id, channel_id, bad, now)
            sync_state.put(conn, tenant_id, _watermark_key(channel_id),
                           (batch.until or now).isoformat(), now)
        log.info("orders synced", channel=channel_id, orders=len(batch.orders),
                 quarantined=len(batch.quarantined))

    def route(self, conn: Connection, ctx: JobContext, order: Order) -> int:
        """Store ``order`` and act on the decision; return its id."""
        now = ctx.clock.now()
        previous = order_store.find(conn, order.tenant_id, order.channel.value,
                                    order.marketplace_order_id)
        listings = listing_store.find(conn, order.tenant_id, order.channel_account_id,
                                      (line.sku for line in order.lines))
        tenant = self.config.tenant(order.tenant_id)
        decision = routing.decide(order, previous.status if previous else None, listings, tenant)
        if order.ship_by is None and decision.warehouse_id is not None:
            order = order.evolve(ship_by=deadlines.ship_by(
                order, tenant.warehouse(decision.warehouse_id)))
        order_id = order_store.upsert(conn, order, decision.status, now, decision.warehouse_id)
        self._apply(conn, ctx, order_id, order, decision,
                    previous.status if previous else None)
        return order_id

    def _apply(self, conn: Connection, ctx: JobContext, order_id: int, order: Order,
               decision: routing.Decision, previous: OrderStatus | None) -> None:
        now = ctx.clock.now()
        object_id = str(order_id)
        held = {hold.type for hold in decision.holds}
        for hold in decision.holds:
            exceptions.open_exception(conn, tenant_id=order.tenant_id, type=hold.type,
                                      object_type="order", object_id=object_id,
                                      reason=f"order {order.marketplace_order_id}: {hold.reason}",
                                      now=now, details={"channel": order.channel_account_id})
        for kind in routing.HOLD_TYPES:
            if kind not in held:
                exceptions.resolve(conn, tenant_id=order.tenant_id, object_type="order",
                                   object_id=object_id, type=kind, now=now)
        if decision.status is not previous:
            audit.record(conn, tenant_id=order.tenant_id, object_type="order",
                         object_id=object_id, action=f"status:{decision.status.value}",
                         system=order.channel.value, at=now, job_id=ctx.job.id,
                         details={"previous": previous.value if previous else None})
        if decision.release:
            ctx.defer(conn, RELEASE, {"order_id": order_id}, deadline=order.ship_by)
        if decision.cancel_at_warehouse:
            ctx.defer(conn, CANCEL_AT_WAREHOUSE, {"order_id": order_id})

    # -------------------------------------------------------------- release

    def release(self, ctx: JobContext, ref: OrderRef) -> None:
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            stored = order_store.get(conn, ref.order_id)
            if stored is None or stored.status is not OrderStatus.RELEASABLE \
                    or stored.warehouse_id is None:
                return  # cancelled or held meanwhile: nothing to release
            listings = listing_store.find(conn, stored.order.tenant_id,
                                          stored.order.channel_account_id,
                                          (line.sku for line in stored.order.lines))
        order, tenant_id = stored.order, stored.order.tenant_id
        with ctx.db.begin() as conn:
            effect = effects.claim(conn, tenant_id, "warehouse_order", str(stored.id), now)
        warehouse = self.ports.warehouse(tenant_id, stored.warehouse_id)
        remote_id = effect.remote_ref if effect.done else None
        if remote_id is None and effect.maybe_sent:
            remote_id = warehouse.find_order(stored.warehouse_reference)
        if remote_id is None:
            assert order.shipping_address is not None
            request = WarehouseOrder(
                reference=stored.warehouse_reference,
                lines=routing.warehouse_lines(order, listings),
                ship_to=order.shipping_address, ship_by=order.ship_by,
                shipping_method=order.ship_service_level or "Standard",
                channel=order.channel.value)
            try:
                remote_id = warehouse.send_order(request)
            except RemoteError as exc:
                if exc.status is None or not 400 <= exc.status < 500 or exc.status == 429:
                    raise
                self._rejected(ctx, stored, exc)
                return
        with ctx.transaction() as conn:
            effects.complete(conn, effect.id, remote_id, now)
            order_store.set_status(conn, stored.id, OrderStatus.RELEASED, now)
            exceptions.resolve(conn, tenant_id=tenant_id, object_type="order",
                               object_id=str(stored.id), type=WAREHOUSE_REJECTED, now=now)
            audit.record(conn, tenant_id=tenant_id, object_type="order", object_id=str(stored.id),
                         action="status:released", system=stored.warehouse_id, at=now,
                         job_id=ctx.job.id, details={"warehouse_order": remote_id})

    def _rejected(self, ctx: JobContext, stored: order_store.StoredOrder,
                  exc: RemoteError) -> None:
        now = ctx.clock.now()
        with ctx.transaction() as conn:
            order_store.set_status(conn, stored.id, OrderStatus.HELD, now)
            exceptions.open_exception(
                conn, tenant_id=stored.order.tenant_id, type=WAREHOUSE_REJECTED,
                object_type="order", object_id=str(stored.id), now=now,
                reason=f"order {stored.order.marketplace_order_id}: warehouse "
                       f"{stored.warehouse_id} refused it: {exc}")

    # -------------------------------------------------------------- cancellation

    def cancel_at_warehouse(self, ctx: JobContext, ref: OrderRef) -> None:
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            stored = order_store.get(conn, ref.order_id)
        if stored is None or stored.warehouse_id is None:
            return  # never reached a warehouse
        warehouse = self.ports.warehouse(stored.order.tenant_id, stored.warehouse_id)
        if not warehouse.supports(Capability.CANCEL_ORDER):
            with ctx.transaction() as conn:
                exceptions.open_exception(
                    conn, tenant_id=stored.order.tenant_id, type=CANCEL_AT_WAREHOUSE_BY_HAND,
                    object_type="order", object_id=str(stored.id), now=now,
                    reason=f"order {stored.order.marketplace_order_id} was cancelled on the "
                           f"marketplace; warehouse {stored.warehouse_id} takes no "
                           f"cancellation from the hub: cancel {stored.warehouse_reference} "
                           "with the warehouse by hand")
            return
        outcome = warehouse.cancel_order(stored.warehouse_reference)
        with ctx.transaction() as conn:
            if outcome is CancelOutcome.ALREADY_SHIPPED:
                exceptions.open_exception(
                    conn, tenant_id=stored.order.tenant_id, type=CANCELLED_AFTER_SHIPPING,
                    object_type="order", object_id=str(stored.id), now=now,
                    reason=f"order {stored.order.marketplace_order_id} was cancelled on the "
                           f"marketplace but warehouse {stored.warehouse_id} had already "
                           "shipped it: stop the parcel or expect a return")
            audit.record(conn, tenant_id=stored.order.tenant_id, object_type="order",
                         object_id=str(stored.id), action=f"warehouse_cancel:{outcome.value}",
                         system=stored.warehouse_id, at=now, job_id=ctx.job.id)

    # -------------------------------------------------------------- holds

    def reevaluate(self, ctx: JobContext, tick: FlowTick) -> None:
        """Decide every held order of the tenant again."""
        with ctx.transaction() as conn:
            for stored in order_store.with_status(conn, ctx.job.tenant_id, OrderStatus.HELD):
                self.route(conn, ctx, stored.order)

    def register(self, registry: TaskRegistry) -> None:
        registry.register(FLOW, self.tick, payload=FlowTick,
                          queueing_lock=lambda t: t.queueing_key(FLOW))
        registry.register(RELEASE, self.release, payload=OrderRef,
                          lock=_order_lock, queueing_lock=lambda r: f"release:{r.order_id}")
        registry.register(CANCEL_AT_WAREHOUSE, self.cancel_at_warehouse, payload=OrderRef,
                          lock=_order_lock)
        registry.register(REEVALUATE, self.reevaluate, payload=FlowTick,
                          queueing_lock=lambda t: t.queueing_key(REEVALUATE))


def _order_lock(ref: OrderRef) -> str:
    return f"order:{ref.order_id}"


def _quarantine(conn: Connection, tenant_id: str, channel_id: str, bad: Quarantined,
                now: datetime) -> None:
    exceptions.open_exception(
        conn, tenant_id=tenant_id, type=ORDER_UNREADABLE, object_type="marketplace_order",
        object_id=f"{channel_id}:{bad.reference}", now=now,
        reason=f"{channel_id} order {bad.reference} cannot be read: {bad.reason}",
        details={"source": bad.source, "excerpt": bad.excerpt})
