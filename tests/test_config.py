"""marketdock.toml: parsing, defaults, and errors that name every bad key."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from marketdock.config import (
    DATABASE_URL_ENV,
    ChannelStockRule,
    Config,
    StockPolicy,
    example_config,
    load_config,
    parse_config,
)
from marketdock.domain import ChannelKind, WarehouseKind
from marketdock.engine.tasks import TaskRegistry
from marketdock.errors import ConfigError
from marketdock.flows import register_flows
from marketdock.logs import default_redactor
from marketdock.secrets import SecretRef
from tests.flows.fakes import FakePorts

TENANT = """
[[tenants]]
id = "acme"
name = "Acme"
"""

WAREHOUSE = """
[[tenants.warehouses]]
id = "{id}"
kind = "rest"
cutoff = "{cutoff}"
timezone = "Europe/Berlin"
ship_from = {{ company = "3PL", street = "Weg 1", postal_code = "20095", city = "Hamburg", \
country_code = "DE" }}
"""


def problems(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, {}, **kwargs)  # type: ignore[arg-type]
    found = caught.value.context["problems"]
    assert isinstance(found, list)
    for problem in found:
        assert problem in caught.value.message
    return found


def test_example_config_parses_with_the_sandbox_urls(tmp_path: Path) -> None:
    config = parse_config(example_config(), {}, tmp_path)
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'marketdock.db'}"
    (tenant,) = config.tenants
    otto, amazon = tenant.channels
    assert (otto.kind, otto.base_url) == (ChannelKind.OTTO, "http://127.0.0.1:8801")
    assert (amazon.kind, amazon.base_url) == (ChannelKind.AMAZON, "http://127.0.0.1:8802")
    assert amazon.marketplace_ids == ("A1PA6795UKMFR9",)
    assert amazon.credentials["refresh_token"] == SecretRef(stored="amazon-refresh-token")
    warehouse = tenant.warehouse("main")
    assert warehouse.kind is WarehouseKind.REST
    assert warehouse.cutoff == time(14, 0)
    assert warehouse.connection["base_url"] == "http://127.0.0.1:8803"
    # the example schedules exactly the flows this version has
    assert {s.flow for s in tenant.schedules} <= register_flows(
        TaskRegistry(), config, FakePorts()).names()
    assert tenant.stock_policy.safety_buffer == 2


def test_example_config_yields_valid_domain_records() -> None:
    tenant = parse_config(example_config(), {}).tenant("demo")
    assert tenant.to_tenant().name == "Demo Brand GmbH"
    account = tenant.channel("amazon-eu").to_account("demo")
    assert account.marketplace_ids == ("A1PA6795UKMFR9",)
    warehouse = tenant.warehouse("main").to_warehouse("demo")
    assert warehouse.ship_from.city == "Hamburg"


def test_empty_config_has_defaults(tmp_path: Path) -> None:
    config = parse_config("", {}, tmp_path)
    assert config.server.port == 8800
    assert config.worker.concurrency == 4
    assert config.log.level == "info" and not config.log.json_lines
    assert config.tenants == ()


def test_database_url_from_environment_wins_and_its_password_is_redacted() -> None:
    url = "postgresql+psycopg://md:pg-pass-9876@db/md"
    config = parse_config('database_url = "sqlite:///x.db"', {DATABASE_URL_ENV: url})
    assert config.database_url == url
    assert default_redactor().redact_text(url) == "postgresql+psycopg://md:***@db/md"


def test_relative_sqlite_path_is_taken_from_the_config_directory(tmp_path: Path) -> None:
    config = parse_config('database_url = "sqlite:///data/md.db"', {}, tmp_path)
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'md.db'}"


def test_database_password_in_the_file_is_refused() -> None:
    pattern = f"password must not be in the config.*{DATABASE_URL_ENV}"
    with pytest.raises(ConfigError, match=pattern):
        parse_config('database_url = "postgresql://u:secret-pw@db/md"', {})


def test_bad_database_url_from_env_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=f"{DATABASE_URL_ENV}: database_url must be a URL"):
        parse_config("", {DATABASE_URL_ENV: "not a url"})


def test_every_error_is_reported_with_its_key_path() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="14:00") + WAREHOUSE.format(
        id="b", cutoff="25:00") + """
