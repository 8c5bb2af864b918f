"""``marketdock.toml``: the configuration of one installation.

:func:`load_config` reads the file, :func:`parse_config` reads TOML text. Either returns
an immutable :class:`Config` or raises :class:`marketdock.errors.ConfigError` listing
every problem found, each with its key path (``tenants[0].warehouses[1].cutoff``).
Unknown keys are refused (a typo must not silently fall back to a default), and so is a
credential written into the file: secrets are references (see :mod:`marketdock.secrets`).

The environment is read only through the ``environ`` mapping given to the loader
(``os.environ`` by default): ``MARKETDOCK_DATABASE_URL`` overrides ``database_url``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from marketdock.domain.accounts import (
    ChannelAccount,
    ChannelKind,
    MarketplaceId,
    Tenant,
    Warehouse,
    WarehouseKind,
    time_zone,
)
from marketdock.domain.address import Address
from marketdock.domain.base import Identifier, NonEmptyStr, error_lines
from marketdock.domain.countries import to_alpha2
from marketdock.errors import ConfigError
from marketdock.logs import is_sensitive_key, register_secret
from marketdock.secrets import PLAINTEXT_SECRET_HINT, SecretRef

DATABASE_URL_ENV = "MARKETDOCK_DATABASE_URL"
DEFAULT_DATABASE_FILE = "marketdock.db"

Scalar = str | int | float | bool
Loc = tuple[str | int, ...]

_CUTOFF = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _problems(title: str, problems: list[tuple[Loc, str]]) -> pydantic.ValidationError:
    """A validation error with one entry per (location, message), merged by pydantic into
    the enclosing location."""
    return pydantic.ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(type=PydanticCustomError("config", message), loc=loc, input=None)
            for loc, message in problems
        ],
    )


def _check_url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} must be an http:// or https:// URL with a host")
    if parts.password is not None:
        raise ValueError(f"{what} must not contain a password; {PLAINTEXT_SECRET_HINT}")
    return value.rstrip("/")


def _check_plain_settings(settings: Mapping[str, Any], title: str) -> None:
    """Refuse literal values under credential-like keys (``password``, ``api_key``…)."""
    problems: list[tuple[Loc, str]] = [
        ((key,), f"{key!r} holds a credential; {PLAINTEXT_SECRET_HINT}")
        for key, value in settings.items()
        if is_sensitive_key(key) and not isinstance(value, SecretRef)
    ]
    if problems:
        raise _problems(title, problems)


class Section(BaseModel):
    """Base of every config table: immutable, unknown keys refused, defaults validated.

    Errors never carry the input value, which may be a secret written by mistake.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, hide_input_in_errors=True
    )


CountryCode = Annotated[str, pydantic.AfterValidator(to_alpha2)]
"""An ISO 3166-1 country code, alpha-2 or alpha-3, stored as alpha-2."""


class ServerConfig(Section):
    """``[server]``: where the HTTP API and dashboard listen."""

    host: NonEmptyStr = "127.0.0.1"
    port: int = Field(default=8800, ge=1, le=65535)


class WorkerConfig(Section):
    """``[worker]``: how a worker process claims and runs jobs."""

    concurrency: int = Field(default=4, ge=1, le=256)
    """Jobs run at the same time by one worker process."""
    lease_seconds: int = Field(default=60, ge=5, le=86400)
    """How long a claimed job stays ours without a heartbeat before others may take it."""
    poll_interval: float = Field(default=1.0, gt=0, le=3600)
    """Seconds between looks for new jobs when the queue is empty."""
    prefetch: int = Field(default=1, ge=1, le=100)
    """Jobs claimed at once per worker thread: more is faster for short jobs, but a newly
    urgent job may wait until the prefetched ones are done."""


class LogConfig(Section):
    """``[log]``: arguments for :func:`marketdock.logs.configure_logging`."""

    level: Literal["debug", "info", "warning", "error", "critical"] = "info"
    json_lines: bool = Field(default=False, alias="json")


