"""Push 100,000 changed merchant quantities to Amazon through the connector.

The connector runs against the in-process SP-API simulator with its usage plans and the
JSON_LISTINGS_FEED throttle (five feeds per five minutes) switched on, and with the hub's
shared rate-limit buckets in a temporary SQLite database. The simulator's clock is moved
forward for feed processing instead of waiting for it.

Printed (one JSON object):

- ``api_calls``: SP-API calls by operation, for the push and for reading the reports;
- ``feeds`` against ``feeds_lower_bound`` = ceil(SKUs / 25,000);
- ``push_seconds``: wall time of ``push_stock`` (building documents, uploads, calls);
- ``rate_limit_floor_seconds``: the least time any client needs for these calls under
  the usage plans (the slowest bucket: calls beyond its burst at its rate; and the feed
  throttle), computed from the plans, so it holds for a real account too;
- ``applied``: SKUs the processing reports confirm, and ``mismatched`` quantities found
  in the simulator afterwards (both must be exact);
- ``if_pushed_in_batches_of``: the same floor if the SKUs were handed to the connector in
  small batches (each batch its own feed), to size the caller's batches.

    python bench/amazon_stock.py [--skus N] [--batch N]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from marketdock.config import ChannelConfig
from marketdock.connectors.amazon import FeedState, build
from marketdock.connectors.amazon import usage_plans as plans
from marketdock.connectors.factory import BuildContext
from marketdock.connectors.ports import StockOutcome, StockUpdate
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.engine.schema import metadata
from marketdock.logs import configure_logging
from marketdock.sandbox import amazon
from marketdock.sandbox.amazon.model import Listing
from marketdock.sandbox.asgi import client_for
from marketdock.secrets import SecretRef, SecretResolver

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
BASE_URL = "http://amazon.sandbox"
DE = "A1PA6795UKMFR9"
OPERATION_BY_ROUTE = {
    ("POST", "/feeds/2021-06-30/documents"): plans.CREATE_FEED_DOCUMENT,
    ("POST", "/feeds/2021-06-30/feeds"): plans.CREATE_FEED,
    ("GET", "/feeds/2021-06-30/feeds"): plans.GET_FEED,
    ("GET", "/feeds/2021-06-30/documents"): plans.GET_FEED_DOCUMENT,
    ("PUT", "/_s3/feed-uploads"): plans.UPLOAD_DOCUMENT,
    ("GET", "/_s3/feed-documents"): plans.DOWNLOAD_DOCUMENT,
    ("POST", "/auth/o2/token"): plans.TOKEN,
}


class SimClock:
    def __init__(self, clock: amazon.SimulatedClock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()


def operation_of(request: httpx.Request) -> str:
    path = request.url.path
    for (method, prefix), name in OPERATION_BY_ROUTE.items():
        if request.method == method and path.startswith(prefix):
            return name
    return f"{request.method} {path}"


def floor_seconds(calls: Counter[str], feeds: int) -> float:
    """The least time the calls take under the usage plans and the feed throttle."""
    floors = [max(0.0, (count - plans.USAGE_PLANS[op].burst) / plans.USAGE_PLANS[op].rate)
              for op, count in calls.items() if op in plans.USAGE_PLANS]
    windows = math.ceil(feeds / plans.LISTINGS_FEEDS_PER_WINDOW) - 1
    floors.append(max(0, windows) * plans.LISTINGS_FEED_WINDOW_SECONDS)
    return max(floors)


def run(skus: int, batch: int) -> dict[str, object]:
    state = amazon.AmazonState()
    clock = amazon.SimulatedClock(START)
    seller = amazon.DEFAULT_SELLER
    for number in range(skus):
        sku = f"SKU-{number:06d}"
        state.listings[(seller, sku)] = Listing(sku, seller, [DE], "PRODUCT", "", sku,
                                                "DEFAULT", 0, START, START)
    app = amazon.create_app(state, clock=clock)
    calls: Counter[str] = Counter()

    def http(base_url: str) -> httpx.Client:
        client = client_for(app, base_url=base_url)
        client.event_hooks["request"].append(lambda r: calls.update([operation_of(r)]))
        return client

    credentials = amazon.Credentials()
    environ = {"ID": credentials.client_id, "SECRET": credentials.client_secret,
               "REFRESH": next(iter(credentials.refresh_tokens))}
    with tempfile.TemporaryDirectory() as folder:
        engine = sa.create_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        metadata.create_all(engine)
        engine.dispose()
        db = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        ctx = BuildContext(tenant_id="bench", db=db, limiter=RateLimiter(db),
                           secrets=SecretResolver(environ), clock=SimClock(clock), http=http)
        channel = ChannelConfig(
            id="amazon-eu", kind="amazon", base_url=BASE_URL, marketplace_ids=(DE,),
            credentials={"client_id": SecretRef(env="ID"),
                         "client_secret": SecretRef(env="SECRET"),
                         "refresh_token": SecretRef(env="REFRESH")},
            options={"seller_id": seller})
        connector = build(ctx, channel)
        updates = [StockUpdate(f"SKU-{n:06d}", (n * 7) % 50 + 1) for n in range(skus)]

        started = time.perf_counter()
        results = connector.push_stock(updates)
        push_seconds = time.perf_counter() - started
        push_calls = Counter(calls)

        feeds: dict[str, list[str]] = {}
        for result in results:
            assert result.outcome is StockOutcome.PENDING and result.reference
            feeds.setdefault(result.reference, []).append(result.sku)
        clock.advance(state.config.feed_queue_seconds + state.config.feed_processing_seconds + 1)
        applied = 0
        for feed_id, feed_skus in feeds.items():
            check = connector.check_feed(feed_id, feed_skus)
            assert check.state is FeedState.DONE, check
            applied += sum(r.outcome is StockOutcome.APPLIED for r in check.results)
        db.dispose()
    wanted = {u.sku: u.quantity for u in updates}
    mismatched = sum(listing.quantity != wanted[sku] for (_, sku), listing
                     in state.listings.items())
    lower_bound = math.ceil(skus / 25_000)
    small_feeds = math.ceil(skus / batch)
    small_calls = Counter({plans.CREATE_FEED_DOCUMENT: small_feeds,
                           plans.CREATE_FEED: small_feeds})
    return {
        "skus": skus,
        "feeds": len(feeds),
        "feeds_lower_bound": lower_bound,
        "api_calls": {"push": dict(push_calls), "reports": dict(calls - push_calls)},
        "sp_api_calls_for_push": sum(n for op, n in push_calls.items()
                                     if op in plans.USAGE_PLANS),
        "push_seconds": round(push_seconds, 2),
        "rate_limit_floor_seconds": floor_seconds(push_calls, len(feeds)),
        "applied": applied,
        "mismatched": mismatched,
        "if_pushed_in_batches_of": {
            "batch": batch, "feeds": small_feeds,
            "rate_limit_floor_seconds": round(floor_seconds(small_calls, small_feeds)),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Amazon stock push through the connector")
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=200,
                        help="batch size for the comparison with small pushes")
    args = parser.parse_args()
    configure_logging("warning")
    print(json.dumps(run(args.skus, args.batch), indent=1))


if __name__ == "__main__":
    main()