[[tenants.channels]]
id = "otto"
kind = "ottto"
base_url = "http://127.0.0.1:8801"

[worker]
concurrency = 0
"""
    found = problems(text)
    assert 'tenants[0].warehouses[1].cutoff: cutoff must be "HH:MM" in 24-hour time, e.g. ' \
        '"14:30"' in found
    assert any(p.startswith("tenants[0].channels[0].kind: Input should be 'otto' or 'amazon'")
               for p in found)
    assert any(p.startswith("worker.concurrency: Input should be greater than or equal to 1")
               for p in found)
    assert len(found) == 3


def test_unknown_keys_are_refused_with_a_suggestion() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="14:00").replace("cutoff =", "cuttoff =")
    found = problems(text)
    assert "tenants[0].warehouses[0].cuttoff: unknown key (did you mean 'cutoff'?)" in found
    assert "tenants[0].warehouses[0].cutoff: Field required" in found
    assert problems("[server]\nprot = 1\n") == [
        "server.prot: unknown key (did you mean 'port'?)"
    ]


def test_plaintext_credentials_are_refused_without_echoing_them() -> None:
    text = TENANT + """
[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "http://127.0.0.1:8801"
credentials = { client_id = { env = "OTTO_ID" }, client_secret = "pl41n-t3xt-s3cret" }
options = { password = "another-pl41n" }
"""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, {})
    message = caught.value.message
    assert "pl41n" not in message
    assert "tenants[0].channels[0].credentials.client_secret: a secret must not be written " \
        'into the config file; reference it as { env = "VARIABLE" }' in message
    assert "tenants[0].channels[0].options.password: 'password' holds a credential" in message
    assert "pl41n" not in repr(caught.value.__cause__)


def test_warehouse_connection_needs_references_for_credentials() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="14:00") + """
[tenants.warehouses.connection]
host = "sftp.example.com"
port = 22
username = { env = "SFTP_USER" }
password = "literal-pw"
private_key = { stored = "sftp-key" }
"""
    assert problems(text) == [
        "tenants[0].warehouses[0].connection.password: 'password' holds a credential; a secret "
        'must not be written into the config file; reference it as { env = "VARIABLE" } (read '
        'from the environment) or { stored = "name" } (saved in the encrypted secret store)'
    ]


def test_urls_with_passwords_are_refused() -> None:
    text = TENANT + """
[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "https://user:pw-in-url@otto.example"
"""
    (found,) = problems(text)
    assert found.startswith("tenants[0].channels[0].base_url: base_url must not contain a pass")


def test_warehouse_values_are_checked() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="9:00").replace(
        "Europe/Berlin", "Europe/Hamburg").replace('street = "Weg 1", ', "").replace(
        'country_code = "DE"', 'country_code = "XX"')
    found = problems(text)
    assert 'tenants[0].warehouses[0].cutoff: cutoff must be "HH:MM" in 24-hour time, e.g. ' \
        '"14:30"' in found
    assert "tenants[0].warehouses[0].timezone: unknown time zone 'Europe/Hamburg' (use an " \
        "IANA name like Europe/Berlin)" in found
    assert "tenants[0].warehouses[0].ship_from.country_code: 'XX' is not an ISO 3166-1 " \
        "country code" in found


def test_ship_from_must_be_complete() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="09:00").replace('street = "Weg 1", ', "")
    assert problems(text) == [
        "tenants[0].warehouses[0].ship_from.street: required for a ship-from address"
    ]


def test_toml_local_time_is_accepted_for_cutoff() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="x").replace('"x"', "15:30:00")
    assert parse_config(text, {}).tenants[0].warehouses[0].cutoff == time(15, 30)


def test_amazon_needs_marketplaces_and_otto_has_none() -> None:
    text = TENANT + """
[[tenants.channels]]
id = "amazon"
kind = "amazon"
base_url = "http://127.0.0.1:8802"

[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "http://127.0.0.1:8801"
marketplace_ids = ["A1PA6795UKMFR9"]
"""
    assert problems(text) == [
        "tenants[0].channels[0].marketplace_ids: an Amazon channel needs at least one "
        "marketplace id",
        "tenants[0].channels[1].marketplace_ids: an OTTO channel has no marketplace ids",
    ]


def test_references_between_tables_are_checked() -> None:
    text = TENANT + WAREHOUSE.format(id="a", cutoff="14:00") + WAREHOUSE.format(
        id="a", cutoff="14:00") + """
[[tenants.channels]]
id = "otto"
kind = "otto"
base_url = "http://127.0.0.1:8801"

[tenants.stock_policy.channels.amazon]
percentage = 50
[tenants.stock_policy.channels.otto]
warehouses = ["a", "zz"]

[[tenants.schedules]]
flow = "orders"
every_seconds = 60
channel = "ottoo"
warehouse = "a"
"""
    assert problems(text) == [
        "tenants[0].warehouses[1].id: duplicate id 'a'",
        "tenants[0].schedules[0].channel: unknown channel 'ottoo' (known: otto)",
        "tenants[0].stock_policy.channels.amazon: unknown channel 'amazon' (known: otto)",
        "tenants[0].stock_policy.channels.otto.warehouses[1]: unknown warehouse 'zz' "
        "(known: a)",
    ]


def test_duplicate_tenants_are_refused() -> None:
    assert problems(TENANT + TENANT) == ["tenants[1].id: duplicate id 'acme'"]


def test_alert_targets() -> None:
    text = TENANT + """
[[tenants.alerts]]
id = "hook"
kind = "webhook"

[[tenants.alerts]]
id = "mail"
kind = "email"
to = ["ops@example.com", "nobody"]

[[tenants.alerts]]
id = "log"
kind = "log"
url = "http://127.0.0.1:9/x"
"""
    assert problems(text) == [
        "tenants[0].alerts[0].url: a webhook alert needs url",
        "tenants[0].alerts[1].to: not an e-mail address: nobody",
        "tenants[0].alerts[2].url: url applies to webhook alerts, not log",
    ]


def test_invalid_toml_names_the_position() -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        parse_config("[server]\nport = = 1\n", {})


def test_load_config_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "marketdock.toml"
    path.write_text(example_config(), encoding="utf-8")
    config = load_config(path, {})
    assert isinstance(config, Config)
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'marketdock.db'}"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", {})
    path.write_text(TENANT + "[[tenants.schedules]]\nflow = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"(?s){path}.*every_seconds: Field required"):
        load_config(path, {})


def test_lookups_name_what_is_missing() -> None:
    config = parse_config(example_config(), {})
    with pytest.raises(ConfigError, match="no tenant 'nope'"):
        config.tenant("nope")
    with pytest.raises(ConfigError, match="tenant 'demo' has no channel 'ebay'"):
        config.tenant("demo").channel("ebay")


@pytest.mark.parametrize(
    ("rule", "available", "shown"),
    [
        ({}, 10, 8),
        ({"percentage": 50}, 11, 4),
        ({"floor": 3}, 4, 0),
        ({"floor": 3}, 5, 3),
        ({"max_listed": 5}, 100, 5),
        ({}, 1, 0),
    ],
)
def test_stock_policy_publishable(rule: dict[str, int], available: int, shown: int) -> None:
    policy = StockPolicy(safety_buffer=2, channels={"otto": ChannelStockRule(**rule)})
    assert policy.publishable("otto", available) == shown
