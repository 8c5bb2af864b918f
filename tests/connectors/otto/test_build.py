"""build(): the connector from a channel config, with the shared rate-limit buckets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from marketdock.config import ChannelConfig
from marketdock.connectors.factory import BuildContext
from marketdock.connectors.otto import OttoConnector, build
from marketdock.connectors.ports import Capability, CarrierChoice
from marketdock.domain import Address
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.engine.schema import rate_buckets
from marketdock.errors import ConfigError, RateLimited
from marketdock.sandbox import otto
from marketdock.secrets import SecretRef, SecretResolver
from tests.connectors.otto.harness import BASE_URL, SHIP_FROM, START, Sim, package

ENVIRON = {"OTTO_ID": otto.DEFAULT_CLIENT_ID, "OTTO_SECRET": otto.DEFAULT_CLIENT_SECRET}


def channel(**options: str) -> ChannelConfig:
    return ChannelConfig.model_validate({
        "id": "otto-de", "kind": "otto", "base_url": BASE_URL,
        "credentials": {"client_id": SecretRef(env="OTTO_ID"),
                        "client_secret": SecretRef(env="OTTO_SECRET")},
        "options": {**SHIP_FROM, **options}})


def context(sim: Sim, db: Database) -> BuildContext:
    return BuildContext("acme", db, RateLimiter(db), SecretResolver(ENVIRON), sim.hub_clock,
                        lambda url: sim.client()[0])


def test_build_fetches_through_the_shared_buckets(sim: Sim, db: Database) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}], "status": "PROCESSABLE"}])
    port = build(context(sim, db), channel())
    assert isinstance(port, OttoConnector)
    assert port.supports(Capability.FETCH_ORDERS) and port.supports(Capability.PUSH_STOCK)
    assert len(port.fetch_orders(START).orders) == 1
    with db.begin() as conn:
        rows = {(r.account, r.operation): r for r in conn.execute(sa.select(rate_buckets))}
    assert set(rows) == {("otto-de", "api"), ("otto:token-endpoint", "token")}
    assert rows[("otto-de", "api")].rate == 20.0
    assert rows[("otto:token-endpoint", "token")].rate == 10.0


def test_every_account_of_every_tenant_shares_one_token_bucket(sim: Sim, db: Database) -> None:
    """OTTO limits the token endpoint per client IP, not per account."""
    limiter = RateLimiter(db, clock=lambda: 1000.0)  # no refill between the calls
    ports = [build(BuildContext(tenant, db, limiter, SecretResolver(ENVIRON), sim.hub_clock,
                                lambda url: sim.client()[0]),
                   channel().model_copy(update={"id": account}))
             for tenant, account in (("acme", "otto-de"), ("globex", "otto-at"))]
    for port in ports:
        port.fetch_orders(START)
    with db.begin() as conn:
        rows = conn.execute(sa.select(rate_buckets).where(
            rate_buckets.c.operation == "token")).all()
    assert [(r.tenant_id, r.account) for r in rows] == [("*", "otto:token-endpoint")]
    assert rows[0].tokens == 8.0  # one token request per account


def test_a_429_blocks_the_account_bucket(sim: Sim, db: Database) -> None:
    port = build(context(sim, db), channel())
    port.fetch_orders(START)
    sim.faults.set("429", count=1, path="/v4/orders", retry_after=0)
    with pytest.raises(RateLimited):
        port.fetch_orders(START)
    with db.begin() as conn:
        bucket = conn.execute(sa.select(rate_buckets).where(
            rate_buckets.c.operation == "api")).one()
    assert bucket.tokens == 0.0
    assert port.fetch_orders(START).orders == []


def test_build_refuses_a_half_ship_from_address(sim: Sim, db: Database) -> None:
    config = ChannelConfig.model_validate({
        "id": "otto-de", "kind": "otto", "base_url": BASE_URL,
        "credentials": {"client_id": SecretRef(env="OTTO_ID"),
                        "client_secret": SecretRef(env="OTTO_SECRET")},
        "options": {"ship_from_city": "Hamburg"}})
    with pytest.raises(ConfigError, match="ship_from_zip_code"):
        build(context(sim, db), config)


def test_each_warehouse_ships_from_its_own_address(sim: Sim, db: Database) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}], "status": "PROCESSABLE"}])
    leipzig = Address.create(name="Lager Ost", street="Am Hafen 3", postal_code="04109",
                             city="Leipzig", country_code="DE")
    port = build(context(sim, db), channel(), {"wh-east": leipzig})
    [order] = port.fetch_orders(START).orders
    east = package(order, [order.lines[0].line_id], "P1").evolve(warehouse_id="wh-east")
    shipment_id = port.confirm_package(order, east, CarrierChoice(code="DHL"))
    assert sim.state.shipments[shipment_id].ship_from == {
        "city": "Leipzig", "zipCode": "04109", "countryCode": "DEU"}


def test_without_any_ship_from_address_confirmation_is_a_config_error(sim: Sim,
                                                                      db: Database) -> None:
    sim.seed(orders=[{"lines": [{"sku": "A", "unitPrice": "5.00"}], "status": "PROCESSABLE"}])
    bare = ChannelConfig.model_validate({
        "id": "otto-de", "kind": "otto", "base_url": BASE_URL,
        "credentials": {"client_id": SecretRef(env="OTTO_ID"),
                        "client_secret": SecretRef(env="OTTO_SECRET")}})
    port = build(context(sim, db), bare)
    [order] = port.fetch_orders(START).orders
    with pytest.raises(ConfigError, match="no ship-from address for warehouse 'wh1'"):
        port.confirm_package(order, package(order, [order.lines[0].line_id], "P1"),
                             CarrierChoice(code="DHL"))
