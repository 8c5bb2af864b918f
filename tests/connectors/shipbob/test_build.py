"""The connector built from marketdock.toml through the hub's ports."""

from __future__ import annotations

from marketdock.config import parse_config
from marketdock.connectors.factory import ConfigPorts
from marketdock.connectors.shipbob import ShipBobConnector, build
from marketdock.engine.clock import FrozenClock
from marketdock.engine.db import Database
from marketdock.engine.ratelimit import RateLimiter
from marketdock.sandbox.asgi import client_for
from marketdock.sandbox.warehouse import Floor, shipbob
from marketdock.secrets import SecretResolver
from tests.connectors.shipbob.harness import ENV, START, order

CONFIG = """
[[tenants]]
id = "acme"
name = "Acme"
[[tenants.warehouses]]
id = "hh"
kind = "rest"
cutoff = "14:00"
timezone = "Europe/Berlin"
[tenants.warehouses.ship_from]
company = "Acme Fulfilment"
street = "Lagerweg"
house_number = "1"
postal_code = "20095"
city = "Hamburg"
country_code = "DE"
[tenants.warehouses.connection]
base_url = "http://3pl.sandbox"
channel_id = 4711
api_key = { env = "SHIPBOB_TOKEN" }
webhook_secret = { env = "SHIPBOB_HOOK_SECRET" }
"""


def test_a_rest_warehouse_of_the_config_is_a_shipbob_connector(db: Database) -> None:
    config = parse_config(CONFIG, environ={})
    floor = Floor()
    app = shipbob.create_app(floor)
    ports = ConfigPorts(config, db, RateLimiter(db), SecretResolver(environ=ENV),
                        FrozenClock(START), http=lambda url: client_for(app, base_url=url),
                        warehouses={"rest": build})
    port = ports.warehouse("acme", "hh")
    assert isinstance(port, ShipBobConnector)
    assert port.settings.channel_id == 4711
    assert port.settings.webhook_secret == ENV["SHIPBOB_HOOK_SECRET"]
    assert port.send_order(order("H-1", ("L1", "MUG", 1))) == str(floor.order("H-1").order_id)
    assert ports.warehouse("acme", "hh") is port
