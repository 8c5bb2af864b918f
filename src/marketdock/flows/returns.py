"""The returns flow: returns customers announce, the grading sent back, receipts kept.

Tasks:

- ``returns`` (a flow tick per channel account): read the returns announced since the last
  run and record each once: an audit event, the open return (in ``sync_state``, by channel
  and position item, so the grading can be sent later) and a ``return_expected`` exception
  for the warehouse saying what to expect. Warehouses take no return announcements by API
  yet, so that exception is the expected receipt;
- ``returns.decide``: send the grading (accept or reject) through the effects ledger, once;
  a refusal by the marketplace becomes a ``return_decision_refused`` exception. Accepting
  refunds the customer and is final; a rejected return can still be accepted later, so the
  verdict is part of the effect's key;
- ``receipts`` (a flow tick per channel account): keep every receipt (the customer
  documents the marketplace issues per shipment and refund) once, whole, in the audit log
  for finance's reconciliation.

:func:`grade_return` is how an operator or the warehouse gives the grading.

The marketplace port has no shapes for returns and receipts yet; the connector's records
(OTTO's, so far) are used as they are, through :class:`ReturnsDesk`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import pydantic
import structlog
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.otto.returns import (
    DecisionResult,
    ReceiptBatch,
    ReceiptRecord,
    ReturnDecision,
    ReturnedItem,
    Verdict,
    refused_locally,
)
from marketdock.connectors.ports import Capability, MarketplacePort, Quarantined
from marketdock.engine import audit, effects
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.errors import InputError, RemoteError
from marketdock.flows.ports import Ports
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.flows.store import sync_state
from marketdock.flows.ticks import FlowTick, fan_out
from marketdock.monitor import exceptions

FLOW = "returns"
DECIDE = "returns.decide"
RECEIPTS = "receipts"

EFFECT = "return_decision"
OBJECT = "return"
RECEIPT = "receipt"
RETURN_EXPECTED = "return_expected"
RETURN_DECISION_REFUSED = "return_decision_refused"
RECEIPT_UNREADABLE = "receipt_unreadable"

OVERLAP = timedelta(minutes=10)
"""Read again this far behind the watermark: changes landing while a list is paged."""
FIRST_RECEIPTS = timedelta(days=7)
DECISION_SKEW = timedelta(hours=1)
"""How far the marketplace's clock may be behind when a lost decision is looked up."""

log = structlog.get_logger("marketdock.returns")


@runtime_checkable
class ReturnsDesk(Protocol):
    """What the flow needs of a marketplace that reports returns and receipts."""

    def fetch_returns(self, status: str = "ANNOUNCED",
                      changed_since: datetime | None = None) -> Sequence[ReturnedItem]: ...

    def decide_returns(self, decisions: Sequence[ReturnDecision]
                       ) -> Sequence[DecisionResult]: ...

    def fetch_receipt_documents(self, since: datetime,
                                until: datetime | None = None) -> ReceiptBatch: ...


def _desk(port: MarketplacePort, capability: Capability) -> ReturnsDesk | None:
    if port.supports(capability) and isinstance(port, ReturnsDesk):
        return port
    return None


class OpenReturn(pydantic.BaseModel):
    """An announced return as it is kept until (and after) its grading."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    sales_order_id: str
    order_number: str | None = None
    sku: str | None = None
    """The channel SKU, when the hub knows the order."""
    warehouse_units: dict[str, int] = pydantic.Field(default_factory=dict)
    """Warehouse SKU → units coming back, when the hub knows the listing."""
    warehouse_id: str | None = None
    return_carrier: str | None = None
    return_tracking_numbers: tuple[str, ...] = ()
    announced_at: datetime | None = None
    decision: str | None = None
    """``accepted`` or ``rejected`` once the marketplace took the grading."""


class DecideReturn(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    channel: str = pydantic.Field(min_length=1, max_length=60)
    position_item_id: str = pydantic.Field(min_length=1, max_length=100)
    sales_order_id: str = pydantic.Field(min_length=1, max_length=100)
    accepted: bool
    condition: str | None = pydantic.Field(default=None, pattern=r"^[A-E]$")
    """The item's condition as graded: A original packaging, B mint, C slightly used,
    D heavily used, E mistake or incomplete."""
    reason: str | None = pydantic.Field(default=None, min_length=1, max_length=100)
    """The marketplace's reason code; a rejection needs one (OTTO: ITEM_DAMAGED, ...)."""

    @property
    def verdict(self) -> str:
        return "accepted" if self.accepted else "rejected"

    def port(self) -> ReturnDecision:
        return ReturnDecision(self.position_item_id, self.sales_order_id,
                              Verdict.ACCEPT if self.accepted else Verdict.REJECT,
                              reason=self.reason, condition=self.condition)


