"""Listings: what a channel sells, and which warehouse goods make it up."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from marketdock.domain.base import Identifier, NonEmptyStr, Record, ensure_unique

Ean = Annotated[str, StringConstraints(pattern=r"^(\d{8}|\d{12}|\d{13}|\d{14})$")]
"""A GTIN-8/12/13/14 as digits. Descriptive only: EANs are shared or missing too often to
serve as a key."""


class FulfilmentChannel(StrEnum):
    """Who ships a listing's orders."""

    MERCHANT = "merchant"
    """The tenant's warehouse ships (OTTO, Amazon MFN and Seller Fulfilled Prime)."""
    FBA = "fba"
    """Amazon ships from its own stock; warehouse quantity is never published to it."""


class ListingKind(StrEnum):
    """How a channel SKU maps to warehouse SKUs."""

    SINGLE = "single"
    """One unit of the channel SKU is one unit of one warehouse SKU."""
    KIT = "kit"
    """One unit of the channel SKU is a set of warehouse SKUs with quantities."""


class KitComponent(Record):
    """One warehouse SKU in a kit, with the units of it one kit contains."""

    warehouse_sku: NonEmptyStr
    quantity: int = Field(ge=1)


class Listing(Record):
    """A channel SKU on one channel account and the warehouse goods behind it.

    The channel SKU is the key; ``ean`` is an attribute only. A ``single`` listing names
    its ``warehouse_sku``; a ``kit`` lists its ``components`` instead.
    """

    tenant_id: Identifier
    channel_account_id: Identifier
    channel_sku: NonEmptyStr
    kind: ListingKind = ListingKind.SINGLE
    warehouse_sku: NonEmptyStr | None = None
    components: tuple[KitComponent, ...] = ()
    fulfilment: FulfilmentChannel = FulfilmentChannel.MERCHANT
    ean: Ean | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Listing:
        if self.kind is ListingKind.SINGLE:
            if self.warehouse_sku is None:
                raise ValueError("a single listing needs warehouse_sku")
            if self.components:
                raise ValueError("a single listing has no components; use kind 'kit'")
        else:
            if not self.components:
                raise ValueError("a kit needs at least one component")
            if self.warehouse_sku is not None:
                raise ValueError("a kit has components instead of warehouse_sku")
            ensure_unique((c.warehouse_sku for c in self.components), "kit component")
        return self

    @property
    def bill_of_materials(self) -> tuple[KitComponent, ...]:
        """The warehouse SKUs and units behind one unit of this listing, for both kinds."""
        if self.warehouse_sku is not None:
            return (KitComponent(warehouse_sku=self.warehouse_sku, quantity=1),)
        return self.components

    @property
    def receives_warehouse_stock(self) -> bool:
        """False for FBA listings: they must never be sent warehouse quantities."""
        return self.fulfilment is FulfilmentChannel.MERCHANT

    def warehouse_units(self, quantity: int) -> dict[str, int]:
        """Warehouse SKU → units needed for ``quantity`` units of this listing."""
        if quantity < 0:
            raise ValueError("quantity must not be negative")
        return {c.warehouse_sku: c.quantity * quantity for c in self.bill_of_materials}

    def sellable(self, available: Mapping[str, int]) -> int:
        """Whole units of this listing that ``available`` warehouse units can make up.

        A component missing from ``available`` counts as zero; negative figures count as
        zero too.
        """
        return min(
            max(available.get(c.warehouse_sku, 0), 0) // c.quantity
            for c in self.bill_of_materials
        )
