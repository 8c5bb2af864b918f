"""Tokens, usage plans, throttling and the builder."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketdock.connectors.amazon import build
from marketdock.connectors.amazon.usage_plans import GET_ORDER, SEARCH_ORDERS, USAGE_PLANS
from marketdock.connectors.factory import BuildContext
from marketdock.connectors.ports import Capability, StockOutcome, StockUpdate
from marketdock.domain import FulfilmentChannel, Listing
from marketdock.engine.db import Database
from marketdock.engine.schema import rate_buckets
from marketdock.errors import AuthError, ConfigError, RateLimited
from marketdock.flows.store import listings as listing_store
from marketdock.logs import default_redactor
from marketdock.sandbox.amazon import usage_plans as sim_plans
from marketdock.secrets import SecretResolver
from tests.connectors.amazon.conftest import ENVIRON, START, Sandbox, SimClock, channel


def _bucket(db: Database, operation: str) -> sa.Row[tuple[object, ...]]:
    with db.read() as conn:
        row = conn.execute(rate_buckets.select().where(
            rate_buckets.c.operation == operation)).one()
    return row


def test_token_is_fetched_once_and_renewed_after_expiry(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.advance(300)
    for _ in range(3):
        connector.fetch_orders(START)
    assert connector.client.tokens.grants == 1
    sandbox.advance(2 * 3600)  # Amazon's token has expired; ours is still believed fresh
    connector.fetch_orders(START)
    assert connector.client.tokens.grants == 2


def test_secrets_and_tokens_are_never_logged(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.advance(300)
    connector.fetch_orders(START)
    [access] = sandbox.state.tokens
    redacted = default_redactor().redact_text(
        f"{ENVIRON['AMZ_CLIENT_SECRET']} {ENVIRON['AMZ_REFRESH_TOKEN']} {access}")
    assert redacted == "*** *** ***"
    assert "***" in repr(connector.client.tokens.credentials)


def test_refused_refresh_token_is_an_auth_error(sandbox: Sandbox) -> None:
    sandbox.environ["AMZ_REFRESH_TOKEN"] = "Atzr|revoked"
    connector = sandbox.connector()
    sandbox.advance(300)
    with pytest.raises(AuthError, match="invalid_grant"):
        connector.fetch_orders(START)


def test_usage_plans_seed_the_shared_buckets(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.advance(300)
    connector.fetch_orders(START)
    row = _bucket(sandbox.db, SEARCH_ORDERS)
    plan = USAGE_PLANS[SEARCH_ORDERS]
    assert (row.rate, row.burst, row.tokens) == (plan.rate, plan.burst, plan.burst - 1)


def test_rate_header_adjusts_the_bucket(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sim_plans.USAGE_PLANS, "orders_2026.getOrder", (1.5, 30))
    sandbox = Sandbox(db)
    connector = sandbox.connector()
    [order_id] = sandbox.seed(orders=[{"items": [{"sku": "A"}]}])["orders"]
    sandbox.advance(300)
    [order] = connector.fetch_orders(START - timedelta(hours=1)).orders
    assert order.marketplace_order_id == order_id
    connector.confirmed_packages(order)
    assert _bucket(db, GET_ORDER).rate == 1.5
    sandbox.close()


def test_429_storm_blocks_the_buckets_and_passes(sandbox: Sandbox) -> None:
    connector = sandbox.connector()
    sandbox.seed(listings=[{"sku": "A"}])
    sandbox.advance(300)
    connector.fetch_orders(START)  # the token is fetched before the storm
    sandbox.faults.set("429", rate=1.0, retry_after=120.0)
    with pytest.raises(RateLimited) as caught:
        connector.fetch_orders(START)
    assert caught.value.retry_after == 120.0
    with pytest.raises(RateLimited):
        connector.fetch_orders(START)  # refused by our own bucket: the remote is spared
    with pytest.raises(RateLimited):
        connector.push_stock([StockUpdate("A", 1)])
    assert sandbox.limiter.try_acquire("acme", "amazon-eu", SEARCH_ORDERS) > 60
    # two 429s reached Amazon (search, feed document); the second search never left
    assert sandbox.faults.snapshot()["429"]["fired"] == 2
    sandbox.faults.clear()
    # the storm blocked searchOrders only; other operations carry on
    assert connector.push_stock_urgent(StockUpdate("A", 2)).outcome is StockOutcome.APPLIED


def test_builder_needs_seller_id_and_credentials(sandbox: Sandbox) -> None:
    ctx = BuildContext(tenant_id="acme", db=sandbox.db, limiter=sandbox.limiter,
                       secrets=SecretResolver(ENVIRON), clock=SimClock(sandbox.clock),
                       http=sandbox.http)
    connector = build(ctx, channel())
    assert connector.supports(Capability.PUSH_STOCK)
    assert not connector.supports(Capability.CANCEL_UNITS)
    assert connector.settings.lwa_url == "http://amazon.sandbox/auth/o2/token"
    bad = channel().model_copy(update={"options": {}})
    with pytest.raises(ConfigError, match="seller_id"):
        build(ctx, bad)
    with pytest.raises(ConfigError, match="unknown options colour"):
        build(ctx, channel(colour="red"))
    with pytest.raises(ConfigError, match='unmapped_carrier must be "hold"'):
        build(ctx, channel(unmapped_carrier="others"))
    assert build(ctx, channel(unmapped_carrier="other")).supports(Capability.CONFIRM_PACKAGE)
    missing = channel().model_copy(update={"credentials": {}})
    with pytest.raises(ConfigError, match="client_id, client_secret, refresh_token"):
        build(ctx, missing)


def test_builder_refuses_skus_the_listings_mark_fba(sandbox: Sandbox) -> None:
    with sandbox.db.begin() as conn:
        for sku, fulfilment in (("OWN", FulfilmentChannel.MERCHANT),
                                ("AMZ", FulfilmentChannel.FBA)):
            listing_store.upsert(conn, Listing.create(
                tenant_id="acme", channel_account_id="amazon-eu", channel_sku=sku,
                warehouse_sku=sku, fulfilment=fulfilment), START)
    sandbox.seed(listings=[{"sku": "OWN"}, {"sku": "AMZ", "fulfillment": "AFN"}])
    results = {r.sku: r.outcome for r in sandbox.connector().push_stock(
        [StockUpdate("OWN", 1), StockUpdate("AMZ", 1)])}
    assert results == {"OWN": StockOutcome.PENDING, "AMZ": StockOutcome.REJECTED}
