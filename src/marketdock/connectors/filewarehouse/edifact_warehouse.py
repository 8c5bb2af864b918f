"""The EDIFACT (EANCOM D96A) file warehouse: ORDERS and inbound DESADV out; DESADV,
INVRPT and RECADV in.

Orders go out one interchange each (``ORDERS_<reference>_<UNB control reference>.edi``),
written in UNOC (ISO 8859-1); the interchange control references come from the
database, so a restart never reuses one. The warehouse's interchanges are read in the
character set their UNB names (UNOW as UTF-8, the others as ISO 8859-1): one holds
DESADV messages (each a notice, taken once by order and shipment) or one INVRPT (a full
stock snapshot) or RECADV messages (each a receipt, taken once by notice and receipt
number). An interchange that is not from our partner, whose envelope does not
add up (counts, control references, a file cut short), or with a message that cannot be
read is quarantined as a whole, its reason naming the file and the segment position.

Cancelling sends an ORDERS with BGM message function 1 (cancellation) naming the order;
as for X12, the answer comes later if at all, so ``cancel_order`` answers REQUESTED. A
CPS group with several ``GIN+BN`` numbers ships its lines in several boxes (one package,
several parcels).

An inbound notice goes out as a DESADV of its own
(``DESADV_<reference>_<UNB control reference>.edi``, BGM 351, the goods on their way to
the warehouse); the warehouse's RECADV answers it, naming it with ``RFF+AAK``.

Not offered, unlike X12: acknowledgements (no CONTRL or APERAK is sent or awaited).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from marketdock.connectors.edifact import (
    EdifactInterchange,
    EdifactParseError,
    MessageDraft,
    desadv_draft,
    orders_draft,
    parse_edifact,
    read_desadv,
    read_invrpt,
    read_recadv,
    write_edifact,
)
from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.filewarehouse.drop import DropOpener
from marketdock.connectors.filewarehouse.edifact_mapping import (
    cancel_message,
    despatch_notice,
    inbound_advice,
    orders_message,
    receiving_receipt,
    stock_report,
)
from marketdock.connectors.filewarehouse.exchange import (
    FileExchange,
    FileRejected,
    OrderFile,
    Received,
)
from marketdock.connectors.filewarehouse.settings import EdifactSettings
from marketdock.connectors.filewarehouse.x12_warehouse import safe_name
from marketdock.connectors.ports import Capability, InboundNotice, WarehouseOrder
from marketdock.connectors.sftp import SftpFolders
from marketdock.connectors.x12 import ControlNumbers
from marketdock.engine.clock import Clock
from marketdock.errors import ParseError, ValidationError

KIND_ORDERS = "edifact:ORDERS"
KIND_INBOUND = "edifact:DESADV-out"
"""Our despatch advices announcing inbound notices."""
KINDS = {"DESADV": "edifact:DESADV", "INVRPT": "edifact:INVRPT", "RECADV": "edifact:RECADV"}
ENCODING = "latin-1"
"""Of UNOC, the syntax marketdock writes."""
ENCODINGS = {"UNOW": "utf-8"}
"""Syntax identifiers not read as ISO 8859-1 (UNOA and UNOB are subsets of it)."""


class EdifactFileWarehouse(FileExchange):
    name = "edifact file warehouse"
    capabilities = FileExchange.capabilities | {Capability.CANCEL_ORDER,
                                                Capability.SEND_INBOUND,
                                                Capability.FETCH_INBOUND_RECEIPTS}
    receipt_kinds = (KINDS["RECADV"],)

    def __init__(self, opener: DropOpener, ledger: lg.FileLedger, folders: SftpFolders,
                 settings: EdifactSettings, numbers: ControlNumbers, clock: Clock,
                 zone: ZoneInfo) -> None:
        """``numbers`` hands out the UNB control references; ``zone`` is the warehouse's,
        for the days and times the messages name."""
        super().__init__(opener, ledger, folders)
        self.settings = settings
        self.numbers = numbers
        self.clock = clock
        self.zone = zone

    # ------------------------------------------------------------------ out

    def _order_file(self, order: WarehouseOrder) -> OrderFile:
        now = self.clock.now()
        return self._sent_file(orders_draft(orders_message(order, now, self.zone)),
                               f"order {order.reference}", order.reference, "ORDERS", now)

    def _cancel_file(self, reference: str) -> OrderFile:
        now = self.clock.now()
        return self._sent_file(orders_draft(cancel_message(reference, now, self.zone)),
                               f"order {reference}", reference, "ORDERS_cancel", now)

    def _inbound_file(self, notice: InboundNotice) -> OrderFile:
        now = self.clock.now()
        return self._sent_file(desadv_draft(inbound_advice(notice, now, self.zone)),
                               f"inbound notice {notice.reference}", notice.reference,
                               "DESADV", now, kind=KIND_INBOUND)

    def _sent_file(self, draft: MessageDraft, what: str, reference: str, stem: str,
                   now: datetime, kind: str = KIND_ORDERS) -> OrderFile:
        """One interchange of ours, named after ``reference`` and its control reference."""
        control = str(self.numbers.next_interchange())
        text = write_edifact([draft], sender=self.settings.sender,
                             recipient=self.settings.receiver, control_reference=control,
                             at=now.astimezone(self.zone).replace(tzinfo=None))
        try:
            data = text.encode(ENCODING)
        except UnicodeEncodeError as exc:
            raise ValidationError(f"{what}: {text[exc.start]!r} cannot be "
                                  "written in the UNOC character set (ISO 8859-1)",
                                  reference=reference) from None
        return OrderFile(name=f"{stem}_{safe_name(reference)}_{control}.edi", data=data,
                         kind=kind, control_number=control)

    # ------------------------------------------------------------------ in

    def _read(self, name: str, data: bytes) -> Received:
        interchange = self._parse(name, data)
        where = f"{name} (interchange {interchange.control_reference})"
        sender, recipient = interchange.sender[0], interchange.recipient[0]
        if (sender, recipient) != (self.settings.receiver_id, self.settings.sender_id):
            raise FileRejected(f"{where}: from {sender!r} to {recipient!r}, not from our "
                               f"partner {self.settings.receiver_id!r} to "
                               f"{self.settings.sender_id!r}")
        types = {message.type for message in interchange.messages}
        if len(types) != 1 or not types <= set(KINDS):
            raise FileRejected(f"{where}: expected DESADV, INVRPT or RECADV messages (one "
                               f"kind per interchange), found {', '.join(sorted(types))}")
        (kind,) = types
        try:
            if kind == "INVRPT":
                if len(interchange.messages) != 1:
                    raise FileRejected(f"{where}: {len(interchange.messages)} INVRPT "
                                       "messages, expected one snapshot")
                (message,) = interchange.messages
                stock = stock_report(read_invrpt(message), tenant_id=self.ledger.tenant_id,
                                     warehouse_id=self.ledger.warehouse_id, zone=self.zone,
                                     where=f"{where}, message {message.reference}")
                return Received(KINDS[kind], stock=stock)
            if kind == "RECADV":
                receipts = tuple(receiving_receipt(read_recadv(m), self.zone,
                                                   f"{where}, message {m.reference}")
                                 for m in interchange.messages)
                return Received(KINDS[kind], receipts=receipts)
            notices = tuple(despatch_notice(read_desadv(m), self.zone,
                                            f"{where}, message {m.reference}")
                            for m in interchange.messages)
        except EdifactParseError as exc:
            raise FileRejected(f"{where}: {exc}") from exc
        return Received(KINDS[kind], notices=notices)

    def _parse(self, name: str, data: bytes) -> EdifactInterchange:
        try:
            interchange = parse_edifact(data, encoding=ENCODING)
            encoding = ENCODINGS.get(interchange.syntax[0])
            return interchange if encoding is None else parse_edifact(data, encoding=encoding)
        except ParseError as exc:
            raise FileRejected(f"{name}: {exc}") from exc
