"""The OTTO Market connector: the marketplace port over Orders V4, Shipments V1 and
Availability V1, plus Returns V3 and Receipts V3 as extra operations.

Writes are never retried blindly (OTTO has no idempotency keys): a 409 on a shipment is
answered by reading what OTTO holds and reconciling with it, and a refused cancellation by
reading the order again and cancelling what is still cancellable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar

import structlog

from marketdock.connectors.otto import orders as order_map
from marketdock.connectors.otto import returns as return_map
from marketdock.connectors.otto import shipments as ship_map
from marketdock.connectors.otto import stock as stock_map
from marketdock.connectors.otto import wire
from marketdock.connectors.otto.api import OttoApi
from marketdock.connectors.otto.returns import (
    DecisionResult,
    ReceiptBatch,
    ReceiptRecord,
    ReturnDecision,
    ReturnedItem,
)
from marketdock.connectors.otto.settings import OttoSettings, ShipFrom
from marketdock.connectors.ports import (
    CancelResult,
    Capability,
    CarrierChoice,
    MarketplacePort,
    OrderBatch,
    Quarantined,
    RemotePackage,
    StockResult,
    StockUpdate,
)
from marketdock.domain import Order, Package
from marketdock.errors import Conflict, RemoteError

log = structlog.get_logger("marketdock.otto")

CANCEL_ROUNDS = 3
"""Attempts of one cancellation: the first, then one per refusal after re-reading."""
READ_STOCK_ONE_BY_ONE = 20
"""Up to this many SKUs are read one by one; more, by paging through every quantity."""


class OttoConnector(MarketplacePort):
    name: ClassVar[str] = "otto"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.FETCH_ORDERS, Capability.CONFIRM_PACKAGE, Capability.CANCEL_UNITS,
        Capability.PUSH_STOCK, Capability.READ_STOCK, Capability.FETCH_RETURNS,
        Capability.DECIDE_RETURN, Capability.FETCH_RECEIPTS})

    def __init__(self, api: OttoApi, settings: OttoSettings, tenant_id: str,
                 warehouses: Mapping[str, ShipFrom] | None = None) -> None:
        """``warehouses``: warehouse id → where its parcels leave from; a package of a
        warehouse not listed ships from the channel's ``ship_from_*`` options."""
        self.api = api
        self.settings = settings
        self.tenant_id = tenant_id
        self.warehouses = dict(warehouses or {})
        self.source = f"otto orders v4 ({settings.account})"

    def ship_from(self, package: Package) -> ShipFrom | None:
        return self.warehouses.get(package.warehouse_id, self.settings.ship_from)

    # ------------------------------------------------------------ orders

    def fetch_orders(self, changed_since: datetime, until: datetime | None = None) -> OrderBatch:
        """Orders OTTO changed since ``changed_since``, every page to the end.

        OTTO filters only from a change date; orders changed after ``until`` are kept (they
        show their newest state) and are read again by the next window, which starts
        before ``until``.
        """
        found: list[tuple[wire.PartnerOrder, Order]] = []
        quarantined: list[Quarantined] = []
        params = {"fromDate": wire.iso(changed_since), "limit": self.settings.page_size,
                  "orderColumnType": "ORDER_LIFECYCLE_DATE"}
        for number, page in enumerate(self.api.order_pages(params), start=1):
            orders, bad = order_map.read_page(page.resources, self.tenant_id,
                                              self.settings.account, self.source, number)
            found.extend(orders)
            quarantined.extend(bad)
        result = order_map.latest(found)
        log.info("otto orders fetched", account=self.settings.account, orders=len(result),
                 quarantined=len(quarantined))
        return OrderBatch(orders=result, quarantined=quarantined, until=until)

    def read_order(self, order: Order) -> wire.PartnerOrder:
        """The order as OTTO holds it now."""
        current = self.api.order(order.marketplace_order_id)
        if current is None:
            raise RemoteError(f"OTTO has no order {order.marketplace_order_id}", status=404)
        return current

    # ------------------------------------------------------------ shipments

    def confirm_package(self, order: Order, package: Package, carrier: CarrierChoice) -> str:
        """Create the package's shipment; answer OTTO's shipment id.

        A 409 (items or tracking key already in a shipment) is resolved by reading the
        shipment: when it already holds this package, its id is the answer; when it lacks
        some of the package's items, they are added to it; when the items went out with
        another tracking key, :class:`Conflict` says which.

        A package in several boxes (``more_parcels``) becomes one multi-parcel shipment.
        """
        if package.more_parcels:
            return self._confirm_multiparcel(order, package.parcels(), carrier)
        body = ship_map.shipment_request(order, package, carrier, self.ship_from(package),
                                         self.settings.return_carrier)
        try:
            answer = self.api.create_shipment(body)
        except RemoteError as exc:
            if exc.status != 409:
                raise
            log.info("otto shipment conflict; reconciling", account=self.settings.account,
                     order=order.marketplace_order_id, package=package.package_ref,
                     code=exc.code)
            return self._reconcile(order, package, body)
        if not answer.shipment_id:
            raise RemoteError(f"OTTO created a shipment for package {package.package_ref} "
                              "but answered no shipmentId", status=201)
        return answer.shipment_id

    def _reconcile(self, order: Order, package: Package, body: wire.CreateShipment) -> str:
        line_ids = [item.position_item_id for item in body.position_items]
        key = body.tracking_key
        what = f"package {package.package_ref} of OTTO order {order.marketplace_order_id}"
        existing = None
        if key.tracking_number is not None:
            existing = self.api.shipment_by_key(key.carrier, key.tracking_number)
        else:
            existing = next((s for s in self._shipments(order)
                             if s.tracking_key.tracking_number is None
                             and s.tracking_key.carrier == key.carrier
                             and ship_map.covers(s, line_ids)), None)
        if existing is None:
            held = [f"{p.package_ref} ({p.carrier_code} {p.tracking_number or '-'})"
                    for p in self.confirmed_packages(order)
                    if set(p.line_quantities) & set(line_ids)]
            raise Conflict(f"{what}: OTTO already holds its position items in shipment(s) "
                           f"{', '.join(held) or 'unknown'}, not under tracking number "
                           f"{key.tracking_number or '(none)'}; confirm it by hand if the "
                           "warehouse sent them twice", order=order.marketplace_order_id)
        held_ids = {item.position_item_id for item in existing.position_items}
        missing = [item for item in body.position_items if item.position_item_id not in held_ids]
        if not missing:
            return existing.shipment_id
        current = {item.position_item_id: item.fulfillment_status
                   for item in self.read_order(order).position_items}
        blocked = [f"{item.position_item_id} is {current.get(item.position_item_id)}"
                   for item in missing if current.get(item.position_item_id) != "PROCESSABLE"]
        if blocked:
            raise Conflict(f"{what}: tracking number {key.tracking_number} is shipment "
                           f"{existing.shipment_id}, which lacks items that cannot be added: "
                           f"{'; '.join(blocked)}", order=order.marketplace_order_id)
        self.api.append_items(existing.shipment_id, missing)
        log.info("otto shipment completed", shipment=existing.shipment_id, added=len(missing))
        return existing.shipment_id

    def _confirm_multiparcel(self, order: Order, packages: Sequence[Package],
                             carrier: CarrierChoice) -> str:
        """Confirm parcels that together carry the same position items (one article in
        several boxes) as one multi-parcel shipment; answer OTTO's multi-parcel id (each
        parcel is a shipment of its own at OTTO).

        After a 409 (an earlier attempt whose answer was lost, or items already shipped)
        the parcels are found by their tracking keys: when OTTO holds them all, the first
        one's shipment id is the answer, since a shipment read does not show the
        multi-parcel id.
        """
        bodies = [ship_map.shipment_request(order, package, carrier, self.ship_from(package),
                                            self.settings.return_carrier)
                  for package in packages]
        try:
            answer = self.api.create_multiparcel(bodies)
        except RemoteError as exc:
            if exc.status != 409:
                raise
            log.info("otto multi-parcel conflict; reconciling", account=self.settings.account,
                     order=order.marketplace_order_id, code=exc.code)
        else:
            if answer.multi_parcel_shipment_id:
                return answer.multi_parcel_shipment_id
        found = [self.api.shipment_by_key(body.tracking_key.carrier,
                                          body.tracking_key.tracking_number or "")
                 for body in bodies]
        held = [s for s, body in zip(found, bodies, strict=True) if s is not None
                and ship_map.covers(s, [i.position_item_id for i in body.position_items])]
        if len(held) != len(bodies):
            raise Conflict(f"OTTO order {order.marketplace_order_id}: the multi-parcel "
                           "shipment's items or tracking keys are already in other shipments",
                           order=order.marketplace_order_id)
        return held[0].shipment_id

    def _shipments(self, order: Order) -> list[wire.Shipment]:
        """Every shipment holding items of ``order``, read back from OTTO."""
        current = self.read_order(order)
        shipments: dict[str, wire.Shipment] = {}
        unnumbered = False
        for carrier, number in ship_map.tracking_keys(current):
            if number is None:
                unnumbered = True
                continue
            shipment = self.api.shipment_by_key(carrier, number)
            if shipment is not None:
                shipments[shipment.shipment_id] = shipment
        if unnumbered:
            # Forwarder shipments without a tracking number can only be found by listing.
            for summary in self.api.shipment_summaries(wire.iso(current.order_date)):
                if summary.tracking_key.tracking_number is None:
                    shipment = self.api.shipment(summary.shipment_id)
                    if shipment is not None and any(
                            item.sales_order_id == order.marketplace_order_id
                            for item in shipment.position_items):
                        shipments[shipment.shipment_id] = shipment
        return list(shipments.values())

    def confirmed_packages(self, order: Order) -> Sequence[RemotePackage]:
        """The shipments OTTO holds for ``order`` (``package_ref`` is OTTO's shipment id)."""
        return [ship_map.remote_package(s, order.marketplace_order_id)
                for s in self._shipments(order)]

    # ------------------------------------------------------------ cancellation

    def cancel_units(self, order: Order, units: Mapping[str, int], reason: str) -> CancelResult:
        """Cancel the position items in ``units`` (each is one unit).

        OTTO cancels all or nothing: when one item is no longer PROCESSABLE, it refuses the
        call. The order is then read again and what is still cancellable is cancelled.
        OTTO takes no reason; it is logged.
        """
        known = {line.line_id for line in order.lines}
        refused: dict[str, str] = {line_id: f"not a position item of order "
                                   f"{order.marketplace_order_id}"
                                   for line_id in units if line_id not in known}
        refused.update({line_id: f"asked to cancel {count} units; nothing to cancel"
                        for line_id, count in units.items() if line_id in known and count < 1})
        wanted = [line_id for line_id in units if line_id not in refused]
        cancelled: dict[str, int] = {}
        pending = list(wanted)
        for _ in range(CANCEL_ROUNDS):
            if not pending:
                break
            try:
                self.api.cancel_items(order.marketplace_order_id, pending)
            except RemoteError as exc:
                if exc.status != 409:
                    raise
                pending = self._still_cancellable(order, pending, cancelled, refused)
                continue
            cancelled.update(dict.fromkeys(pending, 1))
            pending = []
        for line_id in pending:
            refused[line_id] = "OTTO kept refusing the cancellation"
        log.info("otto units cancelled", account=self.settings.account,
                 order=order.marketplace_order_id, cancelled=len(cancelled),
                 refused=len(refused), reason=reason)
        return CancelResult(cancelled=cancelled, refused=refused)

    def _still_cancellable(self, order: Order, pending: list[str], cancelled: dict[str, int],
                           refused: dict[str, str]) -> list[str]:
        """Sort ``pending`` by the order's current item statuses; answer the cancellable."""
        status = {item.position_item_id: item.fulfillment_status
                  for item in self.read_order(order).position_items}
        still = []
        for line_id in pending:
            current = status.get(line_id)
            if current == "PROCESSABLE":
                still.append(line_id)
            elif current == "CANCELLED_BY_PARTNER":
                cancelled[line_id] = 1
            else:
                refused[line_id] = f"OTTO position item is {current}; only PROCESSABLE " \
                                   "items can be cancelled"
        return still

    # ------------------------------------------------------------ stock

    def push_stock(self, updates: Sequence[StockUpdate]) -> Sequence[StockResult]:
        """Absolute quantities per OTTO SKU, 200 per request, one result per SKU."""
        outcome: list[StockResult] = []
        for batch in stock_map.batches(updates):
            answer = self.api.post_quantities(batch)
            outcome.extend(stock_map.results(batch, answer))
        return outcome

    def read_stock(self, skus: Sequence[str]) -> Mapping[str, int | None]:
        """The quantity OTTO holds per SKU; ``None`` when it holds none."""
        if len(skus) <= READ_STOCK_ONE_BY_ONE:
            found = {sku: self.api.quantity(sku) for sku in skus}
            return {sku: (q.quantity if q is not None else None) for sku, q in found.items()}
        held = {q.sku: q.quantity for q in self.api.all_quantities()}
        return {sku: held.get(sku) for sku in skus}

    # ------------------------------------------------------------ returns and receipts

    def fetch_returns(self, status: str = "ANNOUNCED",
                      changed_since: datetime | None = None) -> list[ReturnedItem]:
        """Every returned item OTTO lists under ``status`` (all pages, each item once);
        with ``changed_since``, only those whose status changed at or after it.

        Read all of them before deciding any: OTTO orders the list by the latest change,
        so a decision taken while paging moves items between pages. That order also lets
        ``changed_since`` stop the paging at the first older item.
        """
        self.require(Capability.FETCH_RETURNS)
        found: dict[str, ReturnedItem] = {}
        for page in self.api.return_pages(status):
            for item in page.position_items:
                if changed_since is not None and item.occurred_time is not None \
                        and item.occurred_time < changed_since:
                    return list(found.values())  # the rest is older still
                found.setdefault(item.position_item_id, return_map.returned_item(item))
        return list(found.values())

    def decide_returns(self, decisions: Sequence[ReturnDecision]) -> list[DecisionResult]:
        """Accept or reject returned items; one result per decision, in order.

        Acceptance is final at OTTO and refunds the customer; a rejected item can still be
        accepted later.
        """
        self.require(Capability.DECIDE_RETURN)
        outcome: dict[str, DecisionResult] = {}
        sendable = []
        for decision in decisions:
            why = return_map.refused_locally(decision)
            if why is None:
                sendable.append(decision)
            else:
                outcome[decision.line_id] = DecisionResult(decision.line_id, False, why)
        for verdict, batch in return_map.decision_batches(sendable):
            answer = self.api.decide_returns(
                "acceptance" if verdict is return_map.Verdict.ACCEPT else "rejection",
                return_map.decision_request(batch))
            for result in return_map.decision_results(batch, answer):
                outcome[result.line_id] = result
        return [outcome[d.line_id] for d in decisions]

    def fetch_receipts(self, since: datetime, until: datetime | None = None,
                       kinds: Sequence[str] = ()) -> list[ReceiptRecord]:
        """OTTO's receipts created in [since, until] (all of them when ``kinds`` is empty),
        newest first."""
        self.require(Capability.FETCH_RECEIPTS)
        return [return_map.receipt_record(receipt)
                for page in self.api.receipt_pages(_receipt_params(since, until, kinds))
                for receipt in page.resources]

    def fetch_receipt_documents(self, since: datetime,
                                until: datetime | None = None) -> ReceiptBatch:
        """Like :meth:`fetch_receipts`, each receipt with OTTO's JSON kept whole; a receipt
        that cannot be read is quarantined instead of failing its page."""
        self.require(Capability.FETCH_RECEIPTS)
        receipts, quarantined = [], []
        for page in self.api.receipt_document_pages(_receipt_params(since, until, ())):
            batch = return_map.receipt_documents(
                page.resources, f"otto receipts v3 ({self.settings.account})")
            receipts += batch.receipts
            quarantined += batch.quarantined
        return ReceiptBatch(receipts, quarantined)


def _receipt_params(since: datetime, until: datetime | None,
                    kinds: Sequence[str]) -> dict[str, object]:
    params: dict[str, object] = {"from": wire.iso(since), "limit": 128}
    if until is not None:
        params["to"] = wire.iso(until)
    if kinds:
        params["receiptTypes"] = list(kinds)
    return params
