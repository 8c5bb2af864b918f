"""Wire records that reproduce the shared authored samples field by field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from marketdock.connectors.x12 import (
    Carrier,
    Communication,
    Contact,
    DateRef,
    FunctionalAck997,
    InventoryAdvice846,
    InventoryItem846,
    Mark,
    Note,
    OrderLine940,
    PackageLoop945,
    Party,
    ProductId,
    Quantity,
    Reference,
    ShipmentIdentification,
    ShippedItem945,
    ShippingAdvice945,
    ShippingInstructions,
    ShippingOrder940,
    Totals,
    TradingPartner,
    TransactionAck,
)

AT = datetime(2026, 1, 15, 16, 30)
HUB_TO_WMS = TradingPartner(sender_qualifier="ZZ", sender_id="HUBTEST", receiver_qualifier="ZZ",
                            receiver_id="WMS3PLTEST", usage="T")
WMS_TO_HUB = TradingPartner(sender_qualifier="ZZ", sender_id="WMS3PLTEST",
                            receiver_qualifier="ZZ", receiver_id="HUBTEST", usage="T")
CUSTOMER = Party(entity="ST", name="Erika Mustermann", address_lines=["Musterstrasse 1"],
                 city="Hamburg", postal_code="22041", country="DE")
WAREHOUSE = Party(entity="SF", name="3PL Test Warehouse", id_qualifier="9",
                  id="4000000000001")

ORDER_940 = ShippingOrder940(
    status="N", depositor_order_number="OTTO-4711-0001", purchase_order_number="PO-4711",
    parties=[
        CUSTOMER.model_copy(update={"contacts": [Contact(
            function="IC", name="Erika Mustermann",
            channels=[Communication(qualifier="EM", number="erika@example.test")])]}),
        WAREHOUSE,
    ],
    references=[Reference(qualifier="CO", value="OTTO-4711")],
    dates=[DateRef(qualifier="10", date=date(2026, 1, 15))],
    notes=[Note(code="WHI", text="Gift wrap not required")],
    instructions=ShippingInstructions(payment="PP", transport_method="U",
                                      routing="UPS STANDARD", scac="UPSN"),
    lines=[
        OrderLine940(assigned_number=1, quantity=Decimal(2), unit="EA",
                     product_ids=[ProductId(qualifier="VN", value="SKU-RED-M")],
                     description="T-Shirt red M",
                     references=[Reference(qualifier="LI", value="1")]),
        OrderLine940(assigned_number=2, quantity=Decimal(3), unit="EA",
                     product_ids=[ProductId(qualifier="VN", value="SKU-BLUE-L")],
                     description="T-Shirt blue L",
                     references=[Reference(qualifier="LI", value="2")]),
    ],
    totals=Totals(quantity=Decimal(5), weight=Decimal("1.9"), weight_unit="KG"),
)

TRACKING = "1Z999AA10123456784"
ADVICE_945 = ShippingAdvice945(
    shipment=ShipmentIdentification(
        reporting_code="F", depositor_order_number="OTTO-4711-0001", date=date(2026, 1, 15),
        shipment_id="SHP-20260115-0007", purchase_order_number="PO-4711"),
    parties=[CUSTOMER, WAREHOUSE],
    dates=[DateRef(qualifier="11", date=date(2026, 1, 15))],
    carrier=Carrier(transport_method="U", scac="UPSN", routing="UPS STANDARD"),
    packages=[
        PackageLoop945(assigned_number="1", marks=[Mark(qualifier="CP", number=TRACKING)], items=[
            ShippedItem945(status="CC", quantity_ordered=Decimal(2), quantity_shipped=Decimal(2),
                           quantity_difference=Decimal(0), unit="EA",
                           product_id=ProductId(qualifier="VN", value="SKU-RED-M"),
                           references=[Reference(qualifier="LI", value="1")])]),
        PackageLoop945(assigned_number="2", marks=[Mark(qualifier="CP", number=TRACKING)], items=[
            ShippedItem945(status="CP", quantity_ordered=Decimal(3), quantity_shipped=Decimal(1),
                           quantity_difference=Decimal(2), unit="EA",
                           product_id=ProductId(qualifier="VN", value="SKU-BLUE-L"),
                           references=[Reference(qualifier="LI", value="2")])]),
    ],
    totals=Totals(quantity=Decimal(3), weight=Decimal("1.2"), weight_unit="KG"),
)

ADVICE_846 = InventoryAdvice846(
    purpose="00", report_type="SI", reference_id="INV-20260115-0600", date=date(2026, 1, 15),
    time="0600",
    parties=[Party(entity="WH", name="3PL Test Warehouse", id_qualifier="9",
                   id="4000000000001")],
    items=[
        InventoryItem846(assigned_id="1", product_ids=[
            ProductId(qualifier="VN", value="SKU-RED-M"),
            ProductId(qualifier="UP", value="012345678905")],
            description="T-Shirt red M", quantities=[
                Quantity(qualifier="17", quantity=Decimal(120), unit="EA"),
                Quantity(qualifier="33", quantity=Decimal(100), unit="EA")]),
        InventoryItem846(assigned_id="2", product_ids=[
            ProductId(qualifier="VN", value="SKU-BLUE-L")],
            description="T-Shirt blue L", quantities=[
                Quantity(qualifier="17", quantity=Decimal(0), unit="EA"),
                Quantity(qualifier="33", quantity=Decimal(0), unit="EA")]),
    ],
    line_count=2,
)

ACK_997 = FunctionalAck997(
    functional_id="SW", group_control_number="945",
    transactions=[TransactionAck(code="945", control_number="0001", status="A")],
    status="A", included=1, received=1, accepted=1,
)