def _object_id(channel: str, position_item_id: str) -> str:
    return f"{channel}:{position_item_id}"


def _return_key(channel: str, position_item_id: str) -> str:
    return f"returns:{channel}:{position_item_id}"


def _returns_mark(channel: str) -> str:
    return f"returns:{channel}:changed_since"


def _receipts_mark(channel: str) -> str:
    return f"receipts:{channel}:created_since"


def _expect(tenant_id: str, channel: str, item: ReturnedItem, kept: OpenReturn) -> str:
    order = kept.order_number or item.marketplace_order_id
    if kept.warehouse_units:
        goods = ", ".join(f"{units} x {sku}" for sku, units in kept.warehouse_units.items())
    elif kept.sku is not None:
        goods = f"1 x {kept.sku}"
    else:
        goods = "1 unit (SKU unknown: the hub does not know this order line)"
    parcel = ""
    if item.return_tracking_numbers:
        parcel = (f" in a {item.return_carrier or 'carrier'} parcel "
                  f"{', '.join(item.return_tracking_numbers)}")
    shipped = f" (shipped by warehouse {kept.warehouse_id})" if kept.warehouse_id else ""
    return (f"expect a return of order {order}{shipped} (position item {item.line_id}) from "
            f"{channel}: {goods}{parcel}; grade it with: marketdock returns decide "
            f"{tenant_id} {channel} {item.line_id} --accept/--reject --condition ... --reason ...")


