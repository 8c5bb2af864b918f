"""The stock flow: warehouse stock in, the stock rule's quantities out to every channel.

Tasks:

- ``stock`` (a flow tick): for a warehouse, store its stock report (a full report sets
  the SKUs it does not name to zero; a delta changes only those it names), then publish
  to every channel; for a channel, publish to it; for neither, fan out to every warehouse;
- ``stock.publish`` (one channel account): compute every listing's quantity with
  :func:`~marketdock.flows.stock_rule.explain`, store it with its explanation, and push
  the quantities that changed (``full``: all of them) in batches. The marketplace's answer
  is recorded per SKU; a refused SKU becomes a business exception and the rest goes on;
- ``stock.full`` (a flow tick): push every listing again, changed or not;
- ``stock.check`` (one asynchronous batch): a push the marketplace accepted for later
  processing (PENDING, with the batch's reference) is followed to its end. Done: each
  SKU's result is applied as a synchronous answer would be; still waiting: checked again
  later; stuck: an exception, and the batch's SKUs go out again one by one through
  :meth:`~marketdock.connectors.ports.MarketplacePort.push_stock_now`; failed: an
  exception, and the SKUs stay queued for the next push;
- ``stock.read_back`` (a flow tick): where the marketplace can be read, compare what it
  shows with what was published and push again what drifted.

Every job that pushes or reads one channel's stock holds the lock ``stock:<channel>``, and
a push sends the latest stored quantity, never one carried in a job: so updates of one SKU
reach the marketplace in the order they were computed.

:meth:`StockFlow.push_now` enqueues an urgent publication for some warehouse SKUs (the
few listings it selects go out one by one through ``push_stock_now``);
:meth:`StockFlow.short_picked` is the shipment flow's hook for a short-pick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

import pydantic
import structlog
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.ports import (
    Capability,
    MarketplacePort,
    StockCheckState,
    StockOutcome,
    StockResult,
    StockUpdate,
)
from marketdock.domain import Listing
from marketdock.engine import audit
from marketdock.engine.jobs import Priority
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.flows import stock_rule
from marketdock.flows.ports import Ports
from marketdock.flows.stock_rule import StockExplanation
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.flows.store import stock as stock_store
from marketdock.flows.ticks import FlowTick, fan_out
from marketdock.monitor import exceptions

FLOW = "stock"
PUBLISH = "stock.publish"
FULL = "stock.full"
READ_BACK = "stock.read_back"
CHECK = "stock.check"

STOCK_REJECTED = "stock_rejected"
STOCK_UNKNOWN_SKU = "stock_unknown_sku"
STOCK_EXCEPTIONS = (STOCK_REJECTED, STOCK_UNKNOWN_SKU)
STOCK_BATCH_STUCK = "stock_batch_stuck"
STOCK_BATCH_FAILED = "stock_batch_failed"

BATCH = 200
"""SKUs per read-back; pushes go in the port's own ``stock_batch_size``."""
PENDING_GRACE = timedelta(minutes=15)
"""A quantity accepted for asynchronous processing is compared only after this long."""
FIRST_CHECK = timedelta(minutes=3)
"""An asynchronous batch is first checked this long after it was accepted."""
CHECK_AGAIN = timedelta(minutes=5)
"""A batch still being processed is checked again this long after."""
URGENT_MAX = 20
"""An urgent publication selecting at most this many listings sends them one by one by
the marketplace's fastest route; a larger one goes in batches."""

log = structlog.get_logger("marketdock.stock")


class StockPush(pydantic.BaseModel):
    """Publish one channel account's stock: every listing, or only those selected."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    channel: str
    channel_skus: tuple[str, ...] | None = None
    """Only these listings (with ``warehouse_skus``: these and the ones using them)."""
    warehouse_skus: tuple[str, ...] | None = None
    """Only listings made of these warehouse SKUs."""
    full: bool = False
    """Push every selected quantity, changed or not."""
    urgent: bool = False
    """Send the selected quantities at once, one by one (e.g. a stock-out after a short
    pick), rather than in the marketplace's batches."""

    @property
    def selective(self) -> bool:
        return self.channel_skus is not None or self.warehouse_skus is not None

    def selects(self, listing: Listing) -> bool:
        if not self.selective:
            return True
        return listing.channel_sku in (self.channel_skus or ()) or any(
            c.warehouse_sku in (self.warehouse_skus or ()) for c in listing.bill_of_materials)


