"""The Amazon SP-API marketplace port for a merchant-fulfilled selling-partner account.

Orders are read with Orders 2026-01-01 ``searchOrders`` by last update, merchant orders
only, for all the account's marketplaces in one search. Packages are confirmed one by one
with Orders v0 ``confirmShipment`` and read back from ``getOrder``'s packages. Stock goes
out in JSON_LISTINGS_FEEDs (asynchronous: the result of a push is PENDING with the feed
id; :meth:`AmazonConnector.check_feed`, and the port's ``check_stock`` on top of it, read
the processing report later); one urgent SKU goes through ``patchListingsItem`` at once
(``push_stock_now``). Quantities are read back from the Listings Items API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import pydantic
import structlog

from marketdock.connectors.amazon import order_mapping, stock_mapping, wire
from marketdock.connectors.amazon.client import AmazonClient
from marketdock.connectors.amazon.package_mapping import confirm_shipment_body
from marketdock.connectors.amazon.settings import FEED_MAX_MESSAGES, AmazonSettings
from marketdock.connectors.amazon.stock_mapping import FeedCheck, FeedState
from marketdock.connectors.http import BadResponse
from marketdock.connectors.ports import (
    Capability,
    CarrierChoice,
    MarketplacePort,
    OrderBatch,
    Quarantined,
    RemotePackage,
    StockCheck,
    StockCheckState,
    StockOutcome,
    StockResult,
    StockUpdate,
)
from marketdock.domain import Order, Package
from marketdock.errors import RemoteError, ValidationError

log = structlog.get_logger("marketdock.amazon")

FbaLookup = Callable[[Sequence[str]], Iterable[str]]
"""Channel SKUs → those among them that are fulfilled by Amazon (from the listings)."""

SEARCH_INCLUDED = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT")
WAITING = frozenset({"IN_QUEUE", "IN_PROGRESS"})
FAILED = frozenset({"FATAL", "CANCELLED"})
SEARCH_BATCH = 20
"""searchListingsItems takes at most 20 SKUs per call."""


_CHECK_STATES = {FeedState.WAITING: StockCheckState.WAITING,
                 FeedState.STUCK: StockCheckState.STUCK,
                 FeedState.DONE: StockCheckState.DONE,
                 FeedState.FAILED: StockCheckState.FAILED}


def _no_fba(skus: Sequence[str]) -> Iterable[str]:
    return ()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AmazonConnector(MarketplacePort):
    name = "amazon"
    stock_batch_size = FEED_MAX_MESSAGES
    capabilities = frozenset({Capability.FETCH_ORDERS, Capability.CONFIRM_PACKAGE,
                              Capability.PUSH_STOCK, Capability.READ_STOCK,
                              Capability.CHECK_STOCK})

    def __init__(self, settings: AmazonSettings, client: AmazonClient,
                 now: Callable[[], datetime], fba_lookup: FbaLookup = _no_fba) -> None:
        self.settings = settings
        self.client = client
        self.now = now
        self.fba_lookup = fba_lookup
        self._fba_seen: set[str] = set()
        """SKUs Amazon itself showed as FBA (read-back, reports), beyond the listings."""

    # ------------------------------------------------------------ orders

    def fetch_orders(self, changed_since: datetime, until: datetime | None = None) -> OrderBatch:
        """Orders of the account's marketplaces updated in [changed_since, until], every
        page followed; ``until`` is pulled back to two minutes (plus skew) before now."""
        self.require(Capability.FETCH_ORDERS)
        latest = self.now() - self.settings.before_lag
        before = latest if until is None else min(until, latest)
        if before < changed_since:
            return OrderBatch(orders=(), until=changed_since)
        params = {
            "lastUpdatedAfter": _iso(changed_since),
            "lastUpdatedBefore": _iso(before),
            "marketplaceIds": ",".join(self.settings.marketplace_ids),
            "fulfilledBy": "MERCHANT",
            "includedData": ",".join(SEARCH_INCLUDED),
            "maxResultsPerPage": str(self.settings.page_size),
        }
        orders: dict[str, Order] = {}
        bad: dict[tuple[str, str], Quarantined] = {}
        answered_until: datetime | None = None
        token: str | None = None
        while True:
            # A token travels with the same filters that produced it; Amazon refuses a
            # continued search whose other parameters differ.
            page = self.client.search_orders(params if token is None
                                             else {**params, "paginationToken": token})
            answered_until = answered_until or page.lastUpdatedBefore
            for raw in page.orders:
                self._read_order(raw, orders, bad)
            token = page.pagination.nextToken if page.pagination else None
            if not token:
                break
        # an order read well on one page and broken on another (a repeat) is not quarantined
        quarantined = tuple(q for q in bad.values() if q.reference not in orders)
        return OrderBatch(orders=tuple(orders.values()), quarantined=quarantined,
                          until=answered_until or before)

    def _read_order(self, raw: Mapping[str, object], orders: dict[str, Order],
                    bad: dict[tuple[str, str], Quarantined]) -> None:
        try:
            order = order_mapping.parse_order(raw, self.settings.tenant_id,
                                              self.settings.account_id)
        except order_mapping.Skip:
            return
        except ValidationError as exc:
            item = order_mapping.quarantined(raw, str(exc))
            log.warning("amazon order quarantined", order=item.reference, reason=item.reason)
            bad[(item.reference, item.excerpt)] = item
            return
        known = orders.get(order.marketplace_order_id)
        if known is None or (known.updated_at or known.ordered_at) <= \
                (order.updated_at or order.ordered_at):
            orders[order.marketplace_order_id] = order

    # ------------------------------------------------------------ packages

    def confirm_package(self, order: Order, package: Package, carrier: CarrierChoice) -> str:
        """Confirm one package; returns its ``packageReferenceId``. Sending it again
        (after a timeout) edits the same package at Amazon instead of shipping twice.

        Amazon's package carries one tracking number: a package in several boxes is
        confirmed with its first box's, and the others are logged (an item confirmed in a
        second package would count as a second unit shipped)."""
        self.require(Capability.CONFIRM_PACKAGE)
        body = confirm_shipment_body(order, package, carrier)
        self.client.confirm_shipment(order.marketplace_order_id, body)
        reference: str = body["packageDetail"]["packageReferenceId"]
        log.info("amazon package confirmed", order=order.marketplace_order_id,
                 package=package.package_ref, reference=reference,
                 further_boxes=[p.tracking_number for p in package.more_parcels] or None)
        return reference

    def confirmed_packages(self, order: Order) -> Sequence[RemotePackage]:
        self.require(Capability.CONFIRM_PACKAGE)
        remote = self.client.get_order(order.marketplace_order_id, ("PACKAGES",))
        return order_mapping.remote_packages(remote)

    # ------------------------------------------------------------ stock

    def push_stock(self, updates: Sequence[StockUpdate]) -> Sequence[StockResult]:
        """Send merchant quantities in JSON_LISTINGS_FEEDs of at most 25,000 SKUs each.

        Results: PENDING with the feed id for every SKU sent; REJECTED for FBA SKUs and
        negative quantities, which are never sent. The last update of a SKU wins."""
        self.require(Capability.PUSH_STOCK)
        quantities, refused = self._sendable(updates)
        results: dict[str, StockResult] = {r.sku: r for r in refused}
        for chunk in stock_mapping.chunks(quantities, self.settings.feed_max_messages):
            feed_id = self._submit_feed(chunk)
            for sku in chunk:
                results[sku] = StockResult(sku, StockOutcome.PENDING, "", feed_id)
        order = dict.fromkeys(update.sku for update in updates)
        return [results[sku] for sku in order]

    def push_stock_urgent(self, update: StockUpdate) -> StockResult:
        """One SKU at once through ``patchListingsItem`` (e.g. after a short pick)."""
        self.require(Capability.PUSH_STOCK)
        quantities, refused = self._sendable([update])
        if refused:
            return refused[0]
        body = {"productType": self.settings.product_type,
                "patches": stock_mapping.availability_patch(quantities[update.sku])}
        try:
            response = self.client.patch_listings_item(
                self.settings.seller_id, update.sku, self.settings.marketplace_ids, body)
        except RemoteError as exc:
            if exc.status == 404:
                return StockResult(update.sku, StockOutcome.UNKNOWN_SKU,
                                   f"Amazon has no listing for SKU {update.sku}")
            raise
        if any(issue.code == "FBA_LISTING" for issue in response.issues):
            self._fba_seen.add(update.sku)
        return stock_mapping.submission_result(response)

    def check_feed(self, feed_id: str, skus: Sequence[str]) -> FeedCheck:
        """Where a stock feed stands; once it has ended, one result per SKU of ``skus``
        (the SKUs pushed in it). A feed that has not ended long after it was created is
        reported STUCK, so the quantities can be sent again."""
        feed = self.client.get_feed(feed_id)
        status = feed.processingStatus
        if status in WAITING or status not in FAILED | {"DONE"}:
            age = self.now() - feed.createdTime
            state = FeedState.STUCK if age > self.settings.feed_stuck_after else \
                FeedState.WAITING
            if state is FeedState.STUCK:
                log.warning("amazon feed stuck", feed=feed_id, status=status,
                            age_seconds=round(age.total_seconds()))
            return FeedCheck(feed_id, state, status)
        report = self._report(feed)
        if status == "DONE" and report is not None:
            self._fba_seen |= stock_mapping.fba_skus(report)
            return FeedCheck(feed_id, FeedState.DONE, status,
                             stock_mapping.report_results(feed_id, skus, report))
        return FeedCheck(feed_id, FeedState.FAILED, status,
                         stock_mapping.failed_results(feed_id, skus, status, report))

    def push_stock_now(self, update: StockUpdate) -> StockResult:
        """One SKU at once through ``patchListingsItem``, not in a feed."""
        return self.push_stock_urgent(update)

    def check_stock(self, reference: str, skus: Sequence[str]) -> StockCheck:
        """:meth:`check_feed` for the feed id a PENDING push answered."""
        self.require(Capability.CHECK_STOCK)
        feed = self.check_feed(reference, skus)
        state = _CHECK_STATES[feed.state]
        if state is StockCheckState.DONE:
            return StockCheck(state, feed.results)
        if state is StockCheckState.WAITING:
            return StockCheck(state)
        if state is StockCheckState.STUCK:
            minutes = int(self.settings.feed_stuck_after.total_seconds() // 60)
            age = f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
            return StockCheck(state, reason=f"Amazon feed {reference} is still "
                                            f"{feed.processing_status} more than {age} after "
                                            "it was submitted")
        detail = feed.results[0].reason if feed.results else f"feed {reference} ended " \
            f"{feed.processing_status}"
        return StockCheck(state, reason=f"Amazon {detail}")

    def read_stock(self, skus: Sequence[str]) -> Mapping[str, int | None]:
        """The merchant quantity Amazon holds per SKU; None for an unknown SKU or one
        without a merchant channel (FBA)."""
        self.require(Capability.READ_STOCK)
        wanted = sorted(set(skus))
        found: dict[str, int | None] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), SEARCH_BATCH):
            batch = wanted[start:start + SEARCH_BATCH]
            token: str | None = None
            while True:
                page = self.client.search_listings_items(
                    self.settings.seller_id, batch, self.settings.marketplace_ids, token)
                for item in page.items:
                    quantity = stock_mapping.merchant_quantity(item)
                    if quantity is None and item.fulfillmentAvailability:
                        self._fba_seen.add(item.sku)
                    if item.sku in found:
                        found[item.sku] = quantity
                token = page.pagination.nextToken if page.pagination else None
                if not token:
                    break
        return found

    # ------------------------------------------------------------ plumbing

    def _sendable(self, updates: Sequence[StockUpdate]) -> tuple[dict[str, int],
                                                                  list[StockResult]]:
        latest = {update.sku: update.quantity for update in updates}
        fba = self._fba_seen | set(self.fba_lookup(list(latest)))
        quantities: dict[str, int] = {}
        refused: list[StockResult] = []
        for sku, quantity in latest.items():
            if sku in fba:
                refused.append(StockResult(sku, StockOutcome.REJECTED,
                                           f"SKU {sku} {stock_mapping.FBA_REFUSAL}"))
            elif quantity < 0:
                refused.append(StockResult(sku, StockOutcome.REJECTED,
                                           f"SKU {sku}: quantity {quantity} is negative"))
            else:
                quantities[sku] = quantity
        if refused:
            log.warning("amazon stock refused", skus=len(refused),
                        first=refused[0].sku, reason=refused[0].reason)
        return quantities, refused

    def _submit_feed(self, quantities: Mapping[str, int]) -> str:
        content = stock_mapping.feed_document(self.settings.seller_id,
                                              self.settings.product_type, quantities)
        document = self.client.create_feed_document(stock_mapping.CONTENT_TYPE)
        self.client.upload(document.url, content, stock_mapping.CONTENT_TYPE)
        feed_id = self.client.create_feed(stock_mapping.FEED_TYPE,
                                          self.settings.marketplace_ids,
                                          document.feedDocumentId)
        log.info("amazon stock feed submitted", feed=feed_id, skus=len(quantities),
                 bytes=len(content))
        return feed_id

    def _report(self, feed: wire.Feed) -> wire.ProcessingReport | None:
        if not feed.resultFeedDocumentId:
            return None
        document = self.client.get_feed_document(feed.resultFeedDocumentId)
        content = self.client.download(document)
        try:
            return wire.ProcessingReport.model_validate_json(content)
        except pydantic.ValidationError as exc:
            raise BadResponse(f"amazon feed {feed.feedId}: the processing report cannot be "
                              f"read ({exc.error_count()} problem(s))") from exc
