"""The inbound flow: stock announced to a warehouse, and what the warehouse received.

Tasks:

- ``inbound.send`` (a notice for one warehouse): announce the goods through the effects
  ledger. The notice is kept (in ``sync_state``, by warehouse and reference) so its
  receipt can be compared with it later. A warehouse cannot be asked whether an earlier
  attempt arrived, so a retry sends the same reference again and relies on the connector:
  every connector answers a repeated reference with the existing notice, never a twin;
- ``inbound`` (a flow tick per warehouse): read the receipts booked since the last run,
  record each once (per notice and receipt number) in the audit log and, when the sellable
  units received over all the notice's receipts so far differ from the notice, open an
  ``inbound_discrepancy`` exception naming the SKUs and the differences (resolved when a
  later receipt makes up the difference).

Damaged units are on hand at the warehouse but cannot be sold, so they count as missing
in the comparison; the exception names them separately.

A receipt may answer a customer return the returns flow announced as an expected receipt
(an ``inbound.send`` of its own): the flow's ``returns`` hook takes such a receipt and
grades the return by it, so it is recorded here but never compared as a discrepancy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace

import pydantic
import structlog
from sqlalchemy.engine import Connection

from marketdock.config import Config
from marketdock.connectors.ports import Capability, InboundLine, InboundNotice, Receipt
from marketdock.engine import audit, effects
from marketdock.engine.tasks import TaskRegistry
from marketdock.engine.worker import JobContext
from marketdock.errors import InputError, RemoteError
from marketdock.flows.ports import Ports
from marketdock.flows.store import sync_state
from marketdock.flows.ticks import FlowTick, per_target
from marketdock.monitor import exceptions

FLOW = "inbound"
SEND = "inbound.send"

EFFECT = "warehouse_inbound"
OBJECT = "inbound"
INBOUND_DISCREPANCY = "inbound_discrepancy"
INBOUND_REJECTED = "inbound_rejected"
INBOUND_BY_HAND = "inbound_by_hand"

log = structlog.get_logger("marketdock.inbound")

ReturnReceipts = Callable[[Connection, JobContext, str, Receipt], bool]
"""Takes (connection, job, warehouse id, receipt) for a receipt that answers an expected
customer return, inside the receipt's transaction, and says whether it did."""