class ChannelConfig(Section):
    """``[[tenants.channels]]``: one marketplace account."""

    id: Identifier
    kind: ChannelKind
    base_url: str
    marketplace_ids: tuple[MarketplaceId, ...] = ()
    credentials: dict[str, SecretRef] = Field(default_factory=dict)
    options: dict[str, Scalar] = Field(default_factory=dict)
    """Connector settings that are not secrets."""

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value, "base_url")

    @field_validator("marketplace_ids")
    @classmethod
    def _marketplaces(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        kind = info.data.get("kind")
        if kind is ChannelKind.AMAZON and not value:
            raise ValueError("an Amazon channel needs at least one marketplace id")
        if kind is ChannelKind.OTTO and value:
            raise ValueError("an OTTO channel has no marketplace ids")
        if len(set(value)) != len(value):
            raise ValueError("marketplace ids must not repeat")
        return value

    @field_validator("options")
    @classmethod
    def _no_secrets(cls, value: dict[str, Scalar]) -> dict[str, Scalar]:
        _check_plain_settings(value, "options")
        return value

    def to_account(self, tenant_id: str) -> ChannelAccount:
        return ChannelAccount(
            tenant_id=tenant_id, id=self.id, kind=self.kind, marketplace_ids=self.marketplace_ids
        )


class WarehouseConfig(Section):
    """``[[tenants.warehouses]]``: one warehouse and how to reach it."""

    id: Identifier
    kind: WarehouseKind
    cutoff: time
    """Local cut-off as ``"HH:MM"`` (24-hour) in ``timezone``."""
    timezone: str
    handling_days: int = Field(default=0, ge=0, le=30)
    ship_from: Address
    ships_to: tuple[CountryCode, ...] = ()
    """ISO country codes the warehouse's carriers serve; empty: every country."""
    connection: dict[str, Scalar | SecretRef] = Field(default_factory=dict)
    """Connector settings; credential-like keys must be secret references."""

    @field_validator("cutoff", mode="before")
    @classmethod
    def _cutoff(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _CUTOFF.match(value.strip())
            if match is None:
                raise ValueError('cutoff must be "HH:MM" in 24-hour time, e.g. "14:30"')
            return time(int(match[1]), int(match[2]))
        if isinstance(value, time) and value.tzinfo is None:
            return value
        raise ValueError('cutoff must be "HH:MM" in 24-hour time, e.g. "14:30"')

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        time_zone(value)
        return value

    @field_validator("ship_from")
    @classmethod
    def _complete(cls, value: Address) -> Address:
        problems: list[tuple[Loc, str]] = [
            ((field,), "required for a ship-from address") for field in value.missing()
        ]
        if problems:
            raise _problems("ship_from", problems)
        return value

    @field_validator("connection")
    @classmethod
    def _no_secrets(
        cls, value: dict[str, Scalar | SecretRef]
    ) -> dict[str, Scalar | SecretRef]:
        _check_plain_settings(value, "connection")
        return value

    def to_warehouse(self, tenant_id: str) -> Warehouse:
        return Warehouse(
            tenant_id=tenant_id, id=self.id, kind=self.kind, cutoff=self.cutoff,
            timezone=self.timezone, handling_days=self.handling_days, ship_from=self.ship_from,
        )


class ChannelStockRule(Section):
    """``[tenants.stock_policy.channels.<channel id>]``: what one channel may be shown.

    Applied in this order to the units left after the safety buffer: take ``percentage``
    (rounded down); publish 0 if the result is below ``floor``; cap at ``max_listed``.
    """

    percentage: Decimal = Field(default=Decimal(100), ge=0, le=100)
    floor: int = Field(default=0, ge=0)
    """Below this many units the channel is shown 0, so the last units are not oversold."""
    max_listed: int | None = Field(default=None, ge=0)
    warehouses: tuple[Identifier, ...] | None = None
    """Warehouses whose stock is summed for this channel; all of the tenant's if absent."""

    def apply(self, units: int) -> int:
        shown = int((Decimal(max(units, 0)) * self.percentage / 100).to_integral_value(
            rounding=ROUND_DOWN
        ))
        if shown < self.floor:
            return 0
        return shown if self.max_listed is None else min(shown, self.max_listed)


class StockPolicy(Section):
    """``[tenants.stock_policy]``: how much stock each channel is shown."""

    safety_buffer: int = Field(default=0, ge=0)
    """Units per SKU never published, taken off the sum over warehouses."""
    channels: dict[Identifier, ChannelStockRule] = Field(default_factory=dict)

    def publishable(self, channel_id: str, available: int) -> int:
        """Units to publish on ``channel_id`` when ``available`` units can be sold
        (pickable summed over the channel's warehouses, less open reservations)."""
        rule = self.channels.get(channel_id, ChannelStockRule())
        return rule.apply(available - self.safety_buffer)


class ScheduleConfig(Section):
    """``[[tenants.schedules]]``: run a flow every N seconds."""

    flow: Identifier
    every_seconds: int = Field(ge=1, le=7 * 86400)
    channel: Identifier | None = None
    warehouse: Identifier | None = None


class AlertConfig(Section):
    """``[[tenants.alerts]]``: where alerts about business exceptions go."""

    id: Identifier
    kind: Literal["webhook", "email", "log"]
    url: str | None = None
    """For ``webhook``: the URL alerts are POSTed to."""
    to: tuple[str, ...] = ()
    """For ``email``: the recipients."""
    credentials: dict[str, SecretRef] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == "webhook":
            if value is None:
                raise ValueError("a webhook alert needs url")
            return _check_url(value, "url")
        if value is not None:
            raise ValueError(f"url applies to webhook alerts, not {kind}")
        return value

    @field_validator("to")
    @classmethod
    def _recipients(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        kind = info.data.get("kind")
        if kind == "email":
            if not value:
                raise ValueError("an email alert needs at least one address in to")
            bad = [address for address in value if not _EMAIL.match(address)]
            if bad:
                raise ValueError(f"not an e-mail address: {', '.join(bad)}")
        elif value:
            raise ValueError(f"to applies to email alerts, not {kind}")
        return value


def _duplicates(ids: list[str]) -> list[int]:
    seen: set[str] = set()
    repeated = []
    for index, value in enumerate(ids):
        if value in seen:
            repeated.append(index)
        seen.add(value)
    return repeated


class RoutingConfig(Section):
    """``[tenants.routing]``: which warehouse ships an order (default: the first one)."""

    by_country: dict[CountryCode, Identifier] = Field(default_factory=dict)
    """Destination country → warehouse id."""
    by_sku: dict[NonEmptyStr, Identifier] = Field(default_factory=dict)
    """Warehouse SKU → warehouse id; an order containing it goes there (checked first)."""


class TenantConfig(Section):
    """``[[tenants]]``: one merchant and everything that belongs to it."""

    id: Identifier
    name: NonEmptyStr
    channels: tuple[ChannelConfig, ...] = ()
    warehouses: tuple[WarehouseConfig, ...] = ()
    stock_policy: StockPolicy = Field(default_factory=StockPolicy)
    schedules: tuple[ScheduleConfig, ...] = ()
    alerts: tuple[AlertConfig, ...] = ()
    routing: RoutingConfig = Field(default_factory=RoutingConfig)

    @model_validator(mode="after")
    def _references(self) -> TenantConfig:
        problems: list[tuple[Loc, str]] = []
        for table, items in (("channels", self.channels), ("warehouses", self.warehouses),
                             ("alerts", self.alerts)):
            ids = [item.id for item in items]
            problems += [((table, index, "id"), f"duplicate id {ids[index]!r}")
                         for index in _duplicates(ids)]
        channels = {channel.id for channel in self.channels}
        warehouses = {warehouse.id for warehouse in self.warehouses}
        for index, schedule in enumerate(self.schedules):
            if schedule.channel is not None and schedule.channel not in channels:
                problems.append((("schedules", index, "channel"),
                                 _unknown("channel", schedule.channel, channels)))
            if schedule.warehouse is not None and schedule.warehouse not in warehouses:
                problems.append((("schedules", index, "warehouse"),
                                 _unknown("warehouse", schedule.warehouse, warehouses)))
        for channel_id, rule in self.stock_policy.channels.items():
            if channel_id not in channels:
                problems.append((("stock_policy", "channels", channel_id),
                                 _unknown("channel", channel_id, channels)))
            for index, warehouse_id in enumerate(rule.warehouses or ()):
                if warehouse_id not in warehouses:
                    problems.append((
                        ("stock_policy", "channels", channel_id, "warehouses", index),
                        _unknown("warehouse", warehouse_id, warehouses),
                    ))
        for rule_name, targets in (("by_country", self.routing.by_country),
                                   ("by_sku", self.routing.by_sku)):
            for key, warehouse_id in targets.items():
                if warehouse_id not in warehouses:
                    problems.append((("routing", rule_name, key),
                                     _unknown("warehouse", warehouse_id, warehouses)))
        if problems:
            raise _problems("tenant", problems)
        return self

    def channel(self, channel_id: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise ConfigError(f"tenant {self.id!r} has no channel {channel_id!r}")

    def warehouse(self, warehouse_id: str) -> WarehouseConfig:
        for warehouse in self.warehouses:
            if warehouse.id == warehouse_id:
                return warehouse
        raise ConfigError(f"tenant {self.id!r} has no warehouse {warehouse_id!r}")

    def to_tenant(self) -> Tenant:
        return Tenant(id=self.id, name=self.name)


def _unknown(what: str, value: str, known: set[str]) -> str:
    listed = ", ".join(sorted(known)) if known else "none defined"
    return f"unknown {what} {value!r} (known: {listed})"


class Config(Section):
    """The whole of ``marketdock.toml``."""

    database_url: str
    server: ServerConfig = Field(default_factory=ServerConfig)
    worker: WorkerConfig = Field(default_factory=WorkerConfig)
    log: LogConfig = Field(default_factory=LogConfig)
    tenants: tuple[TenantConfig, ...] = ()

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not re.match(r"^[a-z][a-z0-9+]*://", value):
            raise ValueError(
                "database_url must be a URL such as sqlite:///marketdock.db or "
                "postgresql+psycopg://user@host/db"
            )
        return value

    @model_validator(mode="after")
    def _unique_tenants(self) -> Config:
        ids = [tenant.id for tenant in self.tenants]
        problems: list[tuple[Loc, str]] = [
            (("tenants", index, "id"), f"duplicate id {ids[index]!r}")
            for index in _duplicates(ids)
        ]
        if problems:
            raise _problems("config", problems)
        return self

    def tenant(self, tenant_id: str) -> TenantConfig:
        for tenant in self.tenants:
            if tenant.id == tenant_id:
                return tenant
        raise ConfigError(f"no tenant {tenant_id!r} in the configuration")


_KNOWN_KEYS = sorted({
    field.alias or name
    for model in (Config, ServerConfig, WorkerConfig, LogConfig, TenantConfig, ChannelConfig,
                  RoutingConfig,
                  WarehouseConfig, StockPolicy, ChannelStockRule, ScheduleConfig, AlertConfig,
                  Address, SecretRef)
    for name, field in model.model_fields.items()
})


def _messages(exc: pydantic.ValidationError, env_database_url: bool) -> list[str]:
    lines = []
    for line, error in zip(error_lines(exc), exc.errors(include_input=False), strict=True):
        if error["type"] == "extra_forbidden":
            key = str(error["loc"][-1])
            guess = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            line = line.replace("Extra inputs are not permitted", "unknown key" + (
                f" (did you mean {guess[0]!r}?)" if guess else ""))
        if env_database_url and error["loc"][:1] == ("database_url",):
            line = line.replace("database_url", DATABASE_URL_ENV, 1)
        lines.append(line)
    return lines


def _database_url(data: dict[str, Any], environ: Mapping[str, str], base_dir: Path) -> bool:
    """Fill in ``database_url``; True when it comes from the environment."""
    from_env = environ.get(DATABASE_URL_ENV, "")
    if from_env:
        data["database_url"] = from_env
        password = urlsplit(from_env).password
        if password:
            register_secret(password)
        return True
    url = data.get("database_url")
    if url is None:
        data["database_url"] = f"sqlite:///{(base_dir / DEFAULT_DATABASE_FILE).resolve()}"
    elif isinstance(url, str):
        if urlsplit(url).password is not None:
            raise ConfigError(
                "database_url: the database password must not be in the config file; "
                f"set {DATABASE_URL_ENV} in the environment instead"
            )
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///"):])
            if not path.is_absolute():
                data["database_url"] = f"sqlite:///{(base_dir / path).resolve()}"
    return False


def parse_config(
    text: str,
    environ: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    *,
    source: str = "marketdock.toml",
) -> Config:
    """Parse TOML ``text`` into a :class:`Config`.

    ``base_dir`` anchors relative SQLite paths and the default database file (default:
    the current directory). ``source`` names the text in error messages.
    """
    env = os.environ if environ is None else environ
    base = Path.cwd() if base_dir is None else base_dir
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from exc
    from_env = _database_url(data, env, base)
    try:
        return Config.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = _messages(exc, from_env)
        raise ConfigError(
            f"{source} has {len(problems)} problem(s):\n"
            + "\n".join(f"  - {problem}" for problem in problems),
            problems=problems,
        ) from exc


def load_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    """Read and parse the config file at ``path``; relative paths in it are taken from the
    file's directory."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {file} not found"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {file} cannot be read: {exc}") from exc
    return parse_config(text, environ, file.parent, source=str(file))


_EXAMPLE = """\
# marketdock.toml: the configuration of one marketdock installation.
#
# Secrets never go into this file. Wherever a credential is needed, write a reference:
#   { env = "VARIABLE" }   read from the environment of the marketdock process
#   { stored = "name" }    read from the encrypted secret store of the tenant
#                          (encrypted with the key in MARKETDOCK_SECRET_KEY)

# The database. Without this line: an SQLite file marketdock.db next to this file.
# MARKETDOCK_DATABASE_URL in the environment overrides it (put passwords there).
# database_url = "postgresql+psycopg://marketdock@db.internal/marketdock"

[server]                    # HTTP API and dashboard
host = "127.0.0.1"
port = 8800

[worker]                    # each `marketdock worker` process
concurrency = 4             # jobs run at the same time
lease_seconds = 60          # a silent worker loses its job after this long
poll_interval = 1.0         # seconds between looks at an empty queue

[log]
level = "info"              # debug, info, warning, error, critical
json = false                # true: one JSON object per line

[[tenants]]                 # one merchant; repeat the block for more
id = "demo"
name = "Demo Brand GmbH"

[[tenants.channels]]        # OTTO Market (here: the local sandbox)
id = "otto"
kind = "otto"
base_url = "http://127.0.0.1:8801"
[tenants.channels.credentials]
client_id = { env = "OTTO_CLIENT_ID" }
client_secret = { env = "OTTO_CLIENT_SECRET" }

[[tenants.channels]]        # Amazon Selling Partner API (here: the local sandbox)
id = "amazon-eu"
kind = "amazon"
base_url = "http://127.0.0.1:8802"
marketplace_ids = ["A1PA6795UKMFR9"]          # amazon.de
[tenants.channels.options]
seller_id = "A2MARKETDOCKSIM"                 # your merchant token (Seller Central)
[tenants.channels.credentials]
client_id = { env = "AMAZON_LWA_CLIENT_ID" }
client_secret = { stored = "amazon-lwa-client-secret" }
refresh_token = { stored = "amazon-refresh-token" }

[[tenants.warehouses]]      # a 3PL with a REST API (here: the local sandbox)
id = "main"
kind = "rest"               # rest, x12, edifact or csv
cutoff = "14:00"            # orders released before this local time ship the same day
timezone = "Europe/Berlin"
handling_days = 0           # days after the cut-off day until hand-over to the carrier
[tenants.warehouses.ship_from]
company = "Demo Fulfilment GmbH"
street = "Lagerstrasse"
house_number = "12"
postal_code = "21079"
city = "Hamburg"
country_code = "DE"
[tenants.warehouses.connection]
base_url = "http://127.0.0.1:8803"
api_key = { env = "WMS_API_KEY" }

[tenants.stock_policy]
safety_buffer = 2           # units per SKU never published
[tenants.stock_policy.channels.otto]
percentage = 100            # share of the sellable units shown
floor = 1                   # show 0 below this many units
max_listed = 500            # never show more than this
[tenants.stock_policy.channels.amazon-eu]
percentage = 90
# warehouses = ["main"]     # sum only these warehouses (default: all of the tenant's)

[[tenants.schedules]]
flow = "orders"             # new and changed orders from every channel
every_seconds = 120

[[tenants.schedules]]
flow = "shipments"          # packages and short-picks from every warehouse
every_seconds = 120

[[tenants.schedules]]
flow = "stock"              # warehouse stock in, changed quantities out
every_seconds = 900

[[tenants.schedules]]
flow = "stock.full"         # every quantity again, changed or not
every_seconds = 86400

[[tenants.schedules]]
flow = "stock.read_back"    # find and heal quantities the marketplace did not apply
every_seconds = 3600

[[tenants.schedules]]
flow = "returns"            # announced customer returns, expected at the warehouse
every_seconds = 900

[[tenants.schedules]]
flow = "receipts"           # marketplace receipts, kept for finance
every_seconds = 3600

[[tenants.schedules]]
flow = "inbound"            # receipts of announced goods, differences as exceptions
every_seconds = 900

[[tenants.schedules]]
flow = "housekeeping"       # purge old jobs and logs
every_seconds = 86400

[[tenants.alerts]]          # business exceptions are written to the log
id = "log"
kind = "log"

# [[tenants.alerts]]        # ... or POSTed to a webhook
# id = "ops"
# kind = "webhook"
# url = "https://alerts.example.com/marketdock"
# credentials = { token = { env = "ALERT_WEBHOOK_TOKEN" } }
"""


def example_config() -> str:
    """A commented example ``marketdock.toml`` for the local sandbox."""
    return _EXAMPLE
