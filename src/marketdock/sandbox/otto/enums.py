"""Enumerations of the OTTO Market API as the simulator enforces them (2025-04 snapshot).

The lists are copied from the contract files (carriers.txt, return-carriers.txt, enums.json);
a contract test keeps them equal. OTTO grows these enums over time, so a connector must map
codes through a table and treat unknown values in responses as valid-but-unknown.
"""

from __future__ import annotations

from typing import Final

from marketdock.domain.carrier_codes import OTTO_CARRIERS, OTTO_RETURN_CARRIERS

CARRIERS: Final = OTTO_CARRIERS
"""Valid ``trackingKey.carrier`` values of Shipments-V1."""

PARCEL_CARRIERS: Final = frozenset({"DHL", "DHL_EXPRESS", "GLS", "HERMES", "DPD", "UPS"})
"""Carriers OTTO's seller pages call parcel services: a tracking number is mandatory."""

RETURN_CARRIERS: Final = OTTO_RETURN_CARRIERS
"""Valid ``returnTrackingKey.carrier`` values."""

ANNOUNCED: Final = "ANNOUNCED"
PROCESSABLE: Final = "PROCESSABLE"
SENT: Final = "SENT"
RETURNED: Final = "RETURNED"
CANCELLED_BY_PARTNER: Final = "CANCELLED_BY_PARTNER"
CANCELLED_BY_MARKETPLACE: Final = "CANCELLED_BY_MARKETPLACE"
FULFILLMENT_STATUSES: Final = (
    ANNOUNCED, PROCESSABLE, SENT, RETURNED, CANCELLED_BY_PARTNER, CANCELLED_BY_MARKETPLACE,
)  # fmt: skip

CANCELLATION_REASONS: Final = (
    "CANCELLED_ON_CUSTOMER_WISH", "CANCELLED_ON_PARTNER_WISH", "PAYMENT_ABORTED",
    "PAYMENT_FRAUD", "PARTNER_TERMINATED", "ILLEGAL_PRODUCT", "MARKETPLACE_FRAUD",
    "CANCELLED_ON_MARKETPLACE_WISH",
)  # fmt: skip

PAYMENT_METHODS: Final = (
    "INVOICE_SINGLE", "INVOICE_INSTALLMENTS", "PREPAYMENT", "DIRECT_DEBIT",
    "DIRECT_DEBIT_INSTALLMENTS", "CREDIT_CARD_ONLINE", "PAYPAL", "CREDIT_CARD",
)  # fmt: skip

DELIVERY_TYPES: Final = (
    "PARCEL", "FORWARDER_PREFERREDLOCATION", "FORWARDER_CURBSIDE", "FORWARDER_HEAVYDUTY",
)  # fmt: skip

RETURN_STATUSES: Final = ("ANNOUNCED", "ACCEPTED", "REJECTED", "MISDIRECTED")
RETURN_CONDITIONS: Final = ("A", "B", "C", "D", "E")
ACCEPTANCE_REASONS: Final = (
    "RETURN_RECEIVED", "STATUS_SENT_BY_ACCIDENT", "CANCEL_REQUEST_BY_CUSTOMER",
    "REFUND_AFTER_AFFIDAVIT", "COMPLAINT", "SHIPMENT_LOST", "RETURN_LOST", "UNDELIVERABLE",
)  # fmt: skip
REJECTION_REASONS: Final = (
    "THIRD_PARTY_ITEM", "WRONG_ITEM", "EXCHANGE", "DAMAGE_TO_THE_HYGIENE_SEAL", "ITEM_DAMAGED",
    "RETURN_PERIOD_EXCEEDED", "ITEM_NOT_IN_THE_PARCEL",
)  # fmt: skip

RECEIPT_TYPES: Final = ("PURCHASE", "REFUND", "PARTIAL_REFUND")

API_SCOPES: Final = (
    "products", "orders", "receipts", "returns", "price-reduction", "shipments",
    "shipping-profiles", "availability", "returns-warehouse-read", "returns-warehouse-write",
    "quantities",
)  # fmt: skip
"""Scopes a seller's self-app can request at the token endpoint."""
