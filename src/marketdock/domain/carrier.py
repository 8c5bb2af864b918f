"""Carrier mappings: the warehouse's carrier and service → the marketplace's carrier code.

OTTO accepts only its own carrier enum; Amazon expects the carrier names of its
per-marketplace list, or ``Other`` with a free carrier name. The warehouse reports its own
codes, so every shipment goes through a mapping. Mappings may be general (any service,
any warehouse, any marketplace) or specific; the most specific match wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import model_validator

from marketdock.domain.accounts import ChannelKind, MarketplaceId
from marketdock.domain.base import Identifier, NonEmptyStr, Record
from marketdock.domain.carrier_codes import accepted_codes
from marketdock.errors import MappingError

AMAZON_OTHER = "Other"
"""Amazon's carrier code for carriers not on its list; needs ``carrier_name``."""


class CarrierMapping(Record):
    """One rule mapping a warehouse carrier (and optionally service) to a marketplace code.

    ``None`` in ``warehouse_id``, ``warehouse_service`` or ``marketplace_id`` means "any".
    Warehouse codes are compared case-insensitively.
    """

    tenant_id: Identifier
    channel: ChannelKind
    marketplace_id: MarketplaceId | None = None
    warehouse_id: Identifier | None = None
    warehouse_carrier: NonEmptyStr
    warehouse_service: NonEmptyStr | None = None
    marketplace_code: NonEmptyStr
    """OTTO carrier enum value (``DHL``, ``HERMES``…) or Amazon carrier code."""
    carrier_name: NonEmptyStr | None = None
    """Free carrier name, for Amazon ``Other`` only."""
    shipping_method: NonEmptyStr | None = None
    """Amazon ``shippingMethod`` (e.g. ``DHL Paket``), optional."""

    @model_validator(mode="after")
    def _channel_rules(self) -> CarrierMapping:
        accepted = accepted_codes(self.channel)
        if self.marketplace_code not in accepted:
            near = sorted(c for c in accepted if c.casefold() == self.marketplace_code.casefold()
                          or c.casefold().startswith(self.marketplace_code.casefold()[:3]))
            raise ValueError(
                f"{self.channel.value} does not accept carrier code {self.marketplace_code!r}"
                + (f" (did you mean {', '.join(repr(c) for c in near)}?)" if near else "")
                + ("; for a carrier not on Amazon's list use code 'Other' with its name"
                   if self.channel is ChannelKind.AMAZON else ""))
        if self.channel is ChannelKind.OTTO:
            for name in ("marketplace_id", "carrier_name", "shipping_method"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} applies to Amazon only")
        elif self.marketplace_code == AMAZON_OTHER:
            if self.carrier_name is None:
                raise ValueError("Amazon carrier code 'Other' needs carrier_name")
        elif self.carrier_name is not None:
            raise ValueError("carrier_name is only sent with Amazon carrier code 'Other'")
        return self

    def specificity(
        self,
        *,
        channel: ChannelKind,
        warehouse_carrier: str,
        warehouse_service: str | None,
        warehouse_id: str | None,
        marketplace_id: str | None,
    ) -> int | None:
        """How specifically this rule matches (higher wins), or ``None`` if it does not."""
        if channel is not self.channel:
            return None
        if warehouse_carrier.strip().casefold() != self.warehouse_carrier.casefold():
            return None
        score = 0
        for mine, theirs, weight in (
            (self.warehouse_service, warehouse_service, 4),
            (self.warehouse_id, warehouse_id, 2),
            (self.marketplace_id, marketplace_id, 1),
        ):
            if mine is None:
                continue
            if theirs is None or mine.casefold() != theirs.strip().casefold():
                return None
            score += weight
        return score


def resolve_carrier(
    mappings: Iterable[CarrierMapping],
    *,
    channel: ChannelKind,
    warehouse_carrier: str,
    warehouse_service: str | None = None,
    warehouse_id: str | None = None,
    marketplace_id: str | None = None,
) -> CarrierMapping:
    """The most specific mapping for a shipment.

    Raises :class:`marketdock.errors.MappingError` when no rule matches, or when two
    equally specific rules disagree on the marketplace code.
    """
    scored: list[tuple[int, CarrierMapping]] = []
    for mapping in mappings:
        score = mapping.specificity(
            channel=channel,
            warehouse_carrier=warehouse_carrier,
            warehouse_service=warehouse_service,
            warehouse_id=warehouse_id,
            marketplace_id=marketplace_id,
        )
        if score is not None:
            scored.append((score, mapping))
    described = f"carrier {warehouse_carrier!r}" + (
        f" service {warehouse_service!r}" if warehouse_service else ""
    ) + f" on {channel.value}" + (f" marketplace {marketplace_id}" if marketplace_id else "")
    if not scored:
        raise MappingError(
            f"no carrier mapping for warehouse {described}",
            warehouse_carrier=warehouse_carrier,
            warehouse_service=warehouse_service,
            channel=channel.value,
        )
    best = max(score for score, _ in scored)
    winners = [mapping for score, mapping in scored if score == best]
    results = {(m.marketplace_code, m.carrier_name, m.shipping_method) for m in winners}
    if len(results) > 1:
        codes = ", ".join(sorted(code for code, _, _ in results))
        raise MappingError(
            f"conflicting carrier mappings for warehouse {described}: {codes}",
            warehouse_carrier=warehouse_carrier,
            channel=channel.value,
        )
    return winners[0]
