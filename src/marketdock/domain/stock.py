"""Stock the warehouse reports for one SKU."""

from __future__ import annotations

from pydantic import Field, model_validator

from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record


class StockPosition(Record):
    """Quantities of one warehouse SKU at one warehouse at one moment.

    ``on_hand`` is everything physically there; ``allocated`` is held for orders the
    warehouse already knows; ``blocked`` cannot be sold (damaged, quarantined);
    ``available`` is what the warehouse can still pick for new orders. Warehouses compute
    these differently, so the only rule enforced is ``available <= on_hand``.
    """

    tenant_id: Identifier
    warehouse_id: Identifier
    sku: NonEmptyStr
    """The warehouse SKU."""
    on_hand: int = Field(ge=0)
    allocated: int = Field(default=0, ge=0)
    available: int = Field(ge=0)
    blocked: int = Field(default=0, ge=0)
    as_of: Instant

    @model_validator(mode="after")
    def _bounded(self) -> StockPosition:
        if self.available > self.on_hand:
            raise ValueError(
                f"available ({self.available}) exceeds on_hand ({self.on_hand})"
            )
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.tenant_id, self.warehouse_id, self.sku)
