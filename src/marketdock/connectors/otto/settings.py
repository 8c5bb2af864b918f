"""Settings of one OTTO Market account, read from its channel config.

Secrets (``client_id``, ``client_secret``) come from the channel's ``credentials``; the rest
from ``options``. OTTO wants a ship-from address (city, zip code and an ISO alpha-3
country) on every shipment: the connector takes it per warehouse when it is given the
warehouses' addresses, and otherwise from the ``ship_from_*`` options.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marketdock.domain import Address
from marketdock.domain.countries import to_alpha3
from marketdock.errors import ConfigError

DEFAULT_SCOPES = "orders shipments availability returns receipts"


class ShipFrom(BaseModel):
    """OTTO's ``shipFromAddress``: where the parcels leave from."""

    model_config = ConfigDict(frozen=True)

    city: str = Field(min_length=1, max_length=60)
    zip_code: str = Field(min_length=1, max_length=10)
    country_code: str = Field(min_length=3, max_length=3)

    @field_validator("country_code", mode="before")
    @classmethod
    def _alpha3(cls, value: object) -> object:
        return to_alpha3(value) if isinstance(value, str) else value

    @classmethod
    def of(cls, address: Address) -> ShipFrom:
        """The ship-from part of a warehouse's address; :class:`ConfigError` when it lacks
        a city or postal code."""
        if not address.city or not address.postal_code:
            raise ConfigError(f"ship-from address {address.one_line()!r} lacks a city or "
                              "postal code, which OTTO requires")
        return cls(city=address.city, zip_code=address.postal_code,
                   country_code=address.country_code)


class OttoSettings(BaseModel):
    """Everything the connector needs to talk to one OTTO partner account."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    account: str
    """The channel id; names the account's rate-limit buckets and log lines."""
    base_url: str
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)
    scopes: str = DEFAULT_SCOPES
    token_path: str = "/v1/token"
    refresh_margin_seconds: float = Field(default=120.0, ge=0)
    """A token is renewed this long before it expires."""
    api_rate: float = Field(default=20.0, gt=0)
    """Requests per second per partner (OTTO: 20/s)."""
    token_rate: float = Field(default=10.0, gt=0)
    """Token requests per second (OTTO: 10/s per client IP). Every OTTO account of the
    installation shares one bucket, and each account sets its rate when it first takes a
    token there: give every account the same value."""
    page_size: int = Field(default=128, ge=1, le=128)
    ship_from: ShipFrom | None = None
    return_carrier: str | None = None
    """OTTO return carrier (DHL, GLS, HERMES) that replaces the warehouse's code for the
    return label, when the warehouse's code is not OTTO's."""

    @classmethod
    def from_channel(cls, account: str, base_url: str, credentials: Mapping[str, str],
                     options: Mapping[str, object]) -> OttoSettings:
        """Settings from resolved credentials and the channel's plain options.

        Options: ``scopes``, ``token_path``, ``page_size``, ``ship_from_city``,
        ``ship_from_zip_code``, ``ship_from_country``, ``return_carrier``.
        """
        missing = [key for key in ("client_id", "client_secret") if not credentials.get(key)]
        if missing:
            raise ConfigError(f"OTTO channel {account!r}: credentials lack {', '.join(missing)}")
        ship_keys = ("ship_from_city", "ship_from_zip_code", "ship_from_country")
        given = [key for key in ship_keys if key in options]
        if given and len(given) != len(ship_keys):
            absent = [key for key in ship_keys if key not in options]
            raise ConfigError(f"OTTO channel {account!r}: options lack {', '.join(absent)} "
                              "(the ship-from address needs city, zip code and country)")
        known = {"scopes", "token_path", "page_size", "return_carrier", *ship_keys}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(f"OTTO channel {account!r}: unknown option(s) "
                              f"{', '.join(unknown)}; known: {', '.join(sorted(known))}")
        fields: dict[str, object] = {
            "account": account, "base_url": base_url,
            "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
            **{key: options[key] for key in ("scopes", "token_path", "page_size",
                                             "return_carrier") if key in options},
        }
        if given:
            fields["ship_from"] = {"city": options["ship_from_city"],
                                   "zip_code": options["ship_from_zip_code"],
                                   "country_code": options["ship_from_country"]}
        try:
            return cls.model_validate(fields)
        except ValueError as exc:
            raise ConfigError(f"OTTO channel {account!r}: {exc}") from exc
