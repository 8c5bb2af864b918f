"""The ShipBob warehouse port: orders out, shipments and short-picks in, stock levels,
inbound notices out as receiving orders and their receipts in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import structlog
from pydantic import ValidationError as PydanticError

from marketdock.connectors.ports import (
    CancelOutcome,
    Capability,
    InboundNotice,
    Receipt,
    StockSnapshot,
    WarehouseOrder,
    WarehousePort,
    WarehouseUpdates,
    WebhookReceipt,
)
from marketdock.connectors.shipbob import mapping, webhooks, wire
from marketdock.connectors.shipbob.api import BUCKET, ShipBobApi, parse_body, stamp
from marketdock.connectors.shipbob.cursor import Poll, PollCursor
from marketdock.connectors.shipbob.receipts import ReceiptCursor, ReceiptPoll
from marketdock.connectors.shipbob.settings import ShipBobSettings
from marketdock.domain import StockPosition
from marketdock.engine.clock import Clock
from marketdock.engine.jobs import Priority
from marketdock.errors import ConfigError, InputError, RemoteError

log = structlog.get_logger("marketdock.shipbob")

PACKED_STATUSES = frozenset({"LabeledCreated"}) | wire.SHIPPED_STATUSES
"""Shipment statuses from which a cancellation can no longer stop the parcel."""


class ShipBobConnector(WarehousePort):
    name = "shipbob"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.SEND_ORDER, Capability.CANCEL_ORDER, Capability.FETCH_UPDATES,
        Capability.FETCH_STOCK, Capability.SEND_INBOUND, Capability.FETCH_INBOUND_RECEIPTS,
        Capability.RECEIVE_WEBHOOKS,
    })

    def __init__(self, api: ShipBobApi, settings: ShipBobSettings, clock: Clock, *,
                 tenant_id: str, warehouse_id: str) -> None:
        self.api = api
        self.settings = settings
        self.clock = clock
        self.tenant_id = tenant_id
        self.warehouse_id = warehouse_id
        self._channel_id = settings.channel_id

    # ------------------------------------------------------------ orders

    def send_order(self, order: WarehouseOrder) -> str:
        body = mapping.order_request(order)
        status, answer = self.api.create_order(body, self.channel_id())
        if status != 422:
            created = parse_body(wire.ShipBobOrder, answer, "POST /order")
            return str(created.id)
        if mapping.duplicate_reference(answer):
            existing = self.find_order(order.reference)
            if existing is None:
                # no status: not a rejection of the order, so the job retries the read
                raise RemoteError(f"shipbob POST /order: reference {order.reference} exists "
                                  "but the order cannot be read back yet", code="reference_id")
            log.info("shipbob order exists; read back", reference=order.reference,
                     order_id=existing, warehouse=self.warehouse_id)
            return existing
        raise RemoteError(f"shipbob POST /order: order {order.reference} refused: "
                          f"{_messages(answer)}", status=422,
                          code=next(iter(answer), None) if isinstance(answer, dict) else None)

    def find_order(self, reference: str) -> str | None:
        found = self._order_by_reference(reference)
        return None if found is None else str(found.id)

    def cancel_order(self, reference: str) -> CancelOutcome:
        order = self._order_by_reference(reference)
        if order is None:
            return CancelOutcome.NOT_FOUND
        settled = _settled(order)
        if settled is not None:
            return settled
        status, answer = self.api.cancel(order.id)
        if status == 200 and parse_body(wire.CancelResult, answer,
                                        f"POST /order/{order.id}:cancel").status == "Success":
            return CancelOutcome.CANCELLED
        again = self._order_by_reference(reference)
        settled = None if again is None else _settled(again)
        if settled is not None:
            return settled
        raise RemoteError(f"shipbob POST /order/{order.id}:cancel: order {reference} "
                          f"refused: {_messages(answer)}", status=status)

    def _order_by_reference(self, reference: str) -> wire.ShipBobOrder | None:
        for raw in self.api.orders_by_reference(reference):
            order = parse_body(wire.ShipBobOrder, raw, "GET /order")
            if order.reference_id == reference:
                return order
        return None

    def channel_id(self) -> int:
        if self._channel_id is None:
            found = mapping.first_writable_channel(self.api.channels())
            if found is None:
                raise ConfigError(f"warehouse {self.warehouse_id!r}: no ShipBob channel of "
                                  "this token may write orders; set connection.channel_id")
            self._channel_id = found
        return self._channel_id

    # ------------------------------------------------------------ shipments

    def fetch_updates(self, cursor: str | None) -> WarehouseUpdates:
        state = PollCursor.decode(cursor)
        poll = Poll(state)
        for page in self.api.orders_updated_since(state.query_start(self.clock.now())):
            poll.feed(page)
        updates = poll.result()
        log.info("shipbob poll", warehouse=self.warehouse_id, packages=len(updates.packages),
                 short_picks=len(updates.short_picks), quarantined=len(updates.quarantined))
        return updates

    def receive_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookReceipt:
        """Verify and read one webhook delivery; an ``order.shipped`` one is completed
        with the order's line references (one read of the order)."""
        secret = self.settings.webhook_secret
        if secret is None:
            raise ConfigError(f"warehouse {self.warehouse_id!r}: connection.webhook_secret "
                              "is not set, so webhooks cannot be verified")
        delivery = webhooks.receive(secret, headers, body, now=self.clock.now())
        shipment = delivery.shipment
        if delivery.topic != webhooks.SHIPPED_TOPIC or shipment is None \
                or not mapping.is_shipped(shipment):
            return WebhookReceipt(delivery.message_id, delivery.topic, ())
        if shipment.order_id is None:
            raise InputError(f"webhook {delivery.message_id}: shipment {shipment.id} names "
                             "no order")
        order = parse_body(wire.ShipBobOrder,
                           self.api.order(shipment.order_id, Priority.TRACKING),
                           f"GET /order/{shipment.order_id}")
        package = webhooks.shipped_package(delivery, order)
        return WebhookReceipt(delivery.message_id, delivery.topic,
                              () if package is None else (package,))

    # ------------------------------------------------------------ stock

    def fetch_stock(self) -> StockSnapshot:
        as_of = self.clock.now()
        positions: list[StockPosition] = []
        unreadable = 0
        for page in self.api.inventory_pages():
            for raw in page.items:
                try:
                    level = wire.InventoryLevel.model_validate(raw)
                    positions.append(mapping.stock_position(
                        level, tenant_id=self.tenant_id, warehouse_id=self.warehouse_id,
                        as_of=as_of))
                except (PydanticError, InputError) as exc:
                    unreadable += 1
                    log.warning("shipbob inventory level unreadable", source=BUCKET,
                                warehouse=self.warehouse_id, item=str(raw)[:300],
                                reason=str(exc).splitlines()[0])
        # A full snapshot says every SKU missing from it has no stock; with a record
        # unreadable that would zero its SKU, so the snapshot then counts as a delta.
        return StockSnapshot(positions=positions, full=unreadable == 0, as_of=as_of)

    # ------------------------------------------------------------ inbound

    def send_inbound(self, notice: InboundNotice) -> str:
        """Create a receiving order under the notice's reference, unless one exists: ShipBob
        does not refuse a repeated purchase order number, so the hub looks first."""
        existing = self._receiving_by_reference(notice.reference)
        if existing is not None:
            log.info("shipbob receiving order exists; read back", reference=notice.reference,
                     receiving_id=existing.id, warehouse=self.warehouse_id)
            return str(existing.id)
        center = self.settings.fulfillment_center_id
        if center is None:
            raise ConfigError(f"warehouse {self.warehouse_id!r}: connection."
                              "fulfillment_center_id is not set, so inbound stock cannot be "
                              "announced")
        body = mapping.receiving_request(notice, self._inventory_ids(), arrival=self.clock.now(),
                                         fulfillment_center_id=center)
        created = parse_body(wire.Receiving, self.api.create_receiving(body), "POST /receiving")
        log.info("shipbob receiving order created", reference=notice.reference,
                 receiving_id=created.id, warehouse=self.warehouse_id)
        return str(created.id)

    def fetch_receipts(self, cursor: str | None) -> tuple[Sequence[Receipt], str | None]:
        state = ReceiptCursor.decode(cursor)
        poll = ReceiptPoll(state, self.warehouse_id)
        params = {"Statuses": wire.COMPLETED_RECEIVING,
                  "CompletedStartDate": stamp(state.query_start(self.clock.now()))}
        for page in self.api.receivings(params, Priority.TRACKING):
            poll.feed(page)
        receipts, next_cursor = poll.result()
        log.info("shipbob receipts poll", warehouse=self.warehouse_id, receipts=len(receipts))
        return receipts, next_cursor

    def _receiving_by_reference(self, reference: str) -> wire.Receiving | None:
        for page in self.api.receivings({"PurchaseOrderNumbers": reference}, Priority.OTHER):
            for raw in page:
                receiving = parse_body(wire.Receiving, raw, "GET /receiving")
                if receiving.purchase_order_number == reference \
                        and receiving.status != "Cancelled":
                    return receiving
        return None

    def _inventory_ids(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for page in self.api.inventory_pages():
            for raw in page.items:
                sku, inventory_id = raw.get("sku"), raw.get("inventory_id")
                if isinstance(sku, str) and isinstance(inventory_id, int):
                    found.setdefault(sku, inventory_id)
        return found


def _settled(order: wire.ShipBobOrder) -> CancelOutcome | None:
    """The outcome a cancellation already has, or None while the order can be stopped."""
    if order.status == "Cancelled" or mapping.closed_short(order):
        return CancelOutcome.CANCELLED  # closed short: nothing of it will ever ship
    if order.status in ("Fulfilled", "PartiallyFulfilled", "Completed") or any(
            s.status in PACKED_STATUSES for s in order.shipments):
        return CancelOutcome.ALREADY_SHIPPED
    return None


def _messages(answer: Any) -> str:
    if isinstance(answer, dict):
        parts = []
        for key, value in answer.items():
            texts = value if isinstance(value, list) else [value]
            parts.append(f"{key}: {'; '.join(str(t) for t in texts)}")
        return ", ".join(parts)[:500]
    return str(answer)[:500]
