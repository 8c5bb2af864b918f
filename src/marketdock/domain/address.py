"""Postal addresses of customers and warehouses.

An :class:`Address` holds what a marketplace sends; only the country is mandatory at
construction, because marketplaces legitimately withhold parts (OTTO sends no address
while an order is announced; Amazon's ``Name`` became optional). Whether an address is
complete enough to ship to is a separate question answered by :meth:`Address.missing`
and :meth:`Address.require`, so an incomplete address becomes a business exception with
a clear reason rather than a parse failure. Field lengths a particular warehouse accepts
are checked by that warehouse's connector, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import field_validator, model_validator

from marketdock.domain.base import Record
from marketdock.domain.countries import to_alpha2, to_alpha3
from marketdock.errors import ValidationError

SHIPPING_FIELDS: tuple[str, ...] = ("name", "street", "postal_code", "city", "country_code")
"""Fields a parcel address needs. ``name`` counts as present when ``company`` is set."""


class Address(Record):
    """A postal address. Blank strings are stored as ``None``; the country is stored as
    an ISO 3166-1 alpha-2 code whether alpha-2 or alpha-3 was given."""

    name: str | None = None
    company: str | None = None
    street: str | None = None
    house_number: str | None = None
    line2: str | None = None
    line3: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country_code: str
    phone: str | None = None
    email: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_to_none(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: (value.strip() or None) if isinstance(value, str) else value
                for key, value in data.items()
            }
        return data

    @field_validator("country_code", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("country_code is required")
        if isinstance(value, str):
            return to_alpha2(value)
        return value

    @property
    def country_alpha3(self) -> str:
        """The country as ISO 3166-1 alpha-3 (what OTTO uses)."""
        return to_alpha3(self.country_code)

    def missing(self, required: Iterable[str] = SHIPPING_FIELDS) -> list[str]:
        """Names of ``required`` fields that are empty, in the order given.

        ``name`` is satisfied by either a person's name or a company name.
        """
        gaps = []
        for field in required:
            if field not in type(self).model_fields:
                raise ValueError(f"Address has no field {field!r}")
            if field == "name":
                present = bool(self.name or self.company)
            else:
                present = getattr(self, field) is not None
            if not present:
                gaps.append(field)
        return gaps

    def require(self, required: Iterable[str] = SHIPPING_FIELDS, *, what: str = "address") -> None:
        """Raise :class:`marketdock.errors.ValidationError` listing every missing field."""
        gaps = self.missing(required)
        if gaps:
            raise ValidationError(f"{what} lacks {', '.join(gaps)}", missing=gaps)

    def one_line(self) -> str:
        """A compact human-readable form for messages and dashboards."""
        street = " ".join(part for part in (self.street, self.house_number) if part)
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.company or self.name, street, place, self.country_code)
        return ", ".join(part for part in parts if part)
