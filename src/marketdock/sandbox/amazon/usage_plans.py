"""Default usage plans (rate in requests per second, burst) as the models state them.

Amazon enforces each plan as a token bucket per operation and selling partner. The buckets
here run on the simulated clock, so a test can exhaust a burst and then advance time to
refill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

USAGE_PLANS: dict[str, tuple[float, int]] = {
    "orders_v0.getOrders": (0.0167, 20),
    "orders_v0.getOrder": (0.5, 30),
    "orders_v0.getOrderItems": (0.5, 30),
    "orders_v0.getOrderAddress": (0.5, 30),
    "orders_v0.confirmShipment": (2.0, 10),
    "orders_2026.searchOrders": (0.0056, 20),
    "orders_2026.getOrder": (0.5, 30),
    "feeds.getFeeds": (0.0222, 10),
    "feeds.createFeed": (0.0083, 15),
    "feeds.cancelFeed": (2.0, 15),
    "feeds.getFeed": (2.0, 15),
    "feeds.createFeedDocument": (0.5, 15),
    "feeds.getFeedDocument": (0.0222, 10),
    "listings.getListingsItem": (5.0, 10),
    "listings.patchListingsItem": (5.0, 5),
    "listings.searchListingsItems": (5.0, 5),
    "fbaInventory.getInventorySummaries": (2.0, 2),
    "reports.getReports": (0.0222, 10),
    "reports.createReport": (0.0167, 15),
    "reports.getReport": (2.0, 15),
    "reports.getReportDocument": (0.0167, 15),
    "inbound.listInboundPlans": (2.0, 6),
    "inbound.createInboundPlan": (2.0, 2),
    "inbound.getInboundPlan": (2.0, 6),
    "inbound.generatePlacementOptions": (2.0, 2),
    "inbound.listPlacementOptions": (2.0, 6),
    "inbound.confirmPlacementOption": (2.0, 2),
    "inbound.getShipment": (2.0, 6),
    "inbound.listShipmentItems": (2.0, 30),
    "inbound.listShipmentBoxes": (2.0, 30),
    "inbound.getInboundOperationStatus": (2.0, 6),
}


@dataclass
class Bucket:
    rate: float
    burst: int
    tokens: float
    updated: datetime

    def take(self, now: datetime) -> bool:
        """Refill for the time passed, then spend one token if there is one."""
        elapsed = max((now - self.updated).total_seconds(), 0.0)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """Token buckets per (selling partner, operation)."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def take(self, seller_id: str, operation: str, now: datetime) -> bool:
        rate, burst = USAGE_PLANS[operation]
        key = (seller_id, operation)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(rate, burst, float(burst), now)
        return bucket.take(now)

    def reset(self) -> None:
        self._buckets.clear()