class StockBatchCheck(pydantic.BaseModel):
    """Follow one asynchronous stock batch of a channel account to its end."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    channel: str
    reference: str
    """The marketplace's reference for the batch (e.g. a feed id)."""
    skus: tuple[str, ...]
    """Every channel SKU sent in the batch."""


def _channel_lock(channel: str) -> str:
    return f"stock:{channel}"


def _publish_queueing_lock(push: StockPush) -> str | None:
    """A waiting publication of the whole channel makes another one redundant: it reads
    the stock when it runs. Selective ones are urgent and never dropped."""
    if push.selective:
        return None
    return f"{PUBLISH}:{push.channel}:{'full' if push.full else 'changed'}"


def _listing_id(channel: str, channel_sku: str) -> str:
    return f"{channel}:{channel_sku}"


def _publishable(listings: Iterable[Listing], channel: str) -> set[str]:
    """The channel SKUs of every active listing ``channel`` may be sent a quantity for."""
    return {listing.channel_sku for listing in listings
            if listing.channel_account_id == channel and listing.receives_warehouse_stock}


class StockFlow:
    def __init__(self, config: Config, ports: Ports) -> None:
        self.config = config
        self.ports = ports

    # -------------------------------------------------------------- ticks

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        tenant_id = ctx.job.tenant_id
        tenant = self.config.tenant(tenant_id)
        if tick.warehouse is None and tick.channel is None:
            with ctx.transaction() as conn:
                for warehouse in tenant.warehouses:
                    ctx.defer(conn, FLOW, FlowTick(warehouse=warehouse.id))
                if not tenant.warehouses:
                    self._publish_all(conn, ctx, full=False)
            return
        if tick.warehouse is not None:
            self._refresh(ctx, tenant_id, tick.warehouse)
        with ctx.transaction() as conn:
            if tick.channel is not None:
                ctx.defer(conn, PUBLISH, StockPush(channel=tick.channel))
                return
            for channel in tenant.channels:
                if tick.warehouse in stock_rule.channel_warehouses(tenant, channel.id):
                    ctx.defer(conn, PUBLISH, StockPush(channel=channel.id))

    def _refresh(self, ctx: JobContext, tenant_id: str, warehouse_id: str) -> None:
        port = self.ports.warehouse(tenant_id, warehouse_id)
        if not port.supports(Capability.FETCH_STOCK):
            log.info("warehouse reports no stock", warehouse=warehouse_id)
            return
        snapshot = port.fetch_stock()
        with ctx.db.begin() as conn:
            stock_store.apply_snapshot(conn, tenant_id, warehouse_id, snapshot)
        log.info("warehouse stock stored", warehouse=warehouse_id,
                 positions=len(snapshot.positions), full=snapshot.full)

    def _publish_all(self, conn: Connection, ctx: JobContext, *, full: bool) -> None:
        for channel in self.config.tenant(ctx.job.tenant_id).channels:
            ctx.defer(conn, PUBLISH, StockPush(channel=channel.id, full=full))

    def full(self, ctx: JobContext, tick: FlowTick) -> None:
        """Push every quantity again: heals what a marketplace lost without telling."""
        with ctx.transaction() as conn:
            if tick.channel is not None:
                ctx.defer(conn, PUBLISH, StockPush(channel=tick.channel, full=True))
            else:
                self._publish_all(conn, ctx, full=True)

    # -------------------------------------------------------------- urgent pushes

    def push_now(self, conn: Connection, ctx: JobContext, tenant_id: str,
                 warehouse_skus: Iterable[str]) -> None:
        """Enqueue, on ``conn``, a publication of the listings made of ``warehouse_skus``
        on every channel, ahead of every other stock job."""
        skus = tuple(sorted(set(warehouse_skus)))
        if not skus:
            return
        now = ctx.clock.now()
        for channel in self.config.tenant(tenant_id).channels:
            ctx.registry.defer(conn, now, PUBLISH, tenant_id,
                               StockPush(channel=channel.id, warehouse_skus=skus, urgent=True),
                               deadline=now)

    def short_picked(self, conn: Connection, ctx: JobContext, tenant_id: str,
                     warehouse_sku: str, warehouse_id: str | None = None) -> None:
        """The warehouse could not pick ``warehouse_sku``: none of it is pickable (at
        ``warehouse_id``, or at any warehouse when unknown) until its next stock report,
        and every channel is told at once."""
        warehouses = (warehouse_id,) if warehouse_id is not None else tuple(
            w.id for w in self.config.tenant(tenant_id).warehouses)
        stock_store.stock_out(conn, tenant_id, warehouse_sku, warehouses, ctx.clock.now())
        self.push_now(conn, ctx, tenant_id, (warehouse_sku,))

    # -------------------------------------------------------------- publication

    def publish(self, ctx: JobContext, push: StockPush) -> None:
        tenant_id = ctx.job.tenant_id
        with ctx.db.begin() as conn:
            selected, publishable = self._compute(conn, ctx, tenant_id, push)
        port = self.ports.marketplace(tenant_id, push.channel)
        if not port.supports(Capability.PUSH_STOCK):
            log.info("channel takes no stock", channel=push.channel)
            return
        with ctx.db.read() as conn:
            waiting = stock_store.queued(conn, tenant_id, push.channel)
        # A quantity queued for a listing since deactivated or turned FBA stays unsent.
        updates = [StockUpdate(sku=sku, quantity=quantity) for sku, quantity in waiting.items()
                   if sku in publishable]
        if push.urgent and len(selected) <= URGENT_MAX:
            self._push_each(ctx, port, push.channel,
                            [update for update in updates if update.sku in selected])
            updates = [update for update in updates if update.sku not in selected]
        size = port.stock_batch_size
        for start in range(0, len(updates), size):
            batch = updates[start:start + size]
            results = port.push_stock(batch)
            with ctx.db.begin() as conn:
                self._settle(conn, ctx, push.channel, batch, results)
                self._follow(conn, ctx, port, push.channel, results)
        log.info("stock pushed", channel=push.channel, pushed=len(updates))

    def _push_each(self, ctx: JobContext, port: MarketplacePort, channel: str,
                   updates: Sequence[StockUpdate]) -> None:
        """Send each quantity on its own by the marketplace's fastest route."""
        for update in updates:
            result = port.push_stock_now(update)
            with ctx.db.begin() as conn:
                self._settle(conn, ctx, channel, [update], [result])
                self._follow(conn, ctx, port, channel, [result])
        if updates:
            log.info("stock sent at once", channel=channel, skus=len(updates))

    def _follow(self, conn: Connection, ctx: JobContext, port: MarketplacePort, channel: str,
                results: Sequence[StockResult]) -> None:
        """Enqueue, on ``conn``, a check of every asynchronous batch among ``results``."""
        if not port.supports(Capability.CHECK_STOCK):
            return  # pending quantities are compared by the read-back after a grace time
        batches: dict[str, list[str]] = {}
        for result in results:
            if result.outcome is StockOutcome.PENDING and result.reference:
                batches.setdefault(result.reference, []).append(result.sku)
        for reference, skus in batches.items():
            ctx.defer(conn, CHECK, StockBatchCheck(channel=channel, reference=reference,
                                                   skus=tuple(skus)),
                      scheduled_at=ctx.clock.now() + FIRST_CHECK)

    def _compute(self, conn: Connection, ctx: JobContext, tenant_id: str,
                 push: StockPush) -> tuple[set[str], set[str]]:
        """Store the quantity of every selected listing; queue the changed ones (``full``:
        all). Return the channel SKUs of the selected listings that are published, and
        those of every listing the channel may be sent a quantity for."""
        tenant = self.config.tenant(tenant_id)
        every = listing_store.for_account(conn, tenant_id)
        chosen = [listing for listing in every
                  if listing.channel_account_id == push.channel and push.selects(listing)]
        warehouses = stock_rule.channel_warehouses(tenant, push.channel)
        skus = {c.warehouse_sku for listing in chosen for c in listing.bill_of_materials}
        pickable = stock_store.pickable(conn, tenant_id, warehouses, skus)
        held = stock_rule.reservations(
            order_store.with_status(conn, tenant_id, *stock_rule.RESERVING),
            {(listing.channel_account_id, listing.channel_sku): listing for listing in every})
        reserved = stock_rule.reserved_for(held, warehouses)
        stored = stock_store.published(conn, tenant_id, push.channel,
                                       [listing.channel_sku for listing in chosen]
                                       if push.selective else None)
        now = ctx.clock.now()
        computed: set[str] = set()
        for listing in chosen:
            explanation = stock_rule.explain(
                listing, channel_id=push.channel, policy=tenant.stock_policy,
                warehouses=warehouses, pickable=pickable, reserved=reserved)
            if explanation.quantity is None:
                continue  # excluded (FBA): never published
            before = stored.get(listing.channel_sku)
            if push.full or before is None or before.quantity != explanation.quantity \
                    or before.status == stock_store.QUEUED:
                stock_store.queue(conn, tenant_id, push.channel, explanation, now)
            elif before.explanation != explanation:
                stock_store.set_explanation(conn, tenant_id, push.channel, explanation)
            computed.add(listing.channel_sku)
        return computed, _publishable(every, push.channel)

    def _settle(self, conn: Connection, ctx: JobContext, channel: str,
                batch: Sequence[StockUpdate], results: Sequence[StockResult],
                pending_in: str | None = None) -> None:
        """Record the marketplace's answer per SKU of ``batch`` (sent while queued, or with
        ``pending_in``: pending in that asynchronous batch); a refused SKU becomes an
        exception. A quantity replaced meanwhile by a newer one is left alone."""
        tenant_id, now = ctx.job.tenant_id, ctx.clock.now()
        sent = {update.sku: update.quantity for update in batch}
        for result in results:
            if result.sku not in sent:
                log.warning("marketplace answered for a SKU not sent", channel=channel,
                            sku=result.sku)
                continue
            quantity = sent.pop(result.sku)
            status = {StockOutcome.APPLIED: stock_store.APPLIED,
                      StockOutcome.PENDING: stock_store.PENDING,
                      StockOutcome.REJECTED: stock_store.REJECTED,
                      StockOutcome.UNKNOWN_SKU: stock_store.UNKNOWN_SKU}[result.outcome]
            if not stock_store.settle(conn, tenant_id, channel, result.sku, quantity=quantity,
                                      status=status, reference=result.reference, now=now,
                                      pending_in=pending_in):
                continue  # a newer quantity is queued and goes out next
            object_id = _listing_id(channel, result.sku)
            if result.outcome in (StockOutcome.APPLIED, StockOutcome.PENDING):
                for kind in STOCK_EXCEPTIONS:
                    exceptions.resolve(conn, tenant_id=tenant_id, object_type="listing",
                                       object_id=object_id, type=kind, now=now)
            elif result.outcome is StockOutcome.UNKNOWN_SKU:
                exceptions.open_exception(
                    conn, tenant_id=tenant_id, type=STOCK_UNKNOWN_SKU, object_type="listing",
                    object_id=object_id, now=now,
                    reason=f"{channel} does not know SKU {result.sku}, so its stock of "
                           f"{quantity} cannot be published; create the listing on the "
                           "marketplace or correct the SKU in the hub"
                           + (f" ({result.reason})" if result.reason else ""),
                    details={"channel": channel, "sku": result.sku, "quantity": quantity})
            else:
                exceptions.open_exception(
                    conn, tenant_id=tenant_id, type=STOCK_REJECTED, object_type="listing",
                    object_id=object_id, now=now,
                    reason=f"{channel} refused stock {quantity} for SKU {result.sku}: "
                           f"{result.reason or 'no reason given'}",
                    details={"channel": channel, "sku": result.sku, "quantity": quantity})
        if sent:
            log.warning("marketplace did not answer for every SKU; they stay queued",
                        channel=channel, skus=sorted(sent))

    # -------------------------------------------------------------- asynchronous batches

    def check(self, ctx: JobContext, batch: StockBatchCheck) -> None:
        tenant_id, channel = ctx.job.tenant_id, batch.channel
        port = self.ports.marketplace(tenant_id, channel)
        if not port.supports(Capability.CHECK_STOCK):
            log.info("channel stock batches cannot be checked; the read-back compares them",
                     channel=channel, reference=batch.reference)
            return
        checked = port.check_stock(batch.reference, batch.skus)
        log.info("stock batch checked", channel=channel, reference=batch.reference,
                 state=checked.state.value, skus=len(batch.skus))
        if checked.state is StockCheckState.WAITING:
            with ctx.transaction() as conn:
                ctx.defer(conn, CHECK, batch, scheduled_at=ctx.clock.now() + CHECK_AGAIN)
            return
        if checked.state is StockCheckState.DONE:
            with ctx.transaction() as conn:
                pending = stock_store.pending_in(conn, tenant_id, channel, batch.reference)
                results = [r for r in checked.results if r.sku in pending]
                self._settle(conn, ctx, channel,
                             [StockUpdate(r.sku, pending[r.sku]) for r in results], results,
                             pending_in=batch.reference)
                # a SKU the marketplace gave no result for is sent again
                stock_store.requeue_pending(conn, tenant_id, channel, batch.reference)
            return
        with ctx.db.begin() as conn:
            self._batch_exception(conn, ctx, batch, checked.state, checked.reason)
            stock_store.requeue_pending(conn, tenant_id, channel, batch.reference)
        if checked.state is StockCheckState.STUCK:
            self._resend(ctx, port, batch)

    def _batch_exception(self, conn: Connection, ctx: JobContext, batch: StockBatchCheck,
                         state: StockCheckState, reason: str) -> None:
        count = len(batch.skus)
        if state is StockCheckState.STUCK:
            kind = STOCK_BATCH_STUCK
            what = (f"{batch.channel} has not finished processing stock batch "
                    f"{batch.reference} ({count} SKUs); its SKUs' latest quantities are "
                    "sent again one by one")
        else:
            kind = STOCK_BATCH_FAILED
            what = (f"{batch.channel} failed stock batch {batch.reference} ({count} SKUs); "
                    "its quantities stay queued for the next push")
        exceptions.open_exception(
            conn, tenant_id=ctx.job.tenant_id, type=kind, object_type="stock_batch",
            object_id=f"{batch.channel}:{batch.reference}", now=ctx.clock.now(),
            reason=what + (f": {reason}" if reason else ""),
            details={"channel": batch.channel, "reference": batch.reference, "skus": count})

    def _resend(self, ctx: JobContext, port: MarketplacePort, batch: StockBatchCheck) -> None:
        """Send the latest queued quantity of each SKU of a stuck batch by another route."""
        tenant_id = ctx.job.tenant_id
        with ctx.db.read() as conn:
            publishable = _publishable(listing_store.for_account(conn, tenant_id),
                                       batch.channel)
            waiting = stock_store.queued(conn, tenant_id, batch.channel)
        skus = set(batch.skus) & publishable
        self._push_each(ctx, port, batch.channel,
                        [StockUpdate(sku, quantity) for sku, quantity in waiting.items()
                         if sku in skus])

    # -------------------------------------------------------------- read-back

    def read_back(self, ctx: JobContext, tick: FlowTick) -> None:
        tenant_id = ctx.job.tenant_id
        if tick.channel is None:
            fan_out(ctx, self.config, READ_BACK, "channels")
            return
        port = self.ports.marketplace(tenant_id, tick.channel)
        if not port.supports(Capability.READ_STOCK):
            log.info("channel stock cannot be read back", channel=tick.channel)
            return
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            expected = stock_store.to_check(conn, tenant_id, tick.channel, now - PENDING_GRACE)
        drifted = self._compare(ctx, port, tick.channel, expected)
        with ctx.transaction() as conn:
            if drifted:
                ctx.defer(conn, PUBLISH, StockPush(channel=tick.channel,
                                                   channel_skus=tuple(drifted)))
        log.info("stock read back", channel=tick.channel, checked=len(expected),
                 drifted=len(drifted))

    def _compare(self, ctx: JobContext, port: MarketplacePort, channel: str,
                 expected: dict[str, int]) -> list[str]:
        """Read the marketplace's quantities; requeue and return the SKUs that differ."""
        tenant_id, now = ctx.job.tenant_id, ctx.clock.now()
        skus = list(expected)
        drifted: list[str] = []
        for start in range(0, len(skus), BATCH):
            batch = skus[start:start + BATCH]
            shown = port.read_stock(batch)
            differ = [sku for sku in batch if sku in shown and shown[sku] != expected[sku]]
            with ctx.db.begin() as conn:
                for sku in batch:
                    if sku in shown:  # a SKU not answered is checked next time
                        stock_store.observed(conn, tenant_id, channel, sku, shown[sku], now)
                for sku in differ:
                    audit.record(conn, tenant_id=tenant_id, object_type="listing",
                                 object_id=_listing_id(channel, sku), action="stock_drift",
                                 system=channel, at=now, job_id=ctx.job.id,
                                 details={"published": expected[sku],
                                          "marketplace": shown[sku]})
                stock_store.requeue(conn, tenant_id, channel, differ)
            drifted += differ
        return drifted

    def register(self, registry: TaskRegistry) -> None:
        registry.register(FLOW, self.tick, payload=FlowTick, priority=Priority.STOCK,
                          queueing_lock=lambda t: t.queueing_key(FLOW))
        registry.register(PUBLISH, self.publish, payload=StockPush, priority=Priority.STOCK,
                          lock=lambda p: _channel_lock(p.channel),
                          queueing_lock=_publish_queueing_lock)
        registry.register(FULL, self.full, payload=FlowTick, priority=Priority.STOCK,
                          queueing_lock=lambda t: t.queueing_key(FULL))
        registry.register(CHECK, self.check, payload=StockBatchCheck, priority=Priority.STOCK,
                          lock=lambda b: _channel_lock(b.channel),
                          queueing_lock=lambda b: f"{CHECK}:{b.channel}:{b.reference}")
        registry.register(READ_BACK, self.read_back, payload=FlowTick, priority=Priority.STOCK,
                          lock=lambda t: _channel_lock(t.channel) if t.channel else None,
                          queueing_lock=lambda t: t.queueing_key(READ_BACK))


def explain(conn: Connection, tenant_id: str, channel_id: str,
            channel_sku: str) -> StockExplanation | None:
    """Why ``channel_sku`` shows what it shows on ``channel_id`` (``marketdock stock
    explain``): the explanation of the last computed quantity; for a listing never sent
    warehouse stock (FBA), the reason; None for an unknown listing or one not computed yet."""
    listing = listing_store.get(conn, tenant_id, channel_id, channel_sku)
    if listing is not None and not listing.receives_warehouse_stock:
        return StockExplanation(channel=channel_id, channel_sku=channel_sku, quantity=None,
                                excluded=stock_rule.FBA_EXCLUDED)
    stored = stock_store.get(conn, tenant_id, channel_id, channel_sku)
    return None if stored is None else stored.explanation