class NoticeLine(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    sku: str = pydantic.Field(min_length=1, max_length=100)
    quantity: int = pydantic.Field(ge=1)


class Notice(pydantic.BaseModel):
    """An inbound notice as a job payload and as it is kept for the receipt."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    reference: str = pydantic.Field(min_length=1, max_length=100)
    lines: tuple[NoticeLine, ...] = pydantic.Field(min_length=1)
    expected_at: pydantic.AwareDatetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    supplier: str | None = None

    def port(self) -> InboundNotice:
        return InboundNotice(
            reference=self.reference,
            lines=[InboundLine(sku=line.sku, quantity=line.quantity) for line in self.lines],
            expected_at=self.expected_at, carrier=self.carrier,
            tracking_number=self.tracking_number, supplier=self.supplier)

    def expected(self) -> dict[str, int]:
        units: dict[str, int] = {}
        for line in self.lines:
            units[line.sku] = units.get(line.sku, 0) + line.quantity
        return units


class SendInbound(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    warehouse: str = pydantic.Field(min_length=1, max_length=60)
    notice: Notice


def _object_id(warehouse: str, reference: str) -> str:
    return f"{warehouse}:{reference}"


def _notice_key(warehouse: str, reference: str) -> str:
    return f"inbound:{warehouse}:{reference}:notice"


def _received_key(warehouse: str, reference: str, receipt_id: str) -> str:
    return f"inbound:{warehouse}:{reference}:received:{receipt_id}"


def refused(conn: Connection, tenant_id: str, warehouse_id: str, reference: str) -> bool:
    """Whether the warehouse refused the notice of ``reference`` (and it was not sent
    since)."""
    effect = effects.find(conn, tenant_id, EFFECT, _object_id(warehouse_id, reference))
    return effect is not None and not effect.done and effect.attempts == 0


def _totals_key(warehouse: str, reference: str) -> str:
    """Everything received against a notice so far, over all its receipts."""
    return f"inbound:{warehouse}:{reference}:totals"


def _add(totals: Mapping[str, int], more: Mapping[str, int]) -> dict[str, int]:
    return {sku: totals.get(sku, 0) + more.get(sku, 0) for sku in sorted({*totals, *more})}


def _cursor_key(warehouse: str) -> str:
    return f"inbound:{warehouse}:receipts_cursor"


def differences(expected: Mapping[str, int], receipt: Receipt) -> dict[str, int]:
    """SKU → sellable units received minus units announced, for the SKUs that differ."""
    found: dict[str, int] = {}
    for sku in sorted(set(expected) | set(receipt.received) | set(receipt.damaged)):
        delta = receipt.received.get(sku, 0) - expected.get(sku, 0)
        if delta:
            found[sku] = delta
    return found


def _describe(diffs: Mapping[str, int], damaged: Mapping[str, int]) -> str:
    parts = []
    for sku, delta in diffs.items():
        text = f"{sku} {delta:+d}"
        if damaged.get(sku):
            text += f" ({damaged[sku]} damaged)"
        parts.append(text)
    return ", ".join(parts)


class InboundFlow:
    def __init__(self, config: Config, ports: Ports,
                 returns: ReturnReceipts | None = None) -> None:
        self.config = config
        self.ports = ports
        self.returns = returns

    # -------------------------------------------------------------- send

    def send(self, ctx: JobContext, request: SendInbound) -> None:
        now, tenant_id = ctx.clock.now(), ctx.job.tenant_id
        notice, warehouse_id = request.notice, request.warehouse
        self.config.tenant(tenant_id).warehouse(warehouse_id)  # an unknown one fails here
        object_id = _object_id(warehouse_id, notice.reference)
        with ctx.db.begin() as conn:
            kept = sync_state.get(conn, tenant_id, _notice_key(warehouse_id, notice.reference))
            if kept is None:
                sync_state.put(conn, tenant_id, _notice_key(warehouse_id, notice.reference),
                               notice.model_dump_json(), now)
            effect = effects.claim(conn, tenant_id, EFFECT, object_id, now)
        if kept is not None and Notice.model_validate_json(kept) != notice:
            self._rejected(ctx, None if effect.done else effect.id, object_id,
                           f"inbound notice {notice.reference} for warehouse {warehouse_id} "
                           "was already sent with other contents; send changes under a new "
                           "reference")
            return
        if effect.done:
            return
        warehouse = self.ports.warehouse(tenant_id, warehouse_id)
        if not warehouse.supports(Capability.SEND_INBOUND):
            with ctx.transaction() as conn:
                effects.refused(conn, effect.id, now)
                exceptions.open_exception(
                    conn, tenant_id=tenant_id, type=INBOUND_BY_HAND, object_type=OBJECT,
                    object_id=object_id, now=now,
                    reason=f"warehouse {warehouse_id} takes no inbound notice from the hub: "
                           f"announce {notice.reference} to the warehouse by hand")
            return
        try:
            remote_id = warehouse.send_inbound(notice.port())
        except RemoteError as exc:
            if exc.status is None or not 400 <= exc.status < 500 or exc.status == 429:
                raise
            self._rejected(ctx, effect.id, object_id,
                           f"warehouse {warehouse_id} refused inbound notice "
                           f"{notice.reference}: {exc}")
            return
        except InputError as exc:
            self._rejected(ctx, effect.id, object_id,
                           f"inbound notice {notice.reference} cannot go to warehouse "
                           f"{warehouse_id}: {exc}")
            return
        with ctx.transaction() as conn:
            effects.complete(conn, effect.id, remote_id, now)
            exceptions.resolve(conn, tenant_id=tenant_id, object_type=OBJECT,
                               object_id=object_id, type=INBOUND_REJECTED, now=now)
            audit.record(conn, tenant_id=tenant_id, object_type=OBJECT, object_id=object_id,
                         action="inbound:sent", system=warehouse_id, at=now, job_id=ctx.job.id,
                         details={"warehouse_inbound": remote_id,
                                  "lines": notice.expected()})
        log.info("inbound notice sent", warehouse=warehouse_id, reference=notice.reference,
                 warehouse_inbound=remote_id)

    def _rejected(self, ctx: JobContext, effect_id: int | None, object_id: str,
                  reason: str) -> None:
        """Open the rejection; ``effect_id``: the attempt to take back (nothing was sent)."""
        now = ctx.clock.now()
        with ctx.transaction() as conn:
            if effect_id is not None:
                effects.refused(conn, effect_id, now)
            exceptions.open_exception(conn, tenant_id=ctx.job.tenant_id, type=INBOUND_REJECTED,
                                      object_type=OBJECT, object_id=object_id, reason=reason,
                                      now=now)

    # -------------------------------------------------------------- receipts

    def tick(self, ctx: JobContext, tick: FlowTick) -> None:
        """Read one warehouse's receipts; a tick for no warehouse fans out to all."""
        per_target(ctx, self.config, FLOW, tick, "warehouses", self._receipts)

    def _receipts(self, ctx: JobContext, tenant_id: str, warehouse_id: str) -> None:
        warehouse = self.ports.warehouse(tenant_id, warehouse_id)
        if not warehouse.supports(Capability.FETCH_INBOUND_RECEIPTS):
            log.info("warehouse reports no receipts", warehouse=warehouse_id)
            return
        with ctx.db.read() as conn:
            cursor = sync_state.get(conn, tenant_id, _cursor_key(warehouse_id))
        receipts, next_cursor = warehouse.fetch_receipts(cursor)
        now = ctx.clock.now()
        with ctx.transaction() as conn:
            for receipt in receipts:
                self._record(conn, ctx, tenant_id, warehouse_id, receipt)
            if next_cursor is not None:
                sync_state.put(conn, tenant_id, _cursor_key(warehouse_id), next_cursor, now)
        log.info("inbound receipts read", warehouse=warehouse_id, receipts=len(receipts))

    def _record(self, conn: Connection, ctx: JobContext, tenant_id: str, warehouse_id: str,
                receipt: Receipt) -> None:
        """Record one receipt once (per notice and receipt number) and judge the notice by
        everything received against it so far: a notice delivered in parts is whole once
        its last receipt came."""
        now, reference = ctx.clock.now(), receipt.inbound_reference
        received_key = _received_key(warehouse_id, reference, receipt.receipt_id)
        if sync_state.get(conn, tenant_id, received_key) is not None:
            return  # reported again (a cursor lost): recorded already
        sync_state.put(conn, tenant_id, received_key, receipt.received_at.isoformat(), now)
        totals_key = _totals_key(warehouse_id, reference)
        before = json.loads(sync_state.get(conn, tenant_id, totals_key) or
                            '{"received": {}, "damaged": {}}')
        whole = replace(receipt, received=_add(before["received"], receipt.received),
                        damaged=_add(before["damaged"], receipt.damaged))
        sync_state.put(conn, tenant_id, totals_key, json.dumps(
            {"received": whole.received, "damaged": whole.damaged}), now)
        object_id = _object_id(warehouse_id, reference)
        kept = sync_state.get(conn, tenant_id, _notice_key(warehouse_id, reference))
        notice = Notice.model_validate_json(kept) if kept is not None else None
        diffs = None if notice is None else differences(notice.expected(), whole)
        audit.record(conn, tenant_id=tenant_id, object_type=OBJECT, object_id=object_id,
                     action="inbound:received", system=warehouse_id, at=now, job_id=ctx.job.id,
                     details={"receipt": receipt.receipt_id,
                              "received": dict(receipt.received),
                              "damaged": dict(receipt.damaged),
                              "received_at": receipt.received_at.isoformat(),
                              "announced": notice is not None,
                              "differences": diffs})
        if self.returns is not None and self.returns(conn, ctx, warehouse_id, whole):
            return  # a customer return: the returns flow grades it by its receipts
        if diffs:
            exceptions.open_exception(
                conn, tenant_id=tenant_id, type=INBOUND_DISCREPANCY, object_type=OBJECT,
                object_id=object_id, now=now,
                reason=f"warehouse {warehouse_id} received inbound {reference} with "
                       f"differences (received minus announced, over every receipt so "
                       f"far): {_describe(diffs, whole.damaged)}",
                details={"differences": diffs, "damaged": dict(whole.damaged)})
        elif notice is not None:
            exceptions.resolve(conn, tenant_id=tenant_id, object_type=OBJECT,
                               object_id=object_id, type=INBOUND_DISCREPANCY, now=now)
        if notice is None:
            log.info("receipt for an inbound the hub did not announce",
                     warehouse=warehouse_id, reference=reference)

    def register(self, registry: TaskRegistry) -> None:
        registry.register(FLOW, self.tick, payload=FlowTick,
                          queueing_lock=lambda t: t.queueing_key(FLOW))
        registry.register(SEND, self.send, payload=SendInbound, lock=_send_lock,
                          queueing_lock=_send_lock)


def _send_lock(request: SendInbound) -> str:
    return f"inbound:{request.warehouse}:{request.notice.reference}"