class ReturnsFlow:
    def __init__(self, config: Config, ports: Ports) -> None:
        self.config = config
        self.ports = ports

    # -------------------------------------------------------------- announced returns

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        """Read one channel's announced returns; a tick for no channel fans out to all."""
        tenant_id = ctx.job.tenant_id
        if tick.channel is not None:
            self._announced(ctx, tenant_id, tick.channel)
            return
        fan_out(ctx, self.config, FLOW, "channels")

    def _announced(self, ctx: JobContext, tenant_id: str, channel_id: str) -> None:
        desk = _desk(self.ports.marketplace(tenant_id, channel_id), Capability.FETCH_RETURNS)
        if desk is None:
            log.info("channel reports no returns", channel=channel_id)
            return
        with ctx.db.read() as conn:
            mark = sync_state.get(conn, tenant_id, _returns_mark(channel_id))
        since = datetime.fromisoformat(mark) - OVERLAP if mark else None
        items = desk.fetch_returns("ANNOUNCED", changed_since=since)
        latest = max((i.changed_at for i in items if i.changed_at is not None), default=None)
        with ctx.transaction() as conn:
            new = sum(self._announce(conn, ctx, tenant_id, channel_id, item) for item in items)
            if latest is not None and (mark is None or latest > datetime.fromisoformat(mark)):
                sync_state.put(conn, tenant_id, _returns_mark(channel_id), latest.isoformat(),
                               ctx.clock.now())
        log.info("returns read", channel=channel_id, listed=len(items), new=new)

    def _announce(self, conn: Connection, ctx: JobContext, tenant_id: str, channel_id: str,
                  item: ReturnedItem) -> bool:
        """Record ``item`` unless it was recorded before; whether it was new."""
        now, key = ctx.clock.now(), _return_key(channel_id, item.line_id)
        if sync_state.get(conn, tenant_id, key) is not None:
            return False
        kept = self._open_return(conn, tenant_id, channel_id, item)
        sync_state.put(conn, tenant_id, key, kept.model_dump_json(), now)
        object_id = _object_id(channel_id, item.line_id)
        audit.record(conn, tenant_id=tenant_id, object_type=OBJECT, object_id=object_id,
                     action="return:announced", system=channel_id, at=now, job_id=ctx.job.id,
                     details=kept.model_dump(mode="json", exclude={"decision"}))
        exceptions.open_exception(
            conn, tenant_id=tenant_id, type=RETURN_EXPECTED, object_type=OBJECT,
            object_id=object_id, now=now, owner="warehouse",
            reason=_expect(tenant_id, channel_id, item, kept),
            details={"channel": channel_id, "position_item_id": item.line_id,
                     "sales_order_id": item.marketplace_order_id,
                     "order_number": kept.order_number, "sku": kept.sku,
                     "warehouse_units": kept.warehouse_units,
                     "warehouse": kept.warehouse_id})
        return True

    def _open_return(self, conn: Connection, tenant_id: str, channel_id: str,
                     item: ReturnedItem) -> OpenReturn:
        """The return with what the hub knows of its order (SKU, warehouse units)."""
        kind = self.config.tenant(tenant_id).channel(channel_id).kind
        stored = order_store.find(conn, tenant_id, kind.value, item.marketplace_order_id)
        base = OpenReturn(sales_order_id=item.marketplace_order_id,
                          return_carrier=item.return_carrier,
                          return_tracking_numbers=item.return_tracking_numbers,
                          announced_at=item.changed_at)
        if stored is None:
            return base
        sku = next((line.sku for line in stored.order.lines if line.line_id == item.line_id),
                   None)
        listing = None if sku is None else listing_store.get(conn, tenant_id, channel_id, sku)
        return base.model_copy(update={
            "order_number": stored.order.order_number, "sku": sku,
            "warehouse_id": stored.warehouse_id,
            "warehouse_units": listing.warehouse_units(1) if listing is not None else {}})

    # -------------------------------------------------------------- grading

    def decide(self, ctx: JobContext, request: DecideReturn) -> None:
        now, tenant_id, channel_id = ctx.clock.now(), ctx.job.tenant_id, request.channel
        self.config.tenant(tenant_id).channel(channel_id)  # an unknown one fails here
        object_id = _object_id(channel_id, request.position_item_id)
        with ctx.db.begin() as conn:
            effect = effects.claim(conn, tenant_id, EFFECT, f"{object_id}:{request.verdict}",
                                   now)
        if effect.done:
            return
        desk = _desk(self.ports.marketplace(tenant_id, channel_id), Capability.DECIDE_RETURN)
        if desk is None:
            self._refused(ctx, effect.id, request,
                          f"channel {channel_id} takes no return decisions from the hub: "
                          "grade the return in the marketplace's portal")
            return
        if not (effect.maybe_sent and self._taken(desk, request, effect.created_at)):
            try:
                [result] = desk.decide_returns([request.port()])
            except RemoteError as exc:
                if exc.status is None or not 400 <= exc.status < 500 or exc.status == 429:
                    raise
                self._refused(ctx, effect.id, request, str(exc))
                return
            if not result.applied:
                self._refused(ctx, effect.id, request, result.reason)
                return
        self._decided(ctx, effect.id, request)

    def _taken(self, desk: ReturnsDesk, request: DecideReturn, since: datetime) -> bool:
        """Whether an earlier attempt, its answer lost, was taken by the marketplace."""
        status = "ACCEPTED" if request.accepted else "REJECTED"
        listed = desk.fetch_returns(status, changed_since=since - DECISION_SKEW)
        return any(item.line_id == request.position_item_id for item in listed)

    def _decided(self, ctx: JobContext, effect_id: int, request: DecideReturn) -> None:
        now, tenant_id = ctx.clock.now(), ctx.job.tenant_id
        object_id = _object_id(request.channel, request.position_item_id)
        key = _return_key(request.channel, request.position_item_id)
        with ctx.transaction() as conn:
            effects.complete(conn, effect_id, request.verdict, now)
            kept = sync_state.get(conn, tenant_id, key)
            if kept is not None:
                graded = OpenReturn.model_validate_json(kept).model_copy(
                    update={"decision": request.verdict})
                sync_state.put(conn, tenant_id, key, graded.model_dump_json(), now)
            for kind in (RETURN_EXPECTED, RETURN_DECISION_REFUSED):
                exceptions.resolve(conn, tenant_id=tenant_id, object_type=OBJECT,
                                   object_id=object_id, type=kind, now=now)
            audit.record(conn, tenant_id=tenant_id, object_type=OBJECT, object_id=object_id,
                         action=f"return:{request.verdict}", system=request.channel, at=now,
                         job_id=ctx.job.id,
                         details={"sales_order_id": request.sales_order_id,
                                  "condition": request.condition, "reason": request.reason})
        log.info("return graded", channel=request.channel,
                 position_item=request.position_item_id, verdict=request.verdict)

    def _refused(self, ctx: JobContext, effect_id: int, request: DecideReturn,
                 why: str) -> None:
        now = ctx.clock.now()
        verb = "accept" if request.accepted else "reject"
        with ctx.transaction() as conn:
            effects.refused(conn, effect_id, now)
            exceptions.open_exception(
                conn, tenant_id=ctx.job.tenant_id, type=RETURN_DECISION_REFUSED,
                object_type=OBJECT, object_id=_object_id(request.channel,
                                                         request.position_item_id),
                now=now,
                reason=f"{request.channel} refused to {verb} the return of position item "
                       f"{request.position_item_id} (order {request.sales_order_id}): {why}",
                details={"condition": request.condition, "reason": request.reason})

    # -------------------------------------------------------------- receipts

    def receipts(self, ctx: JobContext, tick: FlowTick) -> None:
        """Keep one channel's new receipts; a tick for no channel fans out to all."""
        tenant_id = ctx.job.tenant_id
        if tick.channel is not None:
            self._receipts(ctx, tenant_id, tick.channel)
            return
        fan_out(ctx, self.config, RECEIPTS, "channels")

    def _receipts(self, ctx: JobContext, tenant_id: str, channel_id: str) -> None:
        desk = _desk(self.ports.marketplace(tenant_id, channel_id), Capability.FETCH_RECEIPTS)
        if desk is None:
            log.info("channel reports no receipts", channel=channel_id)
            return
        now = ctx.clock.now()
        with ctx.db.read() as conn:
            mark = sync_state.get(conn, tenant_id, _receipts_mark(channel_id))
        since = datetime.fromisoformat(mark) - OVERLAP if mark else now - FIRST_RECEIPTS
        batch = desk.fetch_receipt_documents(since)
        latest = max((r.created_at for r in batch.receipts if r.created_at is not None),
                     default=None)
        with ctx.transaction() as conn:
            kept = sum(self._keep(conn, ctx, tenant_id, channel_id, r) for r in batch.receipts)
            for bad in batch.quarantined:
                _quarantine(conn, tenant_id, channel_id, bad, now)
            if latest is not None and (mark is None or latest > datetime.fromisoformat(mark)):
                sync_state.put(conn, tenant_id, _receipts_mark(channel_id), latest.isoformat(),
                               now)
        log.info("receipts read", channel=channel_id, listed=len(batch.receipts), kept=kept,
                 quarantined=len(batch.quarantined))

    def _keep(self, conn: Connection, ctx: JobContext, tenant_id: str, channel_id: str,
              receipt: ReceiptRecord) -> bool:
        """Keep ``receipt`` unless it was kept before; whether it was new."""
        number = receipt.receipt_number
        if any(event.action == "receipt:kept"
               for event in audit.history(conn, tenant_id, RECEIPT, number)):
            return False
        audit.record(conn, tenant_id=tenant_id, object_type=RECEIPT, object_id=number,
                     action="receipt:kept", system=channel_id, at=ctx.clock.now(),
                     job_id=ctx.job.id,
                     details={"channel": channel_id, "kind": receipt.kind,
                              "sales_order_id": receipt.marketplace_order_id,
                              "order_number": receipt.order_number,
                              "receipt": dict(receipt.document)})
        return True

    def register(self, registry: TaskRegistry) -> None:
        registry.register(FLOW, self.tick, payload=FlowTick,
                          lock=lambda t: t.queueing_key(FLOW),
                          queueing_lock=lambda t: t.queueing_key(FLOW))
        registry.register(DECIDE, self.decide, payload=DecideReturn, lock=_decide_lock)
        registry.register(RECEIPTS, self.receipts, payload=FlowTick,
                          lock=lambda t: t.queueing_key(RECEIPTS),
                          queueing_lock=lambda t: t.queueing_key(RECEIPTS))


