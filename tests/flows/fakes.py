"""In-memory marketplace and warehouse ports that record what flows ask of them.

They behave like the real systems where the flows' rules depend on it: the warehouse
rejects a second order with the same reference, and either side can be told to act on a
request and then time out (the ambiguous failure).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from marketdock.connectors.ports import (
    CancelOutcome,
    CancelResult,
    Capability,
    CarrierChoice,
    MarketplacePort,
    OrderBatch,
    RemotePackage,
    ShippedPackage,
    ShortPick,
    StockCheck,
    StockCheckState,
    StockOutcome,
    StockResult,
    StockSnapshot,
    StockUpdate,
    WarehouseOrder,
    WarehousePort,
    WarehouseUpdates,
)
from marketdock.domain import (
    FulfilmentChannel,
    KitComponent,
    Listing,
    ListingKind,
    Order,
    Package,
)
from marketdock.engine import outbox
from marketdock.engine.db import Database
from marketdock.engine.worker import Worker
from marketdock.errors import RemoteError, RemoteTimeout


class FakeMarketplace(MarketplacePort):
    name = "fake-marketplace"
    capabilities = frozenset({Capability.FETCH_ORDERS, Capability.CONFIRM_PACKAGE,
                              Capability.CANCEL_UNITS, Capability.PUSH_STOCK,
                              Capability.READ_STOCK})

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.confirmed: dict[str, list[RemotePackage]] = {}
        self.confirm_calls = 0
        self.cancelled: list[tuple[str, Mapping[str, int]]] = []
        self.timeout_after_next_confirm = False
        self.stock: dict[str, int] = {}
        """What the marketplace shows per SKU."""
        self.stock_pushes: list[dict[str, int]] = []
        self.stock_outcomes: dict[str, StockOutcome] = {}
        """SKU → the answer to give instead of applying its quantity."""

    def put(self, *orders: Order) -> None:
        for order in orders:
            self.orders[order.marketplace_order_id] = order

    def fetch_orders(self, changed_since: datetime, until: datetime | None = None) -> OrderBatch:
        return OrderBatch(orders=list(self.orders.values()), until=until)

    def confirm_package(self, order: Order, package: Package, carrier: CarrierChoice) -> str:
        self.confirm_calls += 1
        remote = RemotePackage(package_ref=package.package_ref,
                               tracking_number=package.tracking_number, carrier_code=carrier.code,
                               line_quantities=package.quantities())
        self.confirmed.setdefault(order.marketplace_order_id, []).append(remote)
        if self.timeout_after_next_confirm:
            self.timeout_after_next_confirm = False
            raise RemoteTimeout("confirmation sent, answer lost")
        return f"shipment-{package.package_ref}"

    def confirmed_packages(self, order: Order) -> Sequence[RemotePackage]:
        return self.confirmed.get(order.marketplace_order_id, [])

    def cancel_units(self, order: Order, units: Mapping[str, int], reason: str) -> CancelResult:
        self.cancelled.append((order.marketplace_order_id, dict(units)))
        return CancelResult(cancelled=dict(units))

    def push_stock(self, updates: Sequence[StockUpdate]) -> Sequence[StockResult]:
        """Apply each quantity unless ``stock_outcomes`` says otherwise (a 207 answer)."""
        self.stock_pushes.append({update.sku: update.quantity for update in updates})
        results = []
        for update in updates:
            outcome = self.stock_outcomes.get(update.sku, StockOutcome.APPLIED)
            if outcome in (StockOutcome.APPLIED, StockOutcome.PENDING):
                self.stock[update.sku] = update.quantity
            results.append(StockResult(sku=update.sku, outcome=outcome,
                                       reason="" if outcome is StockOutcome.APPLIED
                                       else f"{update.sku}: {outcome.value}",
                                       reference=f"push-{len(self.stock_pushes)}"))
        return results

    def read_stock(self, skus: Sequence[str]) -> Mapping[str, int | None]:
        return {sku: self.stock.get(sku) for sku in skus}


class BatchingFakeMarketplace(FakeMarketplace):
    """A marketplace that takes stock in asynchronous batches (like feeds): a push answers
    PENDING with the batch's reference, and :meth:`check_stock` answers the states in
    ``check_script`` one after the other (DONE once they are used up). A DONE batch applies
    its quantities, except those of the SKUs in ``batch_rejects``.
    ``push_stock_now`` applies one quantity at once."""

    name = "batching-fake-marketplace"
    capabilities = FakeMarketplace.capabilities | {Capability.CHECK_STOCK}

    def __init__(self) -> None:
        super().__init__()
        self.batches: dict[str, dict[str, int]] = {}
        self.check_script: list[StockCheckState] = []
        self.checks: list[tuple[str, tuple[str, ...], StockCheckState]] = []
        self.batch_rejects: dict[str, str] = {}
        """SKU → why a DONE batch refused it."""
        self.sent_now: list[tuple[str, int]] = []

    def push_stock(self, updates: Sequence[StockUpdate]) -> Sequence[StockResult]:
        self.stock_pushes.append({update.sku: update.quantity for update in updates})
        reference = f"batch-{len(self.batches) + 1}"
        self.batches[reference] = {update.sku: update.quantity for update in updates}
        return [StockResult(update.sku, StockOutcome.PENDING, "", reference)
                for update in updates]

    def check_stock(self, reference: str, skus: Sequence[str]) -> StockCheck:
        state = self.check_script.pop(0) if self.check_script else StockCheckState.DONE
        self.checks.append((reference, tuple(skus), state))
        if state is StockCheckState.STUCK:
            return StockCheck(state, reason=f"{reference} still in progress")
        if state is StockCheckState.FAILED:
            return StockCheck(state, reason=f"{reference} ended FATAL")
        if state is StockCheckState.WAITING:
            return StockCheck(state)
        results = []
        for sku in skus:
            if sku in self.batch_rejects:
                results.append(StockResult(sku, StockOutcome.REJECTED,
                                           self.batch_rejects[sku], reference))
            else:
                self.stock[sku] = self.batches[reference][sku]
                results.append(StockResult(sku, StockOutcome.APPLIED, "", reference))
        return StockCheck(state, results)

    def push_stock_now(self, update: StockUpdate) -> StockResult:
        self.sent_now.append((update.sku, update.quantity))
        self.stock[update.sku] = update.quantity
        return StockResult(update.sku, StockOutcome.APPLIED, "", f"now-{len(self.sent_now)}")


@dataclass
class FakeWarehouse(WarehousePort):
    name = "fake-warehouse"
    capabilities = frozenset({Capability.SEND_ORDER, Capability.CANCEL_ORDER,
                              Capability.FETCH_UPDATES, Capability.FETCH_STOCK})

    received: dict[str, WarehouseOrder] = field(default_factory=dict)
    sends: int = 0
    timeout_after_next_send: bool = False
    shipped: set[str] = field(default_factory=set)
    cancelled: list[str] = field(default_factory=list)
    packages: list[ShippedPackage] = field(default_factory=list)
    short_picks: list[ShortPick] = field(default_factory=list)
    snapshot: StockSnapshot | None = None
    takes_cancellations: bool = True

    def supports(self, capability: Capability) -> bool:
        """As declared, but a warehouse that takes no cancellations (files without a
        cancellation document) may be played too."""
        return super().supports(capability) and (
            capability is not Capability.CANCEL_ORDER or self.takes_cancellations)

    def send_order(self, order: WarehouseOrder) -> str:
        self.sends += 1
        if order.reference in self.received:
            raise RemoteError(f"reference {order.reference} exists", status=422)
        self.received[order.reference] = order
        if self.timeout_after_next_send:
            self.timeout_after_next_send = False
            raise RemoteTimeout("order created, answer lost")
        return f"wh-{order.reference}"

    def find_order(self, reference: str) -> str | None:
        return f"wh-{reference}" if reference in self.received else None

    def cancel_order(self, reference: str) -> CancelOutcome:
        if reference in self.shipped:
            return CancelOutcome.ALREADY_SHIPPED
        if reference not in self.received:
            return CancelOutcome.NOT_FOUND
        self.cancelled.append(reference)
        return CancelOutcome.CANCELLED

    def fetch_updates(self, cursor: str | None) -> WarehouseUpdates:
        start = int(cursor or 0)
        return WarehouseUpdates(packages=self.packages[start:], short_picks=self.short_picks,
                                cursor=str(len(self.packages)))

    def fetch_stock(self) -> StockSnapshot:
        if self.snapshot is None:
            raise RemoteError("no stock report yet", status=404)
        return self.snapshot


@dataclass
class FakePorts:
    marketplaces: dict[str, FakeMarketplace] = field(default_factory=dict)
    warehouses: dict[str, FakeWarehouse] = field(default_factory=dict)

    def marketplace(self, tenant_id: str, channel_id: str) -> MarketplacePort:
        return self.marketplaces.setdefault(channel_id, FakeMarketplace())

    def warehouse(self, tenant_id: str, warehouse_id: str) -> WarehousePort:
        return self.warehouses.setdefault(warehouse_id, FakeWarehouse())


def listing(sku: str, *components: tuple[str, int],
            fulfilment: FulfilmentChannel = FulfilmentChannel.MERCHANT) -> Listing:
    """acme's amazon-eu listing of ``sku``: warehouse SKU ``W-<sku>``, or a kit."""
    return Listing(tenant_id="acme", channel_account_id="amazon-eu", channel_sku=sku,
                   warehouse_sku=None if components else f"W-{sku}",
                   kind=ListingKind.KIT if components else ListingKind.SINGLE,
                   components=tuple(KitComponent(warehouse_sku=s, quantity=q)
                                    for s, q in components), fulfilment=fulfilment)


def drain(db: Database, worker: Worker, now: Callable[[], datetime],
          advance: Callable[[float], object]) -> None:
    """Run the worker until no job waits, moving the clock two minutes a round so that
    backed-off retries come due."""
    for _ in range(20):
        worker.run(until_idle=True)
        advance(120)
        with db.read() as conn:
            if outbox.runnable_count(conn, now()) == 0 and outbox.counts(conn)["todo"] == 0:
                return
