"""Packages the warehouse shipped, as the hub confirms them to the marketplace."""

from __future__ import annotations

from pydantic import Field, model_validator

from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record, ensure_unique


class TrackingKey(Record):
    """A carrier and the tracking number it assigned."""

    carrier: NonEmptyStr
    tracking_number: NonEmptyStr


class PackageLine(Record):
    """Units of one order line in a package."""

    line_id: NonEmptyStr
    """The marketplace line id: OTTO ``positionItemId``, Amazon ``OrderItemId``."""
    quantity: int = Field(ge=1)


class Package(Record):
    """One parcel (or freight consignment) the warehouse handed to a carrier.

    ``carrier`` and ``service`` are the warehouse's own codes; a carrier mapping turns them
    into a code the marketplace accepts. ``tracking_number`` may be absent only for freight
    forwarders, which OTTO allows. ``return_tracking`` is the return label's key that OTTO
    requires for parcel items.
    """

    tenant_id: Identifier
    warehouse_id: Identifier
    package_ref: NonEmptyStr
    """The warehouse's id for the package; with the warehouse it identifies the package."""
    channel_account_id: Identifier
    marketplace_order_id: NonEmptyStr
    carrier: NonEmptyStr
    service: str | None = None
    tracking_number: NonEmptyStr | None = None
    return_tracking: TrackingKey | None = None
    lines: tuple[PackageLine, ...] = Field(min_length=1)
    shipped_at: Instant

    @model_validator(mode="after")
    def _lines(self) -> Package:
        ensure_unique((line.line_id for line in self.lines), "line id")
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        """(tenant, warehouse, package ref): unique across the hub."""
        return (self.tenant_id, self.warehouse_id, self.package_ref)

    def quantities(self) -> dict[str, int]:
        """Line id → units shipped in this package."""
        return {line.line_id: line.quantity for line in self.lines}
