"""Domain records of marketdock: immutable, validated values with no I/O.

Modules by concept:

- :mod:`~marketdock.domain.base`: the :class:`Record` base (``create``, ``evolve``) and
  shared field types;
- :mod:`~marketdock.domain.money`, :mod:`~marketdock.domain.address`,
  :mod:`~marketdock.domain.countries`: values used inside records;
- :mod:`~marketdock.domain.accounts`: tenants, channel accounts, warehouses;
- :mod:`~marketdock.domain.listing`: channel SKU → warehouse SKU or kit;
- :mod:`~marketdock.domain.order`, :mod:`~marketdock.domain.package`,
  :mod:`~marketdock.domain.stock`, :mod:`~marketdock.domain.carrier`;
- :mod:`~marketdock.domain.business` (business exceptions) and
  :mod:`~marketdock.domain.audit`.
"""

from marketdock.domain.accounts import (
    ChannelAccount,
    ChannelKind,
    MarketplaceId,
    Tenant,
    TenantStatus,
    Warehouse,
    WarehouseKind,
    time_zone,
)
from marketdock.domain.address import SHIPPING_FIELDS, Address
from marketdock.domain.audit import AuditEvent
from marketdock.domain.base import Identifier, Instant, NonEmptyStr, Record
from marketdock.domain.business import BusinessException, ExceptionStatus
from marketdock.domain.carrier import AMAZON_OTHER, CarrierMapping, resolve_carrier
from marketdock.domain.countries import is_country_code, to_alpha2, to_alpha3
from marketdock.domain.listing import Ean, FulfilmentChannel, KitComponent, Listing, ListingKind
from marketdock.domain.money import Currency, CurrencyMismatch, Money
from marketdock.domain.order import LineStatus, Order, OrderLine, OrderStatus
from marketdock.domain.package import Package, PackageLine, Parcel, TrackingKey
from marketdock.domain.stock import StockPosition

__all__ = [
    "AMAZON_OTHER",
    "Address",
    "AuditEvent",
    "BusinessException",
    "CarrierMapping",
    "ChannelAccount",
    "ChannelKind",
    "Currency",
    "CurrencyMismatch",
    "Ean",
    "ExceptionStatus",
    "FulfilmentChannel",
    "Identifier",
    "Instant",
    "KitComponent",
    "LineStatus",
    "Listing",
    "ListingKind",
    "MarketplaceId",
    "Money",
    "NonEmptyStr",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Package",
    "PackageLine",
    "Parcel",
    "Record",
    "SHIPPING_FIELDS",
    "StockPosition",
    "Tenant",
    "TenantStatus",
    "TrackingKey",
    "Warehouse",
    "WarehouseKind",
    "is_country_code",
    "resolve_carrier",
    "time_zone",
    "to_alpha2",
    "to_alpha3",
]