def _decide_lock(request: DecideReturn) -> str:
    return f"return:{request.channel}:{request.position_item_id}"


def _quarantine(conn: Connection, tenant_id: str, channel_id: str, bad: Quarantined,
                now: datetime) -> None:
    exceptions.open_exception(
        conn, tenant_id=tenant_id, type=RECEIPT_UNREADABLE, object_type=RECEIPT,
        object_id=f"{channel_id}:{bad.reference}", now=now,
        reason=f"{channel_id} receipt {bad.reference} cannot be read: {bad.reason}",
        details={"source": bad.source, "excerpt": bad.excerpt})


def grade_return(conn: Connection, registry: TaskRegistry, now: datetime, tenant: str,
                 channel: str, position_item_id: str, accepted: bool,
                 condition: str | None = None, reason: str | None = None) -> int | None:
    """Enqueue the grading of an announced return; the job's id (None: the same grading is
    already waiting).

    Raises :class:`~marketdock.errors.InputError` for a return the hub has not seen
    announced, a rejection of an accepted one, and a grading the marketplace refuses
    whatever the return's state.
    """
    kept = sync_state.get(conn, tenant, _return_key(channel, position_item_id))
    if kept is None:
        raise InputError(f"channel {channel} of tenant {tenant} has announced no return of "
                         f"position item {position_item_id} (the returns flow records "
                         "announced returns)")
    announced = OpenReturn.model_validate_json(kept)
    if announced.decision == "accepted" and not accepted:
        raise InputError(f"the return of position item {position_item_id} on {channel} is "
                         "accepted already, and an acceptance is final")
    try:
        request = DecideReturn(
            channel=channel, position_item_id=position_item_id,
            sales_order_id=announced.sales_order_id,
            accepted=accepted, condition=condition or None, reason=reason or None)
    except pydantic.ValidationError as exc:
        problem = exc.errors()[0]
        raise InputError(f"return of position item {position_item_id} on {channel}: "
                         f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
                         ) from exc
    why = refused_locally(request.port())
    if why is not None:
        raise InputError(f"return of position item {position_item_id} on {channel}: {why}")
    return registry.defer(conn, now, DECIDE, tenant, request.model_dump())
