"""The default usage plans of the operations the connector calls (Amazon's models).

They seed the shared rate-limit buckets; ``x-amzn-RateLimit-Limit`` then follows the
plan Amazon actually grants the seller. Presigned document transfers and the token grant
are not SP-API operations and have no plan.
"""

from __future__ import annotations

from marketdock.engine.ratelimit import Limit

SEARCH_ORDERS = "orders_2026.searchOrders"
GET_ORDER = "orders_2026.getOrder"
CONFIRM_SHIPMENT = "orders_v0.confirmShipment"
CREATE_FEED_DOCUMENT = "feeds.createFeedDocument"
CREATE_FEED = "feeds.createFeed"
GET_FEED = "feeds.getFeed"
GET_FEED_DOCUMENT = "feeds.getFeedDocument"
GET_LISTINGS_ITEM = "listings.getListingsItem"
PATCH_LISTINGS_ITEM = "listings.patchListingsItem"
SEARCH_LISTINGS_ITEMS = "listings.searchListingsItems"
UPLOAD_DOCUMENT = "feeds.uploadDocument"
DOWNLOAD_DOCUMENT = "feeds.downloadDocument"
TOKEN = "lwa.token"

USAGE_PLANS: dict[str, Limit] = {
    SEARCH_ORDERS: Limit(rate=0.0056, burst=20),
    GET_ORDER: Limit(rate=0.5, burst=30),
    CONFIRM_SHIPMENT: Limit(rate=2.0, burst=10),
    CREATE_FEED_DOCUMENT: Limit(rate=0.5, burst=15),
    CREATE_FEED: Limit(rate=0.0083, burst=15),
    GET_FEED: Limit(rate=2.0, burst=15),
    GET_FEED_DOCUMENT: Limit(rate=0.0222, burst=10),
    GET_LISTINGS_ITEM: Limit(rate=5.0, burst=10),
    PATCH_LISTINGS_ITEM: Limit(rate=5.0, burst=5),
    SEARCH_LISTINGS_ITEMS: Limit(rate=5.0, burst=5),
}

LISTINGS_FEEDS_PER_WINDOW = 5
LISTINGS_FEED_WINDOW_SECONDS = 300.0
"""JSON_LISTINGS_FEED's own throttle: five submissions per five minutes."""
