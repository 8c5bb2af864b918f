"""The returns flow: returns customers announce, the grading sent back, receipts kept.

Tasks:

- ``returns`` (a flow tick per channel account): read the returns announced since the last
  run and record each once: an audit event and the open return (in ``sync_state``, by
  channel and position item, so the grading can be sent later). When the hub knows the
  order, its warehouse SKUs and the warehouse that shipped it, and that warehouse takes
  inbound notices, the return goes there as an expected receipt: an ``inbound.send`` job
  (the inbound flow's effects ledger sends it once) whose reference is
  :func:`receipt_reference`, whose lines are the position item's warehouse units (a kit's
  components) and whose carrier and tracking number are the return label's. Otherwise,
  or when that warehouse reports no receipts, a ``return_expected``
  exception tells the warehouse what to expect and asks for the grading by hand;
- ``returns.decide``: send the grading (accept or reject) through the effects ledger, once;
  a refusal by the marketplace becomes a ``return_decision_refused`` exception. Accepting
  refunds the customer and is final; a rejected return can still be accepted later, so the
  verdict is part of the effect's key;
- ``receipts`` (a flow tick per channel account): keep every receipt (the customer
  documents the marketplace issues per shipment and refund) once, whole, in the audit log
  for finance's reconciliation.

The warehouse's receipt of an expected return reaches :meth:`ReturnsFlow.received` from
the inbound flow's receipt poll, and :func:`grade_receipt` turns it into the grading. An
operator grades with :func:`grade_return` (``marketdock returns decide``); whoever asks
first grades the return, so a receipt arriving after an operator's grading only adds to
the return's history, and the same verdict twice reaches the marketplace once.

The marketplace port has no shapes for returns and receipts yet; the connector's records
(OTTO's, so far) are used as they are, through :class:`ReturnsDesk`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from marketdock.connectors.ports import Capability, MarketplacePort, Quarantined, Receipt
from marketdock.engine import audit, effects
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.errors import InputError, RemoteError
from marketdock.flows import inbound
from marketdock.flows.ports import Ports
from marketdock.flows.store import listings as listing_store
from marketdock.flows.store import orders as order_store
from marketdock.flows.store import sync_state
from marketdock.flows.ticks import FlowTick, per_target
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
RETURN_INCOMPLETE = "return_incomplete"

OPERATOR = "operator"
WAREHOUSE = "warehouse"
GRADER = "return_grader"
"""Effects-ledger kind whose row per return says someone already graded it."""

OVERLAP = timedelta(minutes=10)
"""Read again this far behind the watermark: changes landing while a list is paged."""
FIRST_RECEIPTS = timedelta(days=7)
DECISION_SKEW = timedelta(hours=1)
"""How far the marketplace's clock may be behind when a lost decision is looked up."""
RECEIPT_WAIT = timedelta(days=21)
"""How long a return left to the warehouse's receipt may wait for it before an operator is
asked to grade it: a customer usually sends the parcel within days of announcing it, and
three weeks leave room for a slow carrier."""

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
    expected_receipt: str | None = None
    """The reference of the expected receipt the warehouse was sent, if one was."""
    decision: str | None = None
    """``accepted`` or ``rejected`` once the marketplace took the grading."""
    graded_by: str | None = None
    """Who asked for a grading first: ``operator`` or ``warehouse`` (its receipt)."""


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


GOOD = "B"
"""The condition of a return the warehouse booked in whole as sellable stock: mint (B).
OTTO's A also says the original packaging is intact, which no receipt reports."""
DAMAGED = "D"
"""The condition of a return with damaged units: heavily used (D), the worst of OTTO's
conditions for the item itself (E is for a mistake or an incomplete return)."""


@dataclass(frozen=True)
class Grading:
    """What a warehouse receipt says of a return: a verdict, or a question for a person."""

    accepted: bool | None
    """None: units are missing, an operator decides."""
    condition: str | None
    reason: str | None
    missing: Mapping[str, int]
    """Warehouse SKU → units announced but not received at all."""
    damaged: Mapping[str, int]
    """Warehouse SKU → units received damaged."""


