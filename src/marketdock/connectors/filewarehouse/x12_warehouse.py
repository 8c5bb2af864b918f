"""The X12 file warehouse: 940 and 943 out; 997, 945, 846 and 944 in; a 997 for every
interchange.

Every interchange the warehouse sends is answered with a 997 per functional group,
uploaded to ``inbound`` when the file is taken. An interchange from another partner
(not answered), with a set the element rules reject, or that cannot be read at all
(counts that do not add up, cut short) is quarantined as a whole; the 997 says which
sets were rejected (all of them, when the interchange cannot be read).

Every 940 and 943 we send waits for its 997: :meth:`X12FileWarehouse.unacknowledged` lists
those still waiting after the timeout; a 997 rejecting one is reported by
``fetch_updates`` (as a quarantined message naming our file) and listed by ``rejected``.

Cancelling sends a 940 with W05-01 ``F`` (waiting for its 997 like any 940). Whether the
warehouse stopped the order comes back only later, if at all, so
:meth:`~marketdock.connectors.filewarehouse.exchange.FileExchange.cancel_order` answers
REQUESTED.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.filewarehouse.drop import DropOpener
from marketdock.connectors.filewarehouse.exchange import (
    FileExchange,
    FileRejected,
    OrderFile,
    Received,
    Refusal,
    Reply,
    SentDocument,
)
from marketdock.connectors.filewarehouse.settings import X12Settings
from marketdock.connectors.filewarehouse.x12_mapping import (
    advice_943,
    cancel_940,
    notice_945,
    order_940,
    receipt_944,
    rejecting_997,
    stock_846,
)
from marketdock.connectors.ports import Capability, InboundNotice, Quarantined, WarehouseOrder
from marketdock.connectors.sftp import SftpFolders
from marketdock.connectors.x12 import (
    ControlNumbers,
    FunctionalAck997,
    Interchange,
    TransactionAck,
    X12ParseError,
    acknowledge_group,
    decode_846,
    decode_944,
    decode_945,
    decode_997,
    parse_interchange,
    write_940,
    write_943,
    write_997,
)
from marketdock.connectors.x12.tokenizer import tokenize
from marketdock.engine.clock import Clock
from marketdock.errors import ValidationError

KIND_940 = "x12:940"
KIND_943 = "x12:943"
ACKNOWLEDGED_KINDS = (KIND_940, KIND_943)
KINDS = {"945": "x12:945", "846": "x12:846", "997": "x12:997", "944": "x12:944"}


class X12FileWarehouse(FileExchange):
    name = "x12 file warehouse"
    capabilities = FileExchange.capabilities | {Capability.SEND_INBOUND,
                                                Capability.FETCH_INBOUND_RECEIPTS,
                                                Capability.CANCEL_ORDER}
    receipt_kinds = (KINDS["944"],)

    def __init__(self, opener: DropOpener, ledger: lg.FileLedger, folders: SftpFolders,
                 settings: X12Settings, numbers: ControlNumbers, clock: Clock,
                 zone: ZoneInfo, delta_report_type: str | None = None) -> None:
        super().__init__(opener, ledger, folders)
        self.settings = settings
        self.partner = settings.partner
        self.numbers = numbers
        self.clock = clock
        self.zone = zone
        self.delta_report_type = delta_report_type

    # ------------------------------------------------------------------ out

    def _order_file(self, order: WarehouseOrder) -> OrderFile:
        data = write_940([order_940(order, self.partner.delimiters)], self.partner,
                         self.numbers, at=self.clock.now())
        return self._sent_file(f"940_{safe_name(order.reference)}", data, KIND_940)

    def _cancel_file(self, reference: str) -> OrderFile:
        data = write_940([cancel_940(reference)], self.partner, self.numbers,
                         at=self.clock.now())
        return self._sent_file(f"940_cancel_{safe_name(reference)}", data, KIND_940)

    def _inbound_file(self, notice: InboundNotice) -> OrderFile:
        data = write_943([advice_943(notice, self.partner.delimiters, self.zone)],
                         self.partner, self.numbers, at=self.clock.now())
        return self._sent_file(f"943_{safe_name(notice.reference)}", data, KIND_943)

    def _sent_file(self, stem: str, data: bytes, kind: str) -> OrderFile:
        """An interchange of ours, named after its control number, waiting for its 997."""
        interchange = parse_interchange(data, encoding=self.partner.encoding)
        return OrderFile(name=f"{stem}_{interchange.control_number}.edi", data=data,
                         kind=kind, control_number=interchange.groups[0].control_number,
                         status=lg.SENT)

    def unacknowledged(self, now: datetime | None = None) -> list[SentDocument]:
        """Documents sent longer than the timeout ago without a 997, oldest first."""
        deadline = (now or self.clock.now()) - self.settings.ack_timeout
        return [SentDocument.of(f) for f in self.ledger.sent([lg.SENT], ACKNOWLEDGED_KINDS)
                if f.created_at <= deadline]

    def _overdue(self) -> list[Quarantined]:
        timeout = int(self.settings.ack_timeout.total_seconds() // 60)
        return [Quarantined(
            reference=doc.name, kind="unacknowledged", source=f"{self.folders.inbound}/{doc.name}",
            reason=f"no 997 for {doc.name} (group {doc.group_control_number}) sent "
                   f"{doc.sent_at:%Y-%m-%d %H:%M} UTC: the warehouse did not acknowledge it "
                   f"within {timeout} minutes; check that it arrived")
            for doc in self.unacknowledged()]

    # ------------------------------------------------------------------ in

    def _read(self, name: str, data: bytes) -> Received:
        try:
            interchange = parse_interchange(data, encoding=self.partner.encoding)
        except X12ParseError as exc:
            raise FileRejected(f"{name}: {exc}", reply=self._rejection(name, data, exc)) \
                from exc
        where = f"{name} (interchange {interchange.control_number})"
        groups = [g for g in interchange.groups if g.functional_id != "FA"]
        acks = [acknowledge_group(group) for group in groups]
        reply = self._reply_for(name, acks) if acks else None
        try:
            self.partner.check_inbound(interchange)
        except ValidationError as exc:
            raise FileRejected(f"{where}: {exc}") from None
        problems = [f"set {t.control_number} ({t.code}): {_problem(t)}"
                    for ack in acks for t in ack.transactions if t.status not in ("A", "E")]
        if problems:
            raise FileRejected(f"{where}: " + "; ".join(problems), reply=reply)
        return self._decode(interchange, where, reply)

    def _decode(self, interchange: Interchange, where: str, reply: Reply | None) -> Received:
        codes = {ts.code for ts in interchange.transactions()}
        if len(codes) != 1 or not codes <= set(KINDS):
            raise FileRejected(f"{where}: expected 945, 944, 846 or 997 sets (one kind per "
                               f"interchange), found {', '.join(sorted(codes)) or 'none'}",
                               reply=reply)
        (code,) = codes
        sets = list(interchange.transactions())
        if code == "997":
            return Received(KINDS[code], acks=tuple(decode_997(ts) for ts in sets))
        if code == "846":
            if len(sets) != 1:
                raise FileRejected(f"{where}: {len(sets)} 846 sets, expected one snapshot",
                                   reply=reply)
            stock = stock_846(decode_846(sets[0]), tenant_id=self.ledger.tenant_id,
                              warehouse_id=self.ledger.warehouse_id, zone=self.zone,
                              delta_report_type=self.delta_report_type,
                              where=f"{where}, set {sets[0].control_number}")
            return Received(KINDS[code], stock=stock, reply=reply)
        if code == "944":
            receipts = tuple(receipt_944(decode_944(ts), self.zone,
                                         f"{where}, set {ts.control_number}") for ts in sets)
            return Received(KINDS[code], receipts=receipts, reply=reply)
        notices = tuple(notice_945(decode_945(ts), self.zone, f"{where}, set {ts.control_number}")
                        for ts in sets)
        return Received(KINDS[code], notices=notices, reply=reply)

    def _reply_for(self, name: str, acks: Sequence[FunctionalAck997]) -> Reply:
        def make() -> tuple[str, bytes]:
            data = write_997(acks, self.partner, self.numbers, at=self.clock.now())
            return f"997_{name.rsplit('.', 1)[0]}.edi", data
        return make

    def _rejection(self, name: str, data: bytes, error: X12ParseError) -> Reply | None:
        """The 997 rejecting an interchange that cannot be read, when its header says it is
        from our partner and its groups can be found."""
        try:
            segments = tokenize(data, encoding=self.partner.encoding).segments
        except X12ParseError:
            return None
        isa = segments[0] if segments and segments[0].tag == "ISA" else None
        if isa is None or (isa.text(5).strip(), isa.text(6).strip()) != (
                self.partner.receiver_qualifier, self.partner.receiver_id):
            return None
        acks = rejecting_997(segments, error)
        return self._reply_for(name, acks) if acks else None

    def _acknowledged(self, acks: Sequence[FunctionalAck997]) -> list[Refusal]:
        refusals = []
        for ack in acks:
            note = "; ".join(f"set {t.control_number}: {_problem(t)}" for t in ack.transactions
                             if t.status not in ("A", "E")) or None
            names = self.ledger.acknowledge(ack.group_control_number, ack.status,
                                            ACKNOWLEDGED_KINDS, note)
            if not names:
                self.log.warning("997 for a group we did not send",
                                 group=ack.group_control_number)
            if ack.status not in ("A", "E"):
                refusals += [Refusal(name, f"997 status {ack.status}: {note or 'no detail'}")
                             for name in names]
        return refusals


def _problem(ack: TransactionAck) -> str:
    """Where a rejected set is wrong, from its AK3/AK4 notes."""
    parts = []
    for segment in ack.segments:
        elements = ", ".join(f"element {e.position} error {e.error_code}"
                             + (f" ({e.bad_value!r})" if e.bad_value else "")
                             for e in segment.elements)
        parts.append(f"segment {segment.segment_id} at position {segment.position}"
                     + (f" error {segment.error_code}" if segment.error_code else "")
                     + (f": {elements}" if elements else ""))
    return "; ".join(parts) or f"rejected ({', '.join(ack.error_codes) or 'no reason given'})"


def safe_name(reference: str) -> str:
    """A reference as a file-name part: letters, digits, ``-`` and ``_`` kept."""
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_"
                   for ch in reference)
