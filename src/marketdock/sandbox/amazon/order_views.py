"""Orders as the two Orders API versions show them.

Pending orders carry no prices and no address in either version; the v0 view shows only the
non-PII part of the address (city, region, postal code, country), as Amazon does for calls
made without a Restricted Data Token.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marketdock.sandbox.amazon.clock import iso
from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import Order, OrderItem

V2026_STATUS = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "InvoiceUnconfirmed": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
SERVICE_LEVEL = {
    "Standard": "STANDARD",
    "Expedited": "EXPEDITED",
    "NextDay": "NEXT_DAY",
    "SecondDay": "SECOND_DAY",
    "SameDay": "SAME_DAY",
    "Scheduled": "SCHEDULED",
    "FreeEconomy": "FREE_ECONOMY",
    "Priority": "PRIORITY",
}
NON_PII_ADDRESS = ("City", "StateOrRegion", "PostalCode", "CountryCode")
PRICED = frozenset({"Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed", "Canceled"})
ADDRESSED = frozenset({"Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed"})


def _money(amount: Decimal, currency: str, v0: bool) -> dict[str, str]:
    text = f"{amount.quantize(Decimal('0.01'))}"
    return (
        {"CurrencyCode": currency, "Amount": text}
        if v0
        else {
            "currencyCode": currency,
            "amount": text,
        }
    )


def item_total(item: OrderItem) -> Decimal:
    return (item.unit_price + item.unit_tax) * item.quantity + item.shipping_price


def order_total(order: Order) -> Decimal:
    return sum((item_total(i) for i in order.items), Decimal("0"))


def currency_of(order: Order) -> str:
    return BY_ID[order.marketplace_id].currency


def v0_order(order: Order) -> dict[str, Any]:
    market = BY_ID[order.marketplace_id]
    shipped = sum(order.shipped(i.order_item_id) for i in order.items)
    open_units = sum(i.quantity - i.quantity_canceled for i in order.items) - shipped
    body: dict[str, Any] = {
        "AmazonOrderId": order.order_id,
        "PurchaseDate": iso(order.purchase_date),
        "LastUpdateDate": iso(order.last_update),
        "OrderStatus": order.status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": market.name,
        "ShipServiceLevel": order.ship_service_level,
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": 0 if order.status == "Canceled" else max(open_units, 0),
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": order.service_category,
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(order.earliest_ship),
        "LatestShipDate": iso(order.latest_ship),
        "LatestDeliveryDate": iso(order.latest_delivery),
        "IsBusinessOrder": order.is_business,
        "IsPrime": order.is_prime,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
    }
    if order.seller_order_id:
        body["SellerOrderId"] = order.seller_order_id
    if order.status in PRICED:
        body["OrderTotal"] = _money(order_total(order), currency_of(order), v0=True)
    if order.status in ADDRESSED:
        body["ShippingAddress"] = {
            k: order.address[k] for k in NON_PII_ADDRESS if order.address.get(k)
        }
    return body


def v0_item(order: Order, item: OrderItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ASIN": item.asin,
        "SellerSKU": item.sku,
        "OrderItemId": item.order_item_id,
        "Title": item.title,
        "QuantityOrdered": item.quantity,
        "QuantityShipped": order.shipped(item.order_item_id),
        "ProductInfo": {"NumberOfItems": "1"},
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
    }
    if order.status in PRICED:
        currency = currency_of(order)
        body["ItemPrice"] = _money(item.unit_price * item.quantity, currency, v0=True)
        body["ItemTax"] = _money(item.unit_tax * item.quantity, currency, v0=True)
        body["ShippingPrice"] = _money(item.shipping_price, currency, v0=True)
        body["PromotionDiscount"] = _money(Decimal("0"), currency, v0=True)
    return body


def v2026_order(order: Order, included: set[str]) -> dict[str, Any]:
    market = BY_ID[order.marketplace_id]
    currency = market.currency
    priced = order.status in PRICED
    programs = (["PRIME"] if order.is_prime else []) + (
        ["AMAZON_BUSINESS"] if order.is_business else []
    )
    body: dict[str, Any] = {
        "orderId": order.order_id,
        "createdTime": iso(order.purchase_date),
        "lastUpdatedTime": iso(order.last_update),
        "programs": programs,
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": market.marketplace_id,
            "marketplaceName": market.name,
        },
    }
    if order.seller_order_id:
        body["orderAliases"] = [{"aliasId": order.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]
    if "BUYER" in included and order.status in ADDRESSED:
        buyer = {"buyerName": order.buyer.get("name", "")}
        if order.fulfillment_channel == "MFN" and order.buyer.get("email"):
            buyer["buyerEmail"] = order.buyer["email"]
        if order.is_business and order.buyer.get("company"):
            buyer["buyerCompanyName"] = order.buyer["company"]
        body["buyer"] = buyer
    if "RECIPIENT" in included and order.status in ADDRESSED:
        body["recipient"] = {"deliveryAddress": _address_2026(order)}
    if "PROCEEDS" in included and priced:
        body["proceeds"] = {"grandTotal": _money(order_total(order), currency, v0=False)}
    if "FULFILLMENT" in included:
        body["fulfillment"] = {
            "fulfillmentStatus": V2026_STATUS[order.status],
            "fulfilledBy": "MERCHANT" if order.fulfillment_channel == "MFN" else "AMAZON",
            "fulfillmentServiceLevel": SERVICE_LEVEL.get(order.service_category, "STANDARD"),
            "shipByWindow": {
                "earliestDateTime": iso(order.earliest_ship),
                "latestDateTime": iso(order.latest_ship),
            },
            "deliverByWindow": {"latestDateTime": iso(order.latest_delivery)},
        }
    body["orderItems"] = [_item_2026(order, i, included, priced) for i in order.items]
    if "PACKAGES" in included and order.fulfillment_channel == "MFN":
        body["packages"] = [
            {
                "packageReferenceId": p.package_reference_id,
                "createdTime": iso(p.created),
                "packageStatus": {"status": "SHIPPED"},
                "carrier": p.carrier_name if p.carrier_code == "Other" else p.carrier_code,
                "shipTime": iso(p.ship_date),
                **({"shippingService": p.shipping_method} if p.shipping_method else {}),
                "trackingNumber": p.tracking_number,
                "packageItems": [
                    {"orderItemId": item_id, "quantity": qty} for item_id, qty in p.items.items()
                ],
            }
            for p in order.packages
        ]
    return body


def _address_2026(order: Order) -> dict[str, str]:
    names = {
        "Name": "name",
        "AddressLine1": "addressLine1",
        "AddressLine2": "addressLine2",
        "City": "city",
        "StateOrRegion": "stateOrRegion",
        "PostalCode": "postalCode",
        "CountryCode": "countryCode",
        "Phone": "phone",
        "CompanyName": "companyName",
    }
    address = {new: order.address[old] for old, new in names.items() if order.address.get(old)}
    if order.fulfillment_channel == "AFN":
        address.pop("phone", None)
    return address


def _item_2026(order: Order, item: OrderItem, included: set[str], priced: bool) -> dict[str, Any]:
    currency = currency_of(order)
    product: dict[str, Any] = {
        "asin": item.asin,
        "title": item.title,
        "sellerSku": item.sku,
        "condition": {"conditionType": "NEW"},
    }
    if priced:
        product["price"] = {"unitPrice": _money(item.unit_price, currency, v0=False)}
    body: dict[str, Any] = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "product": product,
    }
    if "PROCEEDS" in included and priced:
        body["proceeds"] = {"proceedsTotal": _money(item_total(item), currency, v0=False)}
    if "FULFILLMENT" in included:
        done = order.shipped(item.order_item_id)
        open_units = 0 if order.status == "Canceled" else item.quantity - item.quantity_canceled
        body["fulfillment"] = {
            "quantityFulfilled": done,
            "quantityUnfulfilled": max(open_units - done, 0),
        }
    return body
