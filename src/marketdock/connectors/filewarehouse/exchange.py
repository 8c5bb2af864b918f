"""What both file warehouse connectors share: sending a file, taking files in.

A dialect (X12 or CSV) supplies three things: the order document
(:meth:`FileExchange._order_file`), how to read a received file
(:meth:`FileExchange._read`) and, for X12, what a 997 does. This class does the rest:

- **Sending**: upload with atomic hand-over (``name.tmp``, then rename), record the file
  and the order reference in the ledger; a reference sent before is answered from the
  ledger, never sent twice.
- **Taking updates**: every complete file in ``outbound`` not in the ledger is read;
  a copy of a file already taken (same content) or of documents already taken (same
  business key) is recorded as a duplicate and archived; a file that cannot be read is
  recorded and archived as quarantined, and reported (nothing of it is applied, the
  files after it still flow). A good file is recorded ``pending`` and its packages
  handed to the flow with a cursor (the file's ledger row id). Only when the flow comes
  back with that cursor (it stores it in the transaction that applied the packages) is
  the file marked applied and archived; until then it is handed over again. Files are
  archived only after the ledger row that explains them is committed.
- **Taking stock**: the stock snapshots not yet taken are applied in time order from the
  newest full one on; a snapshot older than one applied before is stale.
- **Inbound**: a notice goes out like an order (its reference sent before is answered
  from the ledger); receipt files are taken like shipment files, with their own cursor:
  ``fetch_updates`` leaves them to ``fetch_receipts``, and each poll confirms only the
  kinds it handed over. A receipt file that cannot be read is quarantined and reported by
  ``fetch_updates``, like every unreadable file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

import structlog

from marketdock.connectors.csvfiles import content_hash
from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.filewarehouse.drop import Drop, DropOpener
from marketdock.connectors.ports import (
    CancelOutcome,
    Capability,
    InboundNotice,
    Quarantined,
    Receipt,
    ShippedPackage,
    ShortPick,
    StockSnapshot,
    WarehouseOrder,
    WarehousePort,
    WarehouseUpdates,
)
from marketdock.connectors.sftp import RemoteFileExists, RemoteFileNotFound, SftpFolders
from marketdock.connectors.x12 import FunctionalAck997
from marketdock.domain import StockPosition
from marketdock.errors import ParseError, RemoteError, ValidationError

log = structlog.get_logger("marketdock.filewarehouse")

EXCERPT = 200


Reply = Callable[[], tuple[str, bytes]]
"""Makes the answer to a received file: its name and bytes."""


ARCHIVE_NAMES = 20
"""Second names tried for a taken file whose name the archive holds already."""


@dataclass(frozen=True)
class Notice:
    """One shipment document of a received file, with the business key it is taken by."""

    key: str
    packages: tuple[ShippedPackage, ...] = ()
    short_picks: tuple[ShortPick, ...] = ()


@dataclass(frozen=True)
class ReceiptNotice:
    """One receipt document of a received file, with the business key it is taken by."""

    key: str
    receipt: Receipt


@dataclass(frozen=True)
class StockFile:
    key: str
    as_of: datetime
    full: bool
    positions: tuple[StockPosition, ...]


@dataclass(frozen=True)
class Refusal:
    """The warehouse refused a file we sent (a 997 rejecting it, a CSV error file)."""

    file: str
    reason: str


@dataclass(frozen=True)
class Received:
    """What a received file holds: notices, a stock snapshot, or answers to our files
    (997s; a CSV warehouse's error file, already read as ``refusals``)."""

    kind: str
    notices: tuple[Notice, ...] = ()
    stock: StockFile | None = None
    acks: tuple[FunctionalAck997, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    receipts: tuple[ReceiptNotice, ...] = ()
    reply: Reply | None = None
    """The answer to upload to ``inbound`` when the file is taken (a 997), made only
    then (so a file read again does not use up control numbers)."""


class FileRejected(ParseError):
    """A file read to its end, but rejected; ``reply`` still answers it (a 997 of
    rejected sets)."""

    def __init__(self, message: str, *, reply: Reply | None = None) -> None:
        super().__init__(message)
        self.reply = reply


@dataclass(frozen=True)
class SentDocument:
    """A file we sent, as the ledger knows it."""

    name: str
    group_control_number: str | None
    sent_at: datetime
    status: str
    note: str | None
    """What the warehouse said when it refused the file."""

    @classmethod
    def of(cls, file: lg.LedgerFile) -> SentDocument:
        return cls(file.name, file.control_number, file.created_at, file.status, file.error)


@dataclass(frozen=True)
class OrderFile:
    name: str
    data: bytes
    kind: str
    control_number: str | None = None
    status: str = lg.DONE
    """``sent`` when the warehouse is to acknowledge the file."""


@dataclass
class _Batch:
    packages: list[ShippedPackage] = field(default_factory=list)
    short_picks: list[ShortPick] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    last: int | None = None

    def add(self, notices: Sequence[Notice], row_id: int) -> None:
        for notice in notices:
            self.packages.extend(notice.packages)
            self.short_picks.extend(notice.short_picks)
        self.last = row_id if self.last is None else max(self.last, row_id)


class FileExchange(WarehousePort):
    capabilities = frozenset({Capability.SEND_ORDER, Capability.FETCH_UPDATES,
                              Capability.FETCH_STOCK})
    receipt_kinds: ClassVar[tuple[str, ...]] = ()
    """Ledger kinds of the receipt files the dialect reads (taken by ``fetch_receipts``)."""

    def __init__(self, opener: DropOpener, ledger: lg.FileLedger, folders: SftpFolders) -> None:
        self.opener = opener
        self.ledger = ledger
        self.folders = folders
        self.log = log.bind(tenant=ledger.tenant_id, warehouse=ledger.warehouse_id)

    # ------------------------------------------------------------------ dialect

    def _order_file(self, order: WarehouseOrder) -> OrderFile:
        raise NotImplementedError

    def _read(self, name: str, data: bytes) -> Received:
        """Read a file the warehouse sent; :class:`ParseError` when it cannot be."""
        raise NotImplementedError

    def _inbound_file(self, notice: InboundNotice) -> OrderFile:
        """The document announcing an inbound notice."""
        raise NotImplementedError

    def _overdue(self) -> list[Quarantined]:
        """Documents we sent whose acknowledgement is overdue (X12 only)."""
        return []

    def _acknowledged(self, acks: Sequence[FunctionalAck997]) -> list[Refusal]:
        """Apply 997s received (X12 only); the files they reject."""
        return []

    # ------------------------------------------------------------------ orders

    def send_order(self, order: WarehouseOrder) -> str:
        """Upload the order's file; return its name. An order sent before is not sent
        again: the name of its file is returned."""
        known = self.find_order(order.reference)
        if known is not None:
            return known
        return self._send(self._order_file(order), order_key(order.reference), "order")

    def _send(self, file: OrderFile, key: str, what: str) -> str:
        with self.opener() as drop:
            try:
                drop.upload(self.folders.inbound, file.name, file.data)
            except RemoteFileExists:
                self.log.warning(f"{what} file already on the drop", file=file.name, key=key)
        self.ledger.record(file.name, content_hash(file.data), file.kind, file.status,
                           direction=lg.OUT, keys=[key], control_number=file.control_number)
        self.log.info(f"{what} sent", file=file.name, key=key)
        return file.name

    def cancel_order(self, reference: str) -> CancelOutcome:
        """Ask the warehouse to cancel an order we sent: the cancellation file is uploaded
        once and the answer is REQUESTED, since a file's answer comes later, if at all.
        Whatever of the order still ships shows the cancellation came too late for it (the
        shipment flow says so); what was shipped before is known to the flows already.
        """
        self.require(Capability.CANCEL_ORDER)
        if self.find_order(reference) is None:
            return CancelOutcome.NOT_FOUND
        if self.ledger.file_for_key(cancel_key(reference)) is None:
            self._send(self._cancel_file(reference), cancel_key(reference), "cancellation")
        return CancelOutcome.REQUESTED

    def _cancel_file(self, reference: str) -> OrderFile:
        raise NotImplementedError

    def find_order(self, reference: str) -> str | None:
        """The name of the file that carried the order, if we sent it."""
        found = self.ledger.file_for_key(order_key(reference))
        return None if found is None else found.name

    def send_inbound(self, notice: InboundNotice) -> str:
        """Upload the notice's file; return its name. A reference sent before is not sent
        again: the name of its file is returned."""
        self.require(Capability.SEND_INBOUND)
        known = self.ledger.file_for_key(inbound_key(notice.reference))
        if known is not None:
            return known.name
        return self._send(self._inbound_file(notice), inbound_key(notice.reference),
                          "inbound notice")

    def rejected(self) -> list[SentDocument]:
        """Files we sent that the warehouse refused (wholly or in part), oldest first."""
        return [SentDocument.of(f) for f in self.ledger.sent([lg.REFUSED, lg.PARTIAL])]

    # ------------------------------------------------------------------ updates

    def fetch_updates(self, cursor: str | None) -> WarehouseUpdates:
        batch = _Batch()
        with self.opener() as drop:
            if cursor is not None:
                for name in self.ledger.confirm(_cursor(cursor),
                                                other_than=self.receipt_kinds):
                    self._archive(drop, name)
            pending = {name: f for name, f in self.ledger.pending().items()
                       if f.kind not in self.receipt_kinds}
            for remote in drop.list(self.folders.outbound):
                self._take_update(drop, remote.name, pending.get(remote.name), batch)
        batch.quarantined.extend(self._overdue())
        next_cursor = cursor if batch.last is None else str(batch.last)
        self.log.info("warehouse files taken", packages=len(batch.packages),
                 short_picks=len(batch.short_picks), quarantined=len(batch.quarantined))
        return WarehouseUpdates(batch.packages, batch.short_picks, next_cursor,
                                batch.quarantined)

    def _take_update(self, drop: Drop, name: str, pending: lg.LedgerFile | None,
                     batch: _Batch) -> None:
        data = drop.read(self.folders.outbound, name)
        digest = content_hash(data)
        if pending is not None and pending.content_hash == digest:
            # handed over again: the documents it was the first to carry
            keys = self.ledger.keys_of(digest)
            batch.add([n for n in self._read(name, data).notices if n.key in keys], pending.id)
            return
        if self._settled(drop, name, digest):
            return
        try:
            received = self._read(name, data)
        except ParseError as exc:
            self._quarantine(drop, name, data, digest, exc, batch)
            return
        if received.stock is not None or received.receipts:
            return  # fetch_stock or fetch_receipts takes it
        if received.acks or received.refusals or not received.notices:
            self._take_answers(drop, name, digest, received, batch)
            return
        known = self.ledger.known_keys(n.key for n in received.notices)
        fresh = [n for n in received.notices if n.key not in known]
        if not fresh:
            self._drop_duplicate(drop, name, digest, received.kind,
                                 f"every document was taken before: {sorted(known)}")
            return
        self._reply(drop, received.reply)
        row_id = self.ledger.record(name, digest, received.kind, lg.PENDING,
                                    keys=[n.key for n in fresh])
        batch.add(fresh, row_id)

    def _settled(self, drop: Drop, name: str, digest: str) -> bool:
        """True when the ledger already decided about this file (then it is archived,
        or recorded as a duplicate of another file)."""
        seen = self.ledger.file(name)
        if seen is not None and (seen.status != lg.QUARANTINED or seen.content_hash == digest):
            if seen.status != lg.PENDING:
                self._archive(drop, name)  # left on the drop by an earlier failure
            return True
        twin = self.ledger.with_hash(digest)
        if twin is not None and twin.name != name:
            self._drop_duplicate(drop, name, digest, twin.kind, f"same content as {twin.name}")
            return True
        return False

    def _quarantine(self, drop: Drop, name: str, data: bytes, digest: str, exc: ParseError,
                    batch: _Batch) -> None:
        if isinstance(exc, FileRejected) and exc.reply is not None:
            self._reply(drop, exc.reply)
        reason = str(exc) if name in str(exc) else f"{name}: {exc}"
        self.ledger.record(name, digest, "unreadable", lg.QUARANTINED, error=reason)
        self._archive(drop, name)
        self.log.warning("warehouse file quarantined", file=name, reason=reason)
        batch.quarantined.append(Quarantined(
            reference=name, reason=reason, source=f"{self.folders.outbound}/{name}",
            excerpt=data[:EXCERPT].decode("utf-8", "backslashreplace")))

    def _drop_duplicate(self, drop: Drop, name: str, digest: str, kind: str,
                        why: str) -> None:
        self.ledger.record(name, digest, kind, lg.DUPLICATE, error=why)
        self._archive(drop, name)
        self.log.info("duplicate warehouse file dropped", file=name, why=why)

    def _take_answers(self, drop: Drop, name: str, digest: str, received: Received,
                      batch: _Batch) -> None:
        """Apply answers to our files (or a file with nothing to report) at once; a file
        of ours the warehouse refused is reported like a quarantined one."""
        refusals = [*self._acknowledged(received.acks), *received.refusals]
        for refusal in received.refusals:
            self.ledger.refuse(refusal.file, refusal.reason)
        self._reply(drop, received.reply)
        self.ledger.record(name, digest, received.kind, lg.APPLIED)
        self._archive(drop, name)
        for refusal in refusals:
            reason = f"the warehouse refused {refusal.file}: {refusal.reason}"
            self.log.warning("file refused by the warehouse", file=refusal.file,
                             reason=refusal.reason)
            batch.quarantined.append(Quarantined(
                reference=refusal.file, reason=reason,
                source=f"{self.folders.outbound}/{name}", kind="refused"))

    def _reply(self, drop: Drop, reply: Reply | None) -> None:
        if reply is None:
            return
        name, data = reply()
        try:
            drop.upload(self.folders.inbound, name, data)
        except RemoteFileExists:
            self.log.info("answer already on the drop", file=name)

    def _archive(self, drop: Drop, name: str) -> None:
        """Move a taken file to the archive (under a second name if the archive holds
        one of that name already)."""
        try:
            drop.move(name, self.folders.outbound, self.folders.archive)
        except RemoteFileNotFound:
            self.log.warning("taken file no longer on the drop", file=name)
        except RemoteFileExists:
            seen = self.ledger.file(name)
            stem = f"{name}.{seen.id if seen is not None else 'again'}"
            for attempt in range(1, ARCHIVE_NAMES + 1):
                try:
                    drop.rename(self.folders.outbound, name,
                                stem if attempt == 1 else f"{stem}-{attempt}",
                                to_folder=self.folders.archive)
                    return
                except RemoteFileExists:
                    continue
            raise RemoteFileExists(f"archive holds {name} and {ARCHIVE_NAMES} second names "
                                   f"of it already: clear {self.folders.archive}") from None

    # ------------------------------------------------------------------ receipts

    def fetch_receipts(self, cursor: str | None) -> tuple[Sequence[Receipt], str | None]:
        """Receipts of files not confirmed yet; the cursor (the last file's ledger row id)
        confirms them on the next call, and they are handed over again until then."""
        self.require(Capability.FETCH_INBOUND_RECEIPTS)
        receipts: list[Receipt] = []
        last: int | None = None
        with self.opener() as drop:
            if cursor is not None:
                for name in self.ledger.confirm(_cursor(cursor), kinds=self.receipt_kinds):
                    self._archive(drop, name)
            pending = {name: f for name, f in self.ledger.pending().items()
                       if f.kind in self.receipt_kinds}
            for remote in drop.list(self.folders.outbound):
                taken = self._take_receipts(drop, remote.name, pending.get(remote.name))
                if taken is not None:
                    row_id, found = taken
                    receipts.extend(found)
                    last = row_id if last is None else max(last, row_id)
        self.log.info("warehouse receipts taken", receipts=len(receipts))
        return receipts, cursor if last is None else str(last)

    def _take_receipts(self, drop: Drop, name: str, pending: lg.LedgerFile | None) -> \
            tuple[int, list[Receipt]] | None:
        data = drop.read(self.folders.outbound, name)
        digest = content_hash(data)
        if pending is not None and pending.content_hash == digest:
            keys = self.ledger.keys_of(digest)
            return pending.id, [n.receipt for n in self._read(name, data).receipts
                                if n.key in keys]
        if self.ledger.file(name) is not None:
            return None  # decided before (by this poll or another)
        try:
            received = self._read(name, data)
        except ParseError:
            return None  # fetch_updates quarantines it and reports it
        if not received.receipts or self._settled(drop, name, digest):
            return None
        known = self.ledger.known_keys(n.key for n in received.receipts)
        fresh = [n for n in received.receipts if n.key not in known]
        if not fresh:
            self._drop_duplicate(drop, name, digest, received.kind,
                                 f"every receipt was taken before: {sorted(known)}")
            return None
        self._reply(drop, received.reply)
        row_id = self.ledger.record(name, digest, received.kind, lg.PENDING,
                                    keys=[n.key for n in fresh])
        return row_id, [n.receipt for n in fresh]

    # ------------------------------------------------------------------ stock

    def fetch_stock(self) -> StockSnapshot:
        """The stock snapshots not taken before, merged from the newest full one on; when
        there is none, the last one taken (read again from the archive)."""
        taken: list[StockFile] = []
        with self.opener() as drop:
            for remote in drop.list(self.folders.outbound):
                stock = self._take_stock(drop, remote.name)
                if stock is not None:
                    taken.append(stock)
            if not taken:
                return self._last_snapshot(drop)
        return merge_snapshots(taken)

    def _take_stock(self, drop: Drop, name: str) -> StockFile | None:
        if self.ledger.file(name) is not None:
            return None
        data = drop.read(self.folders.outbound, name)
        digest = content_hash(data)
        try:
            received = self._read(name, data)
        except ParseError:
            return None  # fetch_updates quarantines it and reports it
        # answers to our files are fetch_updates' too: it reports refusals
        stock = received.stock
        if stock is None or self._settled(drop, name, digest):
            return None
        if self.ledger.known_keys([stock_key(stock.key)]):
            self._drop_duplicate(drop, name, digest, received.kind,
                                 f"snapshot {stock.key} was taken before")
            return None
        self._reply(drop, received.reply)
        latest = self.ledger.latest_key(AS_OF_PREFIX)
        if latest is not None and as_of_key(stock.as_of) < latest:
            self.ledger.record(name, digest, received.kind, lg.STALE,
                               error=f"older than the snapshot of {latest[len(AS_OF_PREFIX):]}")
            self._archive(drop, name)
            return None
        self.ledger.record(name, digest, received.kind, lg.APPLIED,
                           keys=[stock_key(stock.key), as_of_key(stock.as_of)])
        self._archive(drop, name)
        return stock

    def _last_snapshot(self, drop: Drop) -> StockSnapshot:
        latest = self.ledger.latest_key(AS_OF_PREFIX)
        source = None if latest is None else self.ledger.file_for_key(latest, lg.IN_KEY)
        if source is None:
            raise RemoteError("the warehouse has not sent a stock snapshot yet",
                              code="no_snapshot")
        stock = self._read(source.name, drop.read(self.folders.archive, source.name)).stock
        if stock is None:
            raise RemoteError(f"{source.name} holds no stock snapshot", code="no_snapshot")
        return merge_snapshots([stock])


AS_OF_PREFIX = "stock-at:"


def order_key(reference: str) -> str:
    return f"order:{reference}"


def whole_units(value: Decimal | None, what: str, where: str) -> int:
    """A quantity a warehouse document states as a count of units (absent: none);
    :class:`ParseError` naming the element and where it stands otherwise."""
    if value is None:
        return 0
    if value != value.to_integral_value() or value < 0:
        raise ParseError(f"{where}: {what} {value} is not a whole number of units")
    return int(value)


def cancel_key(reference: str) -> str:
    return f"cancel:{reference}"


def shipment_key(kind: str, reference: str, shipment_id: str) -> str:
    """The business key of one shipment document of an order."""
    return f"{kind}:{reference}:{shipment_id}"


def inbound_key(reference: str) -> str:
    return f"inbound:{reference}"


def stock_key(snapshot_id: str) -> str:
    return f"stock:{snapshot_id}"


def as_of_key(as_of: datetime) -> str:
    """A key that sorts by time (UTC, fixed width)."""
    return f"{AS_OF_PREFIX}{as_of.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"


def merge_snapshots(files: Sequence[StockFile]) -> StockSnapshot:
    """One snapshot from several, oldest first: from the newest full one on, each later
    delta replaces the positions it names."""
    ordered = sorted(files, key=lambda f: f.as_of)
    start = max((i for i, f in enumerate(ordered) if f.full), default=0)
    positions: dict[str, StockPosition] = {}
    for stock in ordered[start:]:
        for position in stock.positions:
            positions[position.sku] = position
    return StockSnapshot(positions=sorted(positions.values(), key=lambda p: p.sku),
                         full=ordered[start].full, as_of=ordered[-1].as_of)


def _cursor(cursor: str) -> int:
    try:
        return int(cursor)
    except ValueError:
        raise ValidationError(f"{cursor!r} is not a cursor of a file warehouse",
                              cursor=cursor) from None