def grade_receipt(expected: Mapping[str, int], receipt: Receipt) -> Grading:
    """The grading a warehouse receipt of an expected return asks for.

    - every announced unit received good: acceptance, RETURN_RECEIVED, condition
      :data:`GOOD`;
    - every announced unit there but some of them damaged: rejection, ITEM_DAMAGED,
      condition :data:`DAMAGED`;
    - any announced unit not received at all (an empty parcel, another item, a kit
      without a part): no automatic verdict. Rejecting with ITEM_NOT_IN_THE_PARCEL
      would refuse the customer's refund on the strength of one booking, and a
      mis-scan or a parcel opened at the wrong desk looks the same; a seller checks the
      parcel (weight, photos) before saying the customer sent nothing, so an operator
      grades it.

    Units received beyond the announced ones change nothing (a damaged unit besides a
    good one included): they are the warehouse's stock, not the customer's claim.
    """
    missing, damaged = {}, {}
    for sku, units in sorted(expected.items()):
        good = receipt.received.get(sku, 0)
        broken = min(receipt.damaged.get(sku, 0), max(0, units - good))
        if units - good - broken > 0:
            missing[sku] = units - good - broken
        if broken:
            damaged[sku] = broken
    if missing:
        return Grading(None, None, None, missing, damaged)
    if damaged:
        return Grading(False, DAMAGED, "ITEM_DAMAGED", missing, damaged)
    return Grading(True, GOOD, "RETURN_RECEIVED", missing, damaged)


def receipt_reference(order_id: int, line_ids: Sequence[str], line_id: str) -> str:
    """The expected receipt's reference of the return of ``line_id``: ``RET-<hub order
    id>-<rank of the line among the order's sorted line ids>``. It is stable per returned
    position item, the warehouse finds it beside the order's own ``MD-<id>``, and it fits
    X12's 22 characters (OTTO's position item ids are 36)."""
    return f"RET-{order_id}-{sorted(line_ids).index(line_id) + 1}"


def _object_id(channel: str, position_item_id: str) -> str:
    return f"{channel}:{position_item_id}"


def _return_key(channel: str, position_item_id: str) -> str:
    return f"returns:{channel}:{position_item_id}"


def _receipt_key(warehouse: str, reference: str) -> str:
    """Where the return an expected receipt announced is found by the receipt's reference."""
    return f"returns:receipt:{warehouse}:{reference}"


def _waiting_key(channel: str) -> str:
    """Position items whose grading waits for a warehouse receipt (a JSON list)."""
    return f"returns_waiting:{channel}"


def _waiting(conn: Connection, tenant_id: str, channel: str) -> list[str]:
    kept = sync_state.get(conn, tenant_id, _waiting_key(channel))
    return list(json.loads(kept)) if kept else []


def _waiting_add(conn: Connection, tenant_id: str, channel: str, line_id: str,
                 now: datetime) -> None:
    sync_state.put(conn, tenant_id, _waiting_key(channel),
                   json.dumps([*_waiting(conn, tenant_id, channel), line_id]), now)


def _returns_mark(channel: str) -> str:
    return f"returns:{channel}:changed_since"


def _receipts_mark(channel: str) -> str:
    return f"receipts:{channel}:created_since"


def _expect(tenant_id: str, channel: str, item: ReturnedItem, kept: OpenReturn) -> str:
    order = kept.order_number or item.marketplace_order_id
    if kept.warehouse_units:
        goods = _units(kept.warehouse_units)
    elif kept.sku is not None:
        goods = f"1 x {kept.sku}"
    else:
        goods = "1 unit (SKU unknown: the hub does not know this order line)"
    parcel = ""
    if item.return_tracking_numbers:
        parcel = (f" in a {item.return_carrier or 'carrier'} parcel "
                  f"{', '.join(item.return_tracking_numbers)}")
    shipped = f" (shipped by warehouse {kept.warehouse_id})" if kept.warehouse_id else ""
    sent = ""
    if kept.expected_receipt is not None:
        sent = (f" (announced as expected receipt {kept.expected_receipt}; the warehouse "
                "reports no receipts, so the hub cannot grade it)")
    return (f"expect a return of order {order}{shipped} (position item {item.line_id}) from "
            f"{channel}: {goods}{parcel}{sent}; grade it with: marketdock returns decide "
            f"{tenant_id} {channel} {item.line_id} --accept/--reject --condition ... --reason ...")


def _notice(kept: OpenReturn, item: ReturnedItem, reference: str,
            now: datetime) -> inbound.Notice:
    """The expected receipt: the returned units by warehouse SKU, and the return label's
    carrier and (first) tracking number, which the warehouse matches the parcel on. It is
    expected from the moment the return was announced: the customer's parcel is on its
    way from then (a CSV ASN needs an arrival date)."""
    return inbound.Notice(
        reference=reference,
        lines=tuple(inbound.NoticeLine(sku=sku, quantity=units)
                    for sku, units in sorted(kept.warehouse_units.items())),
        expected_at=item.changed_at or now,
        carrier=item.return_carrier,
        tracking_number=item.return_tracking_numbers[0] if item.return_tracking_numbers
        else None)


