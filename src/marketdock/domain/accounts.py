"""Who the hub works for and where: tenants, marketplace accounts and warehouses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator, model_validator

from marketdock.domain.address import Address
from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record, ensure_unique

MarketplaceId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{8,20}$")]
"""An Amazon marketplace id such as ``A1PA6795UKMFR9`` (Germany)."""


class ChannelKind(StrEnum):
    """The marketplace a channel account belongs to."""

    OTTO = "otto"
    """OTTO Market (one partner account, no marketplace ids)."""
    AMAZON = "amazon"
    """Amazon Selling Partner API (a seller account selling in one or more marketplaces)."""


class TenantStatus(StrEnum):
    """Whether the hub runs flows for a tenant."""

    ACTIVE = "active"
    """Flows run on schedule."""
    SUSPENDED = "suspended"
    """No flow runs; data is kept and visible."""


class Tenant(Record):
    """A merchant whose data the hub keeps apart from every other merchant's."""

    id: Identifier
    name: NonEmptyStr
    status: TenantStatus = TenantStatus.ACTIVE


class ChannelAccount(Record):
    """One seller account on one marketplace, owned by a tenant."""

    tenant_id: Identifier
    id: Identifier
    kind: ChannelKind
    marketplace_ids: tuple[MarketplaceId, ...] = ()
    """Amazon marketplaces this account sells in (at least one); always empty for OTTO."""

    @model_validator(mode="after")
    def _marketplaces(self) -> ChannelAccount:
        ensure_unique(self.marketplace_ids, "marketplace id")
        if self.kind is ChannelKind.AMAZON and not self.marketplace_ids:
            raise ValueError("an Amazon account needs at least one marketplace id")
        if self.kind is ChannelKind.OTTO and self.marketplace_ids:
            raise ValueError("an OTTO account has no marketplace ids")
        return self


class WarehouseKind(StrEnum):
    """How the hub talks to a warehouse."""

    REST = "rest"
    """A WMS with an HTTP API."""
    X12 = "x12"
    """ANSI X12 EDI documents (940/945/846/856/944) exchanged over SFTP."""
    EDIFACT = "edifact"
    """EDIFACT (EANCOM D96A) messages (ORDERS/DESADV/INVRPT) exchanged over SFTP."""
    CSV = "csv"
    """CSV files exchanged over SFTP."""


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``ValueError`` naming it when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)") \
            from exc


class Warehouse(Record):
    """A warehouse (3PL site) that picks, packs and ships a tenant's goods.

    ``cutoff`` is the local time (in ``timezone``) until which an order released to the
    warehouse is shipped the same working day; ``handling_days`` is the number of days the
    warehouse needs after the cut-off day before handing over to the carrier (0 = same day).
    """

    tenant_id: Identifier
    id: Identifier
    kind: WarehouseKind
    cutoff: time
    timezone: str
    handling_days: int = Field(ge=0, le=30)
    ship_from: Address

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        time_zone(value)
        return value

    @field_validator("cutoff")
    @classmethod
    def _naive_cutoff(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("cutoff is a local wall-clock time; give the zone in timezone")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return time_zone(self.timezone)

    def cutoff_on(self, day: date) -> datetime:
        """The cut-off instant on the local calendar ``day``."""
        return datetime.combine(day, self.cutoff, tzinfo=self.tz)

    def next_cutoff(self, now: Instant) -> datetime:
        """The first cut-off at or after ``now`` (an aware instant), in local time.

        Weekends and holidays are not modelled: every calendar day has a cut-off.
        """
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        local = now.astimezone(self.tz)
        today = self.cutoff_on(local.date())
        return today if today >= local else self.cutoff_on(local.date() + timedelta(days=1))
