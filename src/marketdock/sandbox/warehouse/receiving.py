"""The floor's goods-in desk: inbound stock against an ASN, and customer returns."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from marketdock.sandbox.warehouse.events import InboundReceived, ReturnReceived
from marketdock.sandbox.warehouse.model import (
    DuplicateReference,
    FloorError,
    Inbound,
    InboundStatus,
    NotCancellable,
    ReceiptLine,
    ReturnItem,
    ReturnReceipt,
    UnknownReference,
)
from marketdock.sandbox.warehouse.stock import StockBook

Emit = Callable[..., Any]
Schedule = Callable[[float, str, str], None]


def _positive_lines(what: str, lines: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    if not lines:
        raise FloorError(f"{what} has no lines")
    for sku, qty in lines.items():
        if qty < 1:
            raise FloorError(f"{what}: SKU {sku!r} quantity {qty} must be >= 1")
    return tuple(sorted(lines.items()))


class ReceivingDesk:
    def __init__(
        self,
        stock: StockBook,
        emit: Emit,
        now: Callable[[], datetime],
        rng: random.Random,
        schedule: Schedule,
        *,
        receive_delay: float | None,
        short_rate: float,
        damage_rate: float,
    ) -> None:
        self._stock = stock
        self._emit = emit
        self._now = now
        self._rng = rng
        self._schedule = schedule
        self._receive_delay = receive_delay
        self._short_rate = short_rate
        self._damage_rate = damage_rate
        self._inbound: dict[str, Inbound] = {}
        self._returns: dict[str, ReturnReceipt] = {}
        self._next_inbound_id = 700001

    # --- inbound (ASN -> receipt) -------------------------------------------------

    def announce_inbound(
        self,
        reference: str,
        lines: Mapping[str, int],
        *,
        expected_at: datetime | None = None,
        po_number: str = "",
    ) -> Inbound:
        if not reference.strip():
            raise FloorError("an inbound notice needs a reference")
        if reference in self._inbound:
            raise DuplicateReference(f"inbound notice {reference!r} already exists")
        expected = _positive_lines(f"inbound notice {reference!r}", lines)
        for sku, qty in expected:
            self._stock.change(sku, "inbound_announced", reference, inbound=qty)
        inbound = Inbound(
            inbound_id=self._next_inbound_id,
            reference=reference,
            expected=expected,
            status=InboundStatus.AWAITING,
            created_at=self._now(),
            expected_at=expected_at,
            po_number=po_number,
        )
        self._next_inbound_id += 1
        self._inbound[reference] = inbound
        if self._receive_delay is not None:
            self._schedule(self._receive_delay, "inbound", reference)
        return inbound

    def receive_inbound(
        self,
        reference: str,
        received: Mapping[str, int] | None = None,
        *,
        damaged: Mapping[str, int] | None = None,
    ) -> Inbound:
        """Book a receipt. ``received`` counts good units per SKU (default: as
        announced, less damaged); ``damaged`` units go on hand but blocked."""
        inbound = self.inbound(reference)
        if inbound.status is not InboundStatus.AWAITING:
            raise FloorError(f"inbound notice {reference!r} is {inbound.status}, not awaiting")
        expected = dict(inbound.expected)
        damaged = dict(damaged or {})
        if received is None:
            received = {sku: max(0, qty - damaged.get(sku, 0)) for sku, qty in expected.items()}
        for sku, qty in [*received.items(), *damaged.items()]:
            if qty < 0:
                raise FloorError(f"receipt {reference!r}: SKU {sku!r} quantity {qty} < 0")
        lines = []
        for sku in sorted(set(expected) | set(received) | set(damaged)):
            line = ReceiptLine(
                sku=sku,
                expected=expected.get(sku, 0),
                received=received.get(sku, 0),
                damaged=damaged.get(sku, 0),
            )
            lines.append(line)
            self._stock.change(
                sku, "inbound", reference,
                on_hand=line.received + line.damaged,
                blocked=line.damaged,
                inbound=-line.expected,
            )
        inbound = replace(
            inbound, status=InboundStatus.RECEIVED, received_at=self._now(), receipt=tuple(lines)
        )
        self._inbound[reference] = inbound
        self._emit(InboundReceived, reference=reference, lines=inbound.receipt)
        return inbound

    def auto_receive(self, reference: str) -> None:
        """The scheduled receipt: lines arrive short or damaged at the configured rates."""
        inbound = self._inbound.get(reference)
        if inbound is None or inbound.status is not InboundStatus.AWAITING:
            return
        received: dict[str, int] = {}
        damaged: dict[str, int] = {}
        for sku, qty in inbound.expected:
            got = qty
            if self._rng.random() < self._short_rate:
                got = qty - self._rng.randint(1, qty)
            if got and self._rng.random() < self._damage_rate:
                damaged[sku] = 1
                got -= 1
            received[sku] = got
        self.receive_inbound(reference, received, damaged=damaged)

    def cancel_inbound(self, reference: str) -> Inbound:
        inbound = self.inbound(reference)
        if inbound.status is not InboundStatus.AWAITING:
            raise NotCancellable(f"inbound notice {reference!r} is {inbound.status}")
        for sku, qty in inbound.expected:
            self._stock.change(sku, "inbound_cancelled", reference, inbound=-qty)
        inbound = replace(inbound, status=InboundStatus.CANCELLED)
        self._inbound[reference] = inbound
        return inbound

    def inbound(self, reference: str) -> Inbound:
        if reference not in self._inbound:
            raise UnknownReference(f"no inbound notice {reference!r}")
        return self._inbound[reference]

    def inbounds(self) -> list[Inbound]:
        return list(self._inbound.values())

    # --- returns ------------------------------------------------------------------

    def expect_return(
        self, reference: str, order_reference: str, lines: Mapping[str, int]
    ) -> ReturnReceipt:
        if not reference.strip():
            raise FloorError("a return needs a reference")
        if reference in self._returns:
            raise DuplicateReference(f"return {reference!r} already exists")
        receipt = ReturnReceipt(
            reference=reference,
            order_reference=order_reference,
            expected=_positive_lines(f"return {reference!r}", lines),
            announced_at=self._now(),
        )
        self._returns[reference] = receipt
        return receipt

    def receive_return(
        self, reference: str, items: Sequence[ReturnItem], order_reference: str = ""
    ) -> ReturnReceipt:
        """Book returned units with their grade. An unannounced return is accepted too."""
        if not reference.strip():
            raise FloorError("a return needs a reference")
        if not items:
            raise FloorError(f"return {reference!r} has no items")
        for item in items:
            if item.quantity < 1:
                raise FloorError(
                    f"return {reference!r}: SKU {item.sku!r} quantity {item.quantity} < 1"
                )
        receipt = self._returns.get(reference)
        if receipt is not None and receipt.received_at is not None:
            raise DuplicateReference(f"return {reference!r} was already received")
        if receipt is None:
            receipt = ReturnReceipt(reference=reference, order_reference=order_reference,
                                    expected=())
        receipt = replace(receipt, items=tuple(items), received_at=self._now())
        self._returns[reference] = receipt
        for item in items:
            if item.condition.enters_stock:
                self._stock.change(
                    item.sku, "return", reference,
                    on_hand=item.quantity,
                    blocked=item.quantity if item.condition.blocked else 0,
                )
        self._emit(
            ReturnReceived,
            reference=reference,
            order_reference=receipt.order_reference,
            items=receipt.items,
            discrepancies=tuple(receipt.discrepancies().items()),
        )
        return receipt

    def return_receipt(self, reference: str) -> ReturnReceipt:
        if reference not in self._returns:
            raise UnknownReference(f"no return {reference!r}")
        return self._returns[reference]

    def returns(self) -> list[ReturnReceipt]:
        return list(self._returns.values())