def _units(units: Mapping[str, int]) -> str:
    return ", ".join(f"{count} x {sku}" for sku, count in units.items()) or "nothing"


class ReturnsFlow:
    def __init__(self, config: Config, ports: Ports) -> None:
        self.config = config
        self.ports = ports

    # -------------------------------------------------------------- announced returns

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        """Read one channel's announced returns; a tick for no channel fans out to all."""
        per_target(ctx, self.config, FLOW, tick, "channels", self._announced)

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
            self._watch(conn, tenant_id, channel_id, ctx.clock.now())
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
                     details=kept.model_dump(mode="json", exclude={"decision", "graded_by"}))
        if kept.expected_receipt is not None and kept.warehouse_id is not None:
            sync_state.put(conn, tenant_id, _receipt_key(kept.warehouse_id,
                                                         kept.expected_receipt),
                           json.dumps([channel_id, item.line_id]), now)
            notice = _notice(kept, item, kept.expected_receipt, now)
            ctx.defer(conn, inbound.SEND, inbound.SendInbound(warehouse=kept.warehouse_id,
                                                              notice=notice))
            warehouse = self.ports.warehouse(tenant_id, kept.warehouse_id)
            if warehouse.supports(Capability.FETCH_INBOUND_RECEIPTS):
                _waiting_add(conn, tenant_id, channel_id, item.line_id, now)
                return True  # its receipt grades the return (watched by _watch)
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

    def _watch(self, conn: Connection, tenant_id: str, channel_id: str,
               now: datetime) -> None:
        """Returns left to the warehouse's receipt that cannot wait longer: the expected
        receipt was refused, or no receipt came within :data:`RECEIPT_WAIT` of the
        announcement. Each opens ``return_expected`` for a grading by hand (the grading
        resolves it); graded returns leave the watch."""
        waiting = _waiting(conn, tenant_id, channel_id)
        still = []
        for line_id in waiting:
            kept_json = sync_state.get(conn, tenant_id, _return_key(channel_id, line_id))
            if kept_json is None:
                continue
            kept = OpenReturn.model_validate_json(kept_json)
            if kept.graded_by is not None or kept.decision is not None \
                    or kept.expected_receipt is None or kept.warehouse_id is None:
                continue
            refused = inbound.refused(conn, tenant_id, kept.warehouse_id,
                                      kept.expected_receipt)
            overdue = kept.announced_at is not None and now - kept.announced_at > RECEIPT_WAIT
            if not (refused or overdue):
                still.append(line_id)
                continue
            why = (f"warehouse {kept.warehouse_id} did not take expected receipt "
                   f"{kept.expected_receipt}" if refused else
                   f"warehouse {kept.warehouse_id} reported no receipt of expected receipt "
                   f"{kept.expected_receipt} within {RECEIPT_WAIT.days} days")
            exceptions.open_exception(
                conn, tenant_id=tenant_id, type=RETURN_EXPECTED, object_type=OBJECT,
                object_id=_object_id(channel_id, line_id), now=now, owner="warehouse",
                reason=f"the return of order {kept.order_number or kept.sales_order_id} "
                       f"(position item {line_id}) is not graded: {why}; check with the "
                       f"warehouse, then grade it with: marketdock returns decide {tenant_id} "
                       f"{channel_id} {line_id} --accept/--reject --condition ... --reason ...",
                details={"expected_receipt": kept.expected_receipt,
                         "warehouse": kept.warehouse_id, "refused": refused})
        if still != waiting:
            sync_state.put(conn, tenant_id, _waiting_key(channel_id), json.dumps(still), now)

    def _open_return(self, conn: Connection, tenant_id: str, channel_id: str,
                     item: ReturnedItem) -> OpenReturn:
        """The return with what the hub knows of its order (SKU, warehouse units), and the
        reference of its expected receipt when the shipping warehouse takes one."""
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
        units = listing.warehouse_units(1) if listing is not None else {}
        expected = None
        if units and self._takes_notices(tenant_id, stored.warehouse_id):
            expected = receipt_reference(stored.id, [line.line_id for line in stored.order.lines],
                                         item.line_id)
        return base.model_copy(update={
            "order_number": stored.order.order_number, "sku": sku,
            "warehouse_id": stored.warehouse_id, "warehouse_units": units,
            "expected_receipt": expected})

    def _takes_notices(self, tenant_id: str, warehouse_id: str | None) -> bool:
        """Whether the warehouse (still in the config) takes inbound notices from the hub."""
        tenant = self.config.tenant(tenant_id)
        if warehouse_id is None or all(w.id != warehouse_id for w in tenant.warehouses):
            return False
        return self.ports.warehouse(tenant_id, warehouse_id).supports(Capability.SEND_INBOUND)

    # -------------------------------------------------------------- warehouse receipts

    def received(self, conn: Connection, ctx: JobContext, warehouse_id: str,
                 receipt: Receipt) -> bool:
        """Take the warehouse's receipt of an expected return (False: ``receipt`` answers
        no expected return) and grade the return by it, unless a grading was asked for
        already; a receipt with units missing asks an operator (``return_incomplete``).

        Called by the inbound flow inside its transaction, once per receipt.
        """
        tenant_id, now = ctx.job.tenant_id, ctx.clock.now()
        where = sync_state.get(conn, tenant_id,
                               _receipt_key(warehouse_id, receipt.inbound_reference))
        if where is None:
            return False
        channel_id, position_item_id = json.loads(where)
        key = _return_key(channel_id, position_item_id)
        kept_json = sync_state.get(conn, tenant_id, key)
        if kept_json is None:
            raise AssertionError(f"expected receipt {receipt.inbound_reference} names return "
                                 f"{key}, which is not kept")  # both are written together
        kept = OpenReturn.model_validate_json(kept_json)
        grading = grade_receipt(kept.warehouse_units, receipt)
        object_id = _object_id(channel_id, position_item_id)
        audit.record(conn, tenant_id=tenant_id, object_type=OBJECT, object_id=object_id,
                     action="return:received", system=warehouse_id, at=now, job_id=ctx.job.id,
                     details={"expected_receipt": receipt.inbound_reference,
                              "received": dict(receipt.received),
                              "damaged": dict(receipt.damaged),
                              "missing": dict(grading.missing),
                              "graded_by": kept.graded_by})
        if kept.graded_by is not None or kept.decision is not None:
            log.info("return received after its grading was asked for", channel=channel_id,
                     position_item=position_item_id, graded_by=kept.graded_by)
            return True
        if grading.accepted is not None and not _first_grader(conn, tenant_id, object_id, now):
            log.info("return received while an operator grades it", channel=channel_id,
                     position_item=position_item_id)
            return True
        if grading.accepted is None:
            exceptions.open_exception(
                conn, tenant_id=tenant_id, type=RETURN_INCOMPLETE, object_type=OBJECT,
                object_id=object_id, now=now,
                reason=f"warehouse {warehouse_id} received the return of order "
                       f"{kept.order_number or kept.sales_order_id} (position item "
                       f"{position_item_id}, expected receipt {receipt.inbound_reference}) "
                       f"without {_units(grading.missing)}; check the parcel, then grade it "
                       f"with: marketdock returns decide {tenant_id} {channel_id} "
                       f"{position_item_id} --accept/--reject --condition ... --reason ... "
                       "(ITEM_NOT_IN_THE_PARCEL when the customer did not send it)",
                details={"expected_receipt": receipt.inbound_reference,
                         "expected": kept.warehouse_units, "received": dict(receipt.received),
                         "damaged": dict(receipt.damaged), "missing": dict(grading.missing)})
            return True
        sync_state.put(conn, tenant_id, key, kept.model_copy(
            update={"graded_by": WAREHOUSE}).model_dump_json(), now)
        ctx.defer(conn, DECIDE, DecideReturn(
            channel=channel_id, position_item_id=position_item_id,
            sales_order_id=kept.sales_order_id, accepted=grading.accepted,
            condition=grading.condition, reason=grading.reason))
        log.info("return graded by its receipt", channel=channel_id,
                 position_item=position_item_id, accepted=grading.accepted)
        return True

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
            for kind in (RETURN_EXPECTED, RETURN_DECISION_REFUSED, RETURN_INCOMPLETE):
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
        per_target(ctx, self.config, RECEIPTS, tick, "channels", self._receipts)

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


def _first_grader(conn: Connection, tenant_id: str, object_id: str, now: datetime) -> bool:
    """Whether this transaction is the first to grade the return. The claim locks the
    return's row until the transaction ends, so a receipt and an operator grading at the
    same moment are decided one after the other, not both first."""
    return effects.claim(conn, tenant_id, GRADER, object_id, now).attempts == 0


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
    if _first_grader(conn, tenant, _object_id(channel, position_item_id), now):
        # the warehouse's receipt no longer grades it
        sync_state.put(conn, tenant, _return_key(channel, position_item_id),
                       announced.model_copy(update={"graded_by": OPERATOR}).model_dump_json(),
                       now)
    return registry.defer(conn, now, DECIDE, tenant, request.model_dump())
