"""The warehouse floor: a pure in-memory model of a 3PL warehouse, without any protocol.

Both warehouse simulators (the REST one and the file/EDI one) sit on a :class:`Floor`.
Orders move ``received -> allocated -> picked -> packed -> shipped`` after the configured
delays on the floor's :class:`ManualClock`; nothing happens until the clock is advanced
(``advance(seconds)``), except steps whose delay is zero, which run at once. Picking may
come up short, packing may split an order into several parcels, both from a seeded
random source so a scenario replays identically. Everything that happens is appended to
an event log (:meth:`Floor.events`) and handed to subscribed listeners after each call.

The floor is thread-safe: one lock guards its state, and listeners are called after the
lock is released so they may call back into the floor.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from marketdock.sandbox.warehouse import events as ev
from marketdock.sandbox.warehouse.clock import ManualClock
from marketdock.sandbox.warehouse.config import FloorConfig
from marketdock.sandbox.warehouse.model import (
    CANCELLABLE,
    Address,
    DuplicateReference,
    FloorError,
    Inbound,
    LineRequest,
    NotCancellable,
    Order,
    OrderLine,
    OrderStatus,
    Parcel,
    ReturnItem,
    ReturnReceipt,
    StockLevel,
    UnknownReference,
)
from marketdock.sandbox.warehouse.packing import (
    TrackingPool,
    extra_boxes,
    parcel_contents,
    parcel_count,
    parcel_weight,
)
from marketdock.sandbox.warehouse.receiving import ReceivingDesk
from marketdock.sandbox.warehouse.stock import StockBook

Listener = Callable[[Sequence[ev.FloorEvent]], None]

# step -> the order status it expects; a queued step whose order moved on is skipped
_STEPS = {
    "allocate": OrderStatus.RECEIVED,
    "pick": OrderStatus.ALLOCATED,
    "pack": OrderStatus.PICKED,
    "ship": OrderStatus.PACKED,
}
_GROWTH = frozenset({"set", "adjust", "release", "inbound", "return"})


class Floor:
    def __init__(self, config: FloorConfig | None = None, clock: ManualClock | None = None):
        self.config = config or FloorConfig()
        self.clock = clock or ManualClock()
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._init_state()

    def _init_state(self) -> None:
        cfg = self.config
        self._rng = random.Random(cfg.seed)
        self._log: list[ev.FloorEvent] = []
        self._unsent: list[ev.FloorEvent] = []
        self._stock = StockBook(self._stock_changed)
        self._orders: dict[str, Order] = {}
        self._by_id: dict[int, str] = {}
        self._next_order_id = 100001
        self._next_parcel_id = 500001
        self._tracking = TrackingPool(self._rng)
        self._queue: list[tuple[datetime, int, str, str]] = []
        self._tiebreak = itertools.count()
        self._backorders: dict[str, None] = {}  # insertion-ordered set
        self._stock_grew = False
        self._desk = ReceivingDesk(
            self._stock, self._emit, self.clock.now, self._rng, self._schedule,
            receive_delay=cfg.inbound_receive_delay,
            short_rate=cfg.inbound_short_rate,
            damage_rate=cfg.inbound_damage_rate,
        )

    # --- plumbing -----------------------------------------------------------------

    @contextmanager
    def _operation(self) -> Iterator[None]:
        with self._lock:
            yield
            self._run_due(self.clock.now())
            batch, self._unsent = self._unsent, []
        for listener in list(self._listeners):
            listener(batch)

    def _emit(self, cls: type[ev.FloorEvent], **fields: Any) -> ev.FloorEvent:
        event = cls(seq=len(self._log) + 1, at=self.clock.now(), **fields)
        self._log.append(event)
        self._unsent.append(event)
        return event

    def _stock_changed(self, level: StockLevel, reason: str, reference: str) -> None:
        if reason in _GROWTH:
            self._stock_grew = True
        self._emit(
            ev.StockChanged, sku=level.sku, on_hand=level.on_hand, allocated=level.allocated,
            blocked=level.blocked, available=level.available, reason=reason, reference=reference,
        )

    def _schedule(self, delay: float, step: str, key: str) -> None:
        due = self.clock.now() + timedelta(seconds=delay)
        heapq.heappush(self._queue, (due, next(self._tiebreak), step, key))

    def _run_due(self, until: datetime) -> None:
        while True:
            if self._stock_grew:
                self._stock_grew = False
                for reference in list(self._backorders):
                    self._allocate(reference)
            if not self._queue or self._queue[0][0] > until:
                break
            due, _, step, key = heapq.heappop(self._queue)
            self.clock.move_to(due)
            if step == "inbound":
                self._desk.auto_receive(key)
            elif self._orders[key].status is _STEPS[step]:
                getattr(self, f"_{step}")(key)
        self.clock.move_to(until)

    def _set_status(self, order: Order, status: OrderStatus, **changes: Any) -> Order:
        now = self.clock.now()
        order = replace(
            order, status=status, updated_at=now, history=(*order.history, (status, now)),
            **changes,
        )
        self._orders[order.reference] = order
        return order

    # --- time and events ----------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def advance(self, seconds: float) -> list[ev.FloorEvent]:
        """Let ``seconds`` pass: run every step falling due, in time order."""
        if seconds < 0:
            raise FloorError(f"cannot advance the floor by {seconds} s")
        with self._operation():
            start = len(self._log)
            self._run_due(self.clock.now() + timedelta(seconds=seconds))
            emitted = self._log[start:]
        return emitted

    def events(self, after: int = 0) -> list[ev.FloorEvent]:
        """The event log from sequence number ``after + 1`` on."""
        with self._lock:
            return self._log[after:]

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with the new events after every floor operation."""
        self._listeners.append(listener)

    def reset(self) -> None:
        """Forget all stock, orders, receipts and events (listeners stay subscribed)."""
        with self._lock:
            self._init_state()

    # --- stock --------------------------------------------------------------------

    def set_stock(
        self, sku: str, on_hand: int, *, blocked: int | None = None, name: str = ""
    ) -> StockLevel:
        with self._operation():
            return self._stock.set(sku, on_hand, blocked, name)

    def adjust_stock(self, sku: str, delta: int, *, blocked: int = 0) -> StockLevel:
        """Add (or remove) units on hand, e.g. after a cycle count."""
        with self._operation():
            return self._stock.change(sku, "adjust", on_hand=delta, blocked=blocked)

    def define_kit(self, sku: str, components: Mapping[str, int]) -> None:
        """Declare ``sku`` a kit (bundle): ordering one unit consumes its components."""
        with self._operation():
            self._stock.define_kit(sku, components)

    def stock(self, sku: str) -> StockLevel:
        with self._lock:
            return self._stock.level(sku)

    def stock_levels(self) -> list[StockLevel]:
        with self._lock:
            return self._stock.levels()

    def stock_by_inventory_id(self, inventory_id: int) -> StockLevel:
        with self._lock:
            return self._stock.by_inventory_id(inventory_id)

    def ensure_sku(self, sku: str, name: str = "") -> StockLevel:
        """Register a SKU (no stock) so it gets an inventory id."""
        with self._operation():
            return self._stock.ensure(sku, name)

    def kits(self) -> dict[str, tuple[tuple[str, int], ...]]:
        with self._lock:
            return self._stock.kits()

    def kit_available(self, sku: str) -> int:
        with self._lock:
            return self._stock.kit_available(sku)

    # --- orders -------------------------------------------------------------------

    def receive_order(
        self,
        reference: str,
        lines: Sequence[LineRequest],
        *,
        ship_to: Address | None = None,
        shipping_method: str = "Standard",
        channel: str = "",
        gift_message: str = "",
    ) -> Order:
        """Accept an order. The reference is unique: a second order with it is refused
        with :class:`DuplicateReference` naming the first order's id."""
        with self._operation():
            if not reference or not reference.strip():
                raise FloorError("an order needs a reference")
            if reference in self._orders:
                existing = self._orders[reference]
                raise DuplicateReference(
                    f"order reference {reference!r} already exists as order "
                    f"{existing.order_id}", order_id=existing.order_id,
                )
            order = Order(
                order_id=self._next_order_id,
                reference=reference,
                lines=self._order_lines(reference, lines),
                status=OrderStatus.RECEIVED,
                received_at=self.clock.now(),
                updated_at=self.clock.now(),
                shipping_method=shipping_method,
                ship_to=ship_to,
                channel=channel,
                gift_message=gift_message,
                first_parcel_id=self._next_parcel_id,
                history=((OrderStatus.RECEIVED, self.clock.now()),),
            )
            self._next_order_id += 1
            self._next_parcel_id += 1
            self._orders[reference] = order
            self._by_id[order.order_id] = reference
            self._emit(ev.OrderReceived, reference=reference)
            self._schedule(self.config.allocate_delay, "allocate", reference)
        return self._orders[reference]

    def _order_lines(self, reference: str, lines: Sequence[LineRequest]) -> tuple[OrderLine, ...]:
        if not lines:
            raise FloorError(f"order {reference!r} has no lines")
        built: list[OrderLine] = []
        for position, line in enumerate(lines, start=1):
            where = f"order {reference!r} line {position}"
            if line.quantity < 1:
                raise FloorError(f"{where}: quantity {line.quantity} must be >= 1")
            if not line.sku.strip():
                raise FloorError(f"{where}: SKU is empty")
            line_id = line.line_id or str(position)
            if any(b.line_id == line_id for b in built):
                raise FloorError(f"{where}: line id {line_id!r} is used twice")
            built.append(OrderLine(line_id=line_id, sku=line.sku, quantity=line.quantity,
                                   name=line.name, components=self._stock.composition(line.sku)))
        for order_line in built:
            if not order_line.is_kit:
                self._stock.ensure(order_line.sku, order_line.name)
        return tuple(built)

    def order(self, reference: str) -> Order:
        with self._lock:
            if reference not in self._orders:
                raise UnknownReference(f"no order with reference {reference!r}")
            return self._orders[reference]

    def order_by_id(self, order_id: int) -> Order:
        with self._lock:
            if order_id not in self._by_id:
                raise UnknownReference(f"no order with id {order_id}")
            return self._orders[self._by_id[order_id]]

    def orders(self) -> list[Order]:
        with self._lock:
            return list(self._orders.values())

    def cancel_order(self, reference: str) -> Order:
        """Cancel an order that is not yet packed; its stock is released."""
        with self._operation():
            order = self.order(reference)
            if order.status not in CANCELLABLE:
                raise NotCancellable(
                    f"order {reference!r} is {order.status}; only orders not yet packed "
                    "can be cancelled"
                )
            if order.status in (OrderStatus.ALLOCATED, OrderStatus.PICKED):
                for line in order.lines:
                    units = line.quantity if line.picked is None else line.picked
                    for sku, per in line.components:
                        if units:
                            self._stock.change(sku, "release", reference, allocated=-units * per)
            self._backorders.pop(reference, None)
            self._set_status(order, OrderStatus.CANCELLED)
            self._emit(ev.OrderCancelled, reference=reference, previous_status=order.status)
        return self._orders[reference]

    # --- the steps ------------------------------------------------------------------

    def _allocate(self, reference: str) -> None:
        order = self._orders[reference]
        needs = [(sku, per * line.quantity) for line in order.lines for sku, per in line.components]
        missing = self._stock.shortfall(needs)
        if missing:
            if order.status is OrderStatus.RECEIVED:
                self._set_status(order, OrderStatus.BACKORDERED)
                self._backorders[reference] = None
                self._emit(ev.OrderBackordered, reference=reference,
                           missing=tuple(missing.items()))
            return
        for sku, qty in needs:
            self._stock.change(sku, "allocate", reference, allocated=qty)
        self._backorders.pop(reference, None)
        self._set_status(order, OrderStatus.ALLOCATED)
        self._emit(ev.OrderAllocated, reference=reference)
        self._schedule(self.config.pick_delay, "pick", reference)

    def _pick(self, reference: str) -> None:
        order = self._orders[reference]
        lines = []
        for line in order.lines:
            picked, short_sku = line.quantity, ""
            if self._rng.random() < self.config.short_pick_rate:
                missing = self._rng.randint(1, line.quantity)
                picked = line.quantity - missing
                short_sku = self._rng.choice([sku for sku, _ in line.components])
                self._write_off_short(reference, line, missing, short_sku)
                self._emit(ev.ShortPicked, reference=reference, line_id=line.line_id,
                           sku=line.sku, ordered=line.quantity, picked=picked,
                           missing_sku=short_sku)
            lines.append(replace(line, picked=picked, short_sku=short_sku))
        if not any(line.picked for line in lines):
            self._set_status(order, OrderStatus.SHORT_CLOSED, lines=tuple(lines))
            self._emit(ev.OrderClosedShort, reference=reference)
            return
        self._set_status(order, OrderStatus.PICKED, lines=tuple(lines))
        self._emit(ev.OrderPicked, reference=reference)
        self._schedule(self.config.pack_delay, "pack", reference)

    def _write_off_short(self, reference: str, line: OrderLine, missing: int, sku: str) -> None:
        """Release the missing units' allocation; the missing SKU's units were not there,
        so they leave on-hand (and, when the bin is found empty, its free units too)."""
        for component, per in line.components:
            units = missing * per
            if component != sku:
                self._stock.change(component, "release", reference, allocated=-units)
                continue
            free = self._stock.level(sku).available if self.config.short_pick_empties_bin else 0
            self._stock.change(sku, "short_pick", reference,
                               allocated=-units, on_hand=-(units + free))

    def _pack(self, reference: str) -> None:
        order = self._orders[reference]
        cfg = self.config
        picked = sum(line.picked or 0 for line in order.lines)
        count = parcel_count(picked, cfg.max_items_per_parcel, cfg.split_probability,
                             cfg.max_extra_parcels, self._rng)
        carrier = cfg.carrier_for(order.shipping_method,
                                  order.ship_to.country if order.ship_to else "")
        parcels = []
        for index, lines in enumerate(parcel_contents(order, count)):
            parcel_id = order.first_parcel_id
            if index:
                parcel_id, self._next_parcel_id = self._next_parcel_id, self._next_parcel_id + 1
            boxes = extra_boxes(order, lines, cfg.boxes_per_unit)
            parcels.append(Parcel(
                parcel_id=parcel_id, order_reference=reference, carrier=carrier,
                tracking_number=self._tracking.new(carrier.tracking_pattern), lines=lines,
                packed_at=self.clock.now(), weight_g=parcel_weight(order, lines, cfg.unit_weight_g),
                more_tracking_numbers=tuple(self._tracking.new(carrier.tracking_pattern)
                                            for _ in range(boxes)),
            ))
        self._set_status(order, OrderStatus.PACKED, parcels=tuple(parcels))
        self._emit(ev.OrderPacked, reference=reference,
                   parcel_ids=tuple(p.parcel_id for p in parcels))
        self._schedule(cfg.ship_delay, "ship", reference)

    def _ship(self, reference: str) -> None:
        order = self._orders[reference]
        now = self.clock.now()
        shipped = []
        for parcel in order.parcels:
            for pl in parcel.lines:
                for sku, per in order.line(pl.line_id).components:
                    units = pl.quantity * per
                    self._stock.change(sku, "ship", reference, on_hand=-units, allocated=-units)
            shipped.append(replace(parcel, shipped_at=now))
        order = self._set_status(order, OrderStatus.SHIPPED, parcels=tuple(shipped))
        for parcel in shipped:
            self._emit(ev.ParcelShipped, reference=reference, parcel=parcel)
        complete = all(line.short == 0 for line in order.lines)
        self._emit(ev.OrderShipped, reference=reference, complete=complete)

    # --- goods in -------------------------------------------------------------------

    def announce_inbound(
        self, reference: str, lines: Mapping[str, int], *,
        expected_at: datetime | None = None, po_number: str = "",
    ) -> Inbound:
        """Register an advance shipping notice (ASN) for stock on its way in."""
        with self._operation():
            return self._desk.announce_inbound(
                reference, lines, expected_at=expected_at, po_number=po_number
            )

    def receive_inbound(
        self, reference: str, received: Mapping[str, int] | None = None, *,
        damaged: Mapping[str, int] | None = None,
    ) -> Inbound:
        """Book the receipt of an ASN; differences to the notice become discrepancies."""
        with self._operation():
            return self._desk.receive_inbound(reference, received, damaged=damaged)

    def cancel_inbound(self, reference: str) -> Inbound:
        with self._operation():
            return self._desk.cancel_inbound(reference)

    def inbound(self, reference: str) -> Inbound:
        with self._lock:
            return self._desk.inbound(reference)

    def inbounds(self) -> list[Inbound]:
        with self._lock:
            return self._desk.inbounds()

    def expect_return(
        self, reference: str, order_reference: str, lines: Mapping[str, int]
    ) -> ReturnReceipt:
        """Announce a customer return (expected receipt)."""
        with self._operation():
            return self._desk.expect_return(reference, order_reference, lines)

    def receive_return(
        self, reference: str, items: Sequence[ReturnItem], *, order_reference: str = ""
    ) -> ReturnReceipt:
        """Book returned units by grade: sellable ones become pickable, damaged or
        defective ones are blocked, disposed ones never enter stock."""
        with self._operation():
            return self._desk.receive_return(reference, items, order_reference)

    def return_receipt(self, reference: str) -> ReturnReceipt:
        with self._lock:
            return self._desk.return_receipt(reference)

    def returns(self) -> list[ReturnReceipt]:
        with self._lock:
            return self._desk.returns()
