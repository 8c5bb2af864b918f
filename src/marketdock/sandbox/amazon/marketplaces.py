"""Marketplaces the simulator knows and the carrier codes each one accepts."""

from __future__ import annotations

from dataclasses import dataclass

from marketdock.domain.carrier_codes import amazon_carrier_codes


@dataclass(frozen=True)
class Marketplace:
    code: str
    marketplace_id: str
    name: str
    currency: str
    country: str
    fba_channel: str


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("DE", "A1PA6795UKMFR9", "Amazon.de", "EUR", "DE", "AMAZON_EU"),
    Marketplace("UK", "A1F83G8C2ARO7P", "Amazon.co.uk", "GBP", "GB", "AMAZON_EU"),
    Marketplace("FR", "A13V1IB3VIYZZH", "Amazon.fr", "EUR", "FR", "AMAZON_EU"),
    Marketplace("IT", "APJ6JRA9NG5V4", "Amazon.it", "EUR", "IT", "AMAZON_EU"),
    Marketplace("ES", "A1RKKUPIHCS9HS", "Amazon.es", "EUR", "ES", "AMAZON_EU"),
    Marketplace("NL", "A1805IZSGTT6HS", "Amazon.nl", "EUR", "NL", "AMAZON_EU"),
    Marketplace("PL", "A1C3SOZRARQ6R3", "Amazon.pl", "PLN", "PL", "AMAZON_EU"),
    Marketplace("SE", "A2NODRKZP88ZB9", "Amazon.se", "SEK", "SE", "AMAZON_EU"),
    Marketplace("TR", "A33AVAJ2PDY3EV", "Amazon.com.tr", "TRY", "TR", "AMAZON_EU"),
    Marketplace("US", "ATVPDKIKX0DER", "Amazon.com", "USD", "US", "AMAZON_NA"),
    Marketplace("CA", "A2EUQ1WTGCTBG2", "Amazon.ca", "CAD", "CA", "AMAZON_NA"),
    Marketplace("BR", "A2Q3Y263D00KWC", "Amazon.com.br", "BRL", "BR", "AMAZON_NA"),
    Marketplace("JP", "A1VC38T7YXB528", "Amazon.co.jp", "JPY", "JP", "AMAZON_FE"),
)
BY_ID = {m.marketplace_id: m for m in MARKETPLACES}
BY_CODE = {m.code: m for m in MARKETPLACES}


def marketplace(code_or_id: str) -> Marketplace:
    """Look a marketplace up by its short code (``DE``) or its id (``A1PA6795UKMFR9``)."""
    found = BY_CODE.get(code_or_id.upper()) or BY_ID.get(code_or_id)
    if found is None:
        known = ", ".join(m.code for m in MARKETPLACES)
        raise KeyError(f"unknown marketplace {code_or_id!r} (known: {known})")
    return found


def default_carrier_codes() -> frozenset[str]:
    """Amazon's published CarrierCode values, the default list of every marketplace."""
    return amazon_carrier_codes()
