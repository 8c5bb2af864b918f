"""A 3PL that exchanges files over the SFTP drop, on the sandbox warehouse floor.

Each :meth:`FileWarehouse.step` (or :meth:`FileWarehouse.advance`, which also moves the
floor's clock) does what such a warehouse's batch job does:

1. takes every complete file from ``inbound`` (moving it to ``archive``), and applies the
   orders and inbound notices (943 sets, DESADV messages, ASN files) in it to the floor,
   and its cancellations (a 940 with W05-01 ``F``, an ORDERS with BGM function 1, a
   cancellations file) to orders not yet packed (a later one ships as usual); an X12
   interchange is answered with a 997 per group (sets the element rules reject are
   acknowledged as rejected and not applied); a file that cannot be read at all is
   applied not at all, and its error is kept in the state (and, for CSV, written back as
   ``<name>.error.txt``); a 997 from the hub acknowledges one of our documents;
2. writes a 945 (a DESADV, or a shipments CSV) for every order that finished (shipped,
   partly shipped, or closed short), a 944 (a RECADV, or a receipts CSV) for every
   inbound notice received, and a full stock snapshot (846, INVRPT or inventory CSV)
   every ``stock_every`` seconds of floor time. EDIFACT
   (:mod:`~marketdock.sandbox.filewarehouse.edifact_documents`) takes ORDERS and
   inbound notices as DESADV messages.

Inbound notices are received by the floor after its ``inbound_receive_delay``, or at once
through :meth:`FileWarehouse.receive_inbound`.

Fault switches (``FaultSwitches``, path ``/<document kind>``): ``duplicate_file`` writes a
document twice under two names, ``broken_file`` writes it cut in half, ``no_997`` never
acknowledges, ``late_997`` acknowledges ``delay`` floor-seconds late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from marketdock.connectors import csvfiles
from marketdock.connectors.x12 import (
    InMemoryControlNumbers,
    TradingPartner,
    parse_interchange,
    read_997,
    write_846,
    write_944,
    write_945,
    write_997,
)
from marketdock.connectors.x12.partner import ControlNumbers
from marketdock.errors import ParseError
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.filewarehouse import documents, edifact_documents
from marketdock.sandbox.sftp import DropFloor
from marketdock.sandbox.warehouse import Floor
from marketdock.sandbox.warehouse import events as ev
from marketdock.sandbox.warehouse.model import (
    DuplicateReference,
    NotCancellable,
    UnknownReference,
)

Dialect = Literal["x12", "edifact", "csv"]

SANDBOX_PARTNER = TradingPartner(sender_qualifier="ZZ", sender_id="MDSANDBOXWH",
                                 receiver_qualifier="ZZ", receiver_id="MARKETDOCK", usage="T")


@dataclass
class FileWarehouseState:
    applied: list[str] = field(default_factory=list)
    """Inbound files applied to the floor, in order."""
    rejected: dict[str, str] = field(default_factory=dict)
    """Inbound file → why nothing of it was applied."""
    sent: dict[str, str] = field(default_factory=dict)
    """Outbound file → its kind (945, 944, 846, 997, shipments, inventory)."""
    awaiting_ack: dict[str, str] = field(default_factory=dict)
    """Group control number → outbound file, for our X12 documents not yet acknowledged."""
    acknowledged: list[str] = field(default_factory=list)
    cancel_refused: dict[str, str] = field(default_factory=dict)
    """Order reference → why a cancellation could not stop it (it ships as usual)."""


class FileWarehouse:
    def __init__(self, floor: Floor, drop: DropFloor, *, dialect: Dialect,
                 partner: TradingPartner = SANDBOX_PARTNER,
                 numbers: ControlNumbers | None = None, faults: FaultSwitches | None = None,
                 warehouse_id: str = "sandbox", stock_every: float = 3600.0) -> None:
        self.floor = floor
        self.drop = drop
        self.dialect = dialect
        self.partner = partner
        self.numbers = numbers or InMemoryControlNumbers()
        self.faults = faults or FaultSwitches()
        self.warehouse_id = warehouse_id
        self.stock_every = timedelta(seconds=stock_every)
        self.state = FileWarehouseState()
        self._cursor = 0
        self._sequence = 0
        self._last_stock: datetime | None = None
        self._late_acks: list[tuple[datetime, str, bytes]] = []

    # ------------------------------------------------------------------ driving

    def advance(self, seconds: float) -> None:
        self.floor.advance(seconds)
        self.step()

    def step(self) -> None:
        for name in self.drop.files():
            self._receive(name, self.drop.take(name))
        self._flush_late_acks()
        for event in self.floor.events(self._cursor):
            self._cursor = event.seq
            if isinstance(event, ev.OrderShipped | ev.OrderClosedShort):
                self._report_order(event.reference)
            elif isinstance(event, ev.InboundReceived):
                self._report_receipt(event.reference)
        now = self.floor.now()
        if self._last_stock is None or now - self._last_stock >= self.stock_every:
            self.publish_stock()

    def receive_inbound(self, reference: str, received: Mapping[str, int] | None = None, *,
                        damaged: Mapping[str, int] | None = None) -> None:
        """Book the goods of an inbound notice in now (as announced unless ``received``
        says otherwise) and report the receipt."""
        self.floor.receive_inbound(reference, received, damaged=damaged)
        self.step()

    # ------------------------------------------------------------------ inbound

    def _receive(self, name: str, data: bytes) -> None:
        inbounds: list[documents.InboundRequest] = []
        requests: list[documents.OrderRequest] = []
        cancels: list[str] = []
        try:
            if self.dialect == "csv" and name.startswith(f"{csvfiles.ASN.prefix}_"):
                inbounds = documents.inbounds_from_csv(name, data)
            elif self.dialect == "csv" and name.startswith(f"{csvfiles.CANCELLATIONS.prefix}_"):
                cancels = documents.cancels_from_csv(name, data)
            elif self.dialect == "csv":
                requests = documents.orders_from_csv(name, data)
            elif self.dialect == "edifact":
                requests, cancels, inbounds = edifact_documents.documents_from_edifact(data)
            elif name.startswith("997"):
                self._acknowledged(name, data)
                return
            else:
                found = documents.documents_from_x12(data)
                requests, inbounds, cancels = found.orders, found.inbounds, found.cancels
                self._answer(name, write_997(found.acks, self.partner, self.numbers,
                                             at=self.floor.now()))
        except ParseError as exc:
            self.state.rejected[name] = str(exc)
            if self.dialect == "csv":
                self._publish(f"{name}.error.txt", str(exc).encode(), "error")
            return
        for request in requests:
            try:
                self.floor.receive_order(request.reference, request.lines,
                                         ship_to=request.ship_to,
                                         shipping_method=request.shipping_method)
            except DuplicateReference:
                continue  # a warehouse takes an order reference once
        for reference in cancels:
            try:
                self.floor.cancel_order(reference)
            except (NotCancellable, UnknownReference) as exc:
                # too late (packed or shipped): the shipment advice tells the depositor
                self.state.cancel_refused[reference] = str(exc)
        for inbound in inbounds:
            try:
                self.floor.announce_inbound(inbound.reference, inbound.lines,
                                            expected_at=inbound.expected_at,
                                            po_number=inbound.po_number)
            except DuplicateReference:
                continue  # and a notice reference once
        self.state.applied.append(name)

    def _acknowledged(self, name: str, data: bytes) -> None:
        for ack in read_997(data):
            group = ack.group_control_number
            if group in self.state.awaiting_ack:
                self.state.acknowledged.append(self.state.awaiting_ack.pop(group))
        self.state.applied.append(name)

    def _answer(self, inbound: str, ack: bytes) -> None:
        if self.faults.fire("no_997", "/997"):
            return
        late = self.faults.fire("late_997", "/997")
        name = f"997_{inbound.rsplit('.', 1)[0]}.edi"
        if late:
            self._late_acks.append((self.floor.now() + timedelta(seconds=late.delay), name, ack))
            return
        self._publish(name, ack, "997", track=False)

    def _flush_late_acks(self) -> None:
        now, waiting = self.floor.now(), []
        for due, name, ack in self._late_acks:
            if due <= now:
                self._publish(name, ack, "997", track=False)
            else:
                waiting.append((due, name, ack))
        self._late_acks = waiting

    # ------------------------------------------------------------------ outbound

    def _report_order(self, reference: str) -> None:
        order = self.floor.order(reference)
        now = self.floor.now()
        self._sequence += 1
        if self.dialect == "x12":
            data = write_945([documents.advice_945(order, now)], self.partner, self.numbers,
                             at=now)
            self._publish(f"945_{self._safe(reference)}_{self._sequence:06d}.edi", data, "945")
        elif self.dialect == "edifact":
            data = edifact_documents.desadv_file(order, now, self.numbers.next_interchange())
            self._publish(f"DESADV_{self._safe(reference)}_{self._sequence:06d}.edi", data,
                          "desadv")
        else:
            rows = documents.shipments_csv(order, f"msg-{self._sequence}")
            self._publish(csvfiles.SHIPMENTS.file_name(now, self._sequence),
                          csvfiles.write_csv(csvfiles.SHIPMENTS, rows), "shipments")

    def _report_receipt(self, reference: str) -> None:
        now = self.floor.now()
        self._sequence += 1
        inbound = self.floor.inbound(reference)
        if self.dialect == "edifact":
            data = edifact_documents.recadv_file(inbound, now, self.numbers.next_interchange())
            self._publish(f"RECADV_{self._safe(reference)}_{self._sequence:06d}.edi", data,
                          "recadv")
            return
        if self.dialect == "csv":
            rows = documents.receipts_csv(inbound, f"msg-{self._sequence}")
            self._publish(csvfiles.RECEIPTS.file_name(now, self._sequence),
                          csvfiles.write_csv(csvfiles.RECEIPTS, rows), "receipts")
            return
        data = write_944([documents.receipt_944(inbound)], self.partner, self.numbers, at=now)
        self._publish(f"944_{self._safe(reference)}_{self._sequence:06d}.edi", data, "944")

    def publish_stock(self) -> str:
        """Write a full stock snapshot now; return its file name."""
        now = self.floor.now()
        self._last_stock = now
        self._sequence += 1
        levels = self.floor.stock_levels()
        if self.dialect == "x12":
            data = write_846([documents.inventory_846(levels, now)], self.partner,
                             self.numbers, at=now)
            name = f"846_{now:%Y%m%dT%H%M%S}_{self._sequence:06d}.edi"
            self._publish(name, data, "846")
        elif self.dialect == "edifact":
            name = f"INVRPT_{now:%Y%m%dT%H%M%S}_{self._sequence:06d}.edi"
            data = edifact_documents.invrpt_file(levels, now, self.numbers.next_interchange())
            self._publish(name, data, "invrpt")
        else:
            rows = documents.inventory_csv(levels, now, self.warehouse_id)
            name = csvfiles.INVENTORY_FULL.file_name(now, self._sequence)
            self._publish(name, csvfiles.write_csv(csvfiles.INVENTORY_FULL, rows), "inventory")
        return name

    def _publish(self, name: str, data: bytes, kind: str, *, track: bool = True) -> None:
        if track and self.dialect == "x12" and kind in ("945", "944", "846"):
            self.state.awaiting_ack[parse_interchange(data).groups[0].control_number] = name
        if self.faults.fire("broken_file", f"/{kind}"):
            data = data[: len(data) // 2]
        self.drop.publish(name, data)
        self.state.sent[name] = kind
        if self.faults.fire("duplicate_file", f"/{kind}"):
            twin = f"dup_{name}"
            self.drop.publish(twin, data)
            self.state.sent[twin] = kind

    @staticmethod
    def _safe(reference: str) -> str:
        return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in reference)
