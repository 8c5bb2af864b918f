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


class Parcel(Record):
    """A further box of a package whose units travel in several boxes (one wardrobe in
    three parcels): its own tracking number, and its own return label if it has one."""

    tracking_number: NonEmptyStr
    return_tracking: TrackingKey | None = None


class Package(Record):
    """One parcel (or freight consignment) the warehouse handed to a carrier.

    ``carrier`` and ``service`` are the warehouse's own codes; a carrier mapping turns them
    into a code the marketplace accepts. ``tracking_number`` may be absent only for freight
    forwarders, which OTTO allows. ``return_tracking`` is the return label's key that OTTO
    requires for parcel items.

    ``more_parcels`` holds the further boxes when the units of the package are too big for
    one: every box carries (part of) the same units, so each box has its own tracking number
    and the marketplace hears of them together (OTTO: a multi-parcel shipment).
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
    more_parcels: tuple[Parcel, ...] = ()

    @model_validator(mode="after")
    def _lines(self) -> Package:
        ensure_unique((line.line_id for line in self.lines), "line id")
        if self.more_parcels:
            if self.tracking_number is None:
                raise ValueError("a package in several parcels needs the tracking number of "
                                 "its first parcel")
            ensure_unique((self.tracking_number,
                           *(p.tracking_number for p in self.more_parcels)), "tracking number")
        return self

    def parcels(self) -> tuple[Package, ...]:
        """Every box of the package as a package of its own with the same lines: the first
        box is this package without the further ones, each further box takes its tracking
        number and return label and ``<package ref>/<n>`` as its reference."""
        first = self.evolve(more_parcels=())
        return (first, *(first.evolve(package_ref=f"{self.package_ref}/{n}",
                                      tracking_number=parcel.tracking_number,
                                      return_tracking=parcel.return_tracking)
                         for n, parcel in enumerate(self.more_parcels, start=2)))

    @property
    def key(self) -> tuple[str, str, str]:
        """(tenant, warehouse, package ref): unique across the hub."""
        return (self.tenant_id, self.warehouse_id, self.package_ref)

    def quantities(self) -> dict[str, int]:
        """Line id → units shipped in this package."""
        return {line.line_id: line.quantity for line in self.lines}
