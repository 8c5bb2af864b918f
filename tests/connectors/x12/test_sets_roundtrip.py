"""write → read round-trips for every set we write, golden fixtures for the sets without a
shared sample (856, 943, 944), and property-based round-trips for 940 and 945."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketdock.connectors.x12 import (
    Carrier,
    Delimiters,
    HierarchyLevel856,
    InMemoryControlNumbers,
    Mark,
    OrderLine940,
    PackageLoop945,
    Party,
    ProductId,
    ReceiptException,
    ReceivedLine944,
    Reference,
    ShipmentIdentification,
    ShipNotice856,
    ShippedItem945,
    ShippingAdvice945,
    ShippingInstructions,
    ShippingOrder940,
    StockTransferReceipt944,
    StockTransferShipment943,
    Totals,
    TradingPartner,
    TransferLine943,
    X12ParseError,
    read_856,
    read_940,
    read_943,
    read_944,
    read_945,
    write_856,
    write_940,
    write_943,
    write_944,
    write_945,
)
from marketdock.connectors.x12.sets.w856 import ItemDetail, Packaging, Routing

from .records import AT, HUB_TO_WMS, WAREHOUSE, WMS_TO_HUB
from .samples import FIXTURES

SKU = ProductId(qualifier="SK", value="SKU-RED-M")
NOTICE_856 = ShipNotice856(
    purpose="00", shipment_id="ASN-0001", date=date(2026, 2, 1), time="0930", structure="0001",
    levels=[
        HierarchyLevel856(id="1", level="S", packaging=[Packaging(
            packaging_code="CTN", lading_quantity=Decimal(2), weight_qualifier="G",
            weight=Decimal("12.5"), weight_unit="KG")],
            routing=[Routing(id_qualifier="2", carrier_id="DHLP", transport_method="U")],
            references=[Reference(qualifier="BM", value="BOL-77")], parties=[WAREHOUSE]),
        HierarchyLevel856(id="2", parent_id="1", level="O", purchase_order_number="PO-9"),
        HierarchyLevel856(id="3", parent_id="2", level="P",
                          marks=[Mark(qualifier="GM", number="00340123450000000016")]),
        HierarchyLevel856(id="4", parent_id="3", level="I", line_id="1", product_ids=[SKU],
                          shipped=ItemDetail(quantity=Decimal(24), unit="EA"),
                          description="T-Shirt red M"),
    ],
)
SHIPMENT_943 = StockTransferShipment943(
    shipment=ShipmentIdentification(reporting_code="F", depositor_order_number="INB-0001",
                                    date=date(2026, 2, 1), shipment_id="SHP-1"),
    parties=[WAREHOUSE], references=[Reference(qualifier="BM", value="BOL-77")],
    carrier=Carrier(transport_method="M", scac="DHLF", routing="DHL FREIGHT"),
    lines=[TransferLine943(quantity=Decimal(24), unit="EA", product_ids=[SKU],
                           description="T-Shirt red M",
                           references=[Reference(qualifier="LI", value="1")])],
    totals=Totals(quantity=Decimal(24), weight=Decimal("12.5"), weight_unit="KG"),
)
RECEIPT_944 = StockTransferReceipt944(
    reporting_code="F", date=date(2026, 2, 3), warehouse_receipt_number="RCV-88",
    depositor_order_number="INB-0001", shipment_id="SHP-1", parties=[WAREHOUSE],
    lines=[ReceivedLine944(quantity=Decimal(22), unit="EA", product_ids=[SKU], lot="L1",
                           exceptions=[ReceiptException(quantity=Decimal(2), unit="EA",
                                                        condition="01", damage_reason="AB")])],
    total_received=Decimal(22),
)


@pytest.mark.parametrize(
    ("fixture", "write", "read", "record", "partner"),
    [
        ("856_asn.edi", write_856, read_856, NOTICE_856, HUB_TO_WMS),
        ("943_stock_transfer.edi", write_943, read_943, SHIPMENT_943, HUB_TO_WMS),
        ("944_receipt_with_damage.edi", write_944, read_944, RECEIPT_944, WMS_TO_HUB),
    ],
)
def test_golden_fixture_and_round_trip(fixture: str, write: object, read: object,
                                       record: object, partner: TradingPartner) -> None:
    data = write([record], partner, InMemoryControlNumbers(17, 17, 1), at=AT)  # type: ignore
    assert data == (FIXTURES / fixture).read_bytes()
    assert read(data) == [record]  # type: ignore[operator]


def test_943_without_w27_is_rejected() -> None:
    data = (FIXTURES / "943_stock_transfer.edi").read_bytes()
    data = data.replace(b"W27*M*DHLF*DHL FREIGHT~\n", b"").replace(b"SE*10*", b"SE*9*")
    with pytest.raises(X12ParseError, match="W27"):
        read_943(data)


def test_reading_a_set_of_another_type_fails() -> None:
    with pytest.raises(X12ParseError) as caught:
        read_945((FIXTURES / "943_stock_transfer.edi").read_bytes())
    assert (caught.value.segment_id, caught.value.element) == ("ST", 1)


def test_fixture_folder_is_used() -> None:
    assert isinstance(FIXTURES, Path) and (FIXTURES / "856_asn.edi").exists()


# --- property-based: 940 and 945 ---------------------------------------------------------

_DELIMS = "*|^~>:!+`{}\\@#$%&\x1c\x1d\x1e\x1f"
_TEXT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-/()'?=_;*|^~>:!+@#"


def _texts(delimiters: Delimiters) -> st.SearchStrategy[str]:
    alphabet = "".join(c for c in _TEXT if c not in delimiters.characters())
    return st.text(alphabet=alphabet, min_size=1, max_size=20)


def _opt(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


_QTY = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False,
                   allow_infinity=False)
_QUALIFIERS = st.sampled_from(["VN", "SK", "UP", "EN", "BP", "UK"])
_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


def _records(text: st.SearchStrategy[str]) -> dict[str, st.SearchStrategy[object]]:
    refs = st.lists(st.builds(Reference, qualifier=st.sampled_from(["LI", "CO", "2I", "BM"]),
                              value=text, description=_opt(text)), max_size=2)
    party = st.builds(Party, entity=st.sampled_from(["ST", "SF", "DE"]), name=_opt(text),
                      id_qualifier=_opt(text), id=_opt(text),
                      address_lines=st.lists(text, max_size=3), city=_opt(text),
                      postal_code=_opt(text), country=_opt(text))
    pid = st.builds(ProductId, qualifier=_QUALIFIERS, value=text)
    return {"refs": refs, "party": party, "pid": pid}


@st.composite
def _partner(draw: st.DrawFn) -> TradingPartner:
    chars = draw(st.lists(st.sampled_from(_DELIMS), min_size=3, max_size=3, unique=True))
    delimiters = Delimiters(element=chars[0], component=chars[1], segment=chars[2])
    return HUB_TO_WMS.model_copy(update={"delimiters": delimiters,
                                         "line_break": draw(st.sampled_from(["", "\n"]))})


@st.composite
def _order(draw: st.DrawFn, delimiters: Delimiters) -> ShippingOrder940:
    text = _texts(delimiters)
    parts = _records(text)
    lines = draw(st.lists(st.builds(
        OrderLine940, assigned_number=st.integers(1, 999999), quantity=_QTY,
        unit=st.sampled_from(["EA", "CA"]), upc_case_code=_opt(text),
        product_ids=st.lists(parts["pid"], max_size=2), description=_opt(text),
        references=parts["refs"]), max_size=4))
    return ShippingOrder940(
        status=draw(st.sampled_from(["N", "R", "F"])), depositor_order_number=draw(text),
        purchase_order_number=draw(_opt(text)), parties=draw(st.lists(parts["party"],
                                                                       max_size=3)),
        references=draw(parts["refs"]),
        instructions=draw(st.none() | st.builds(
            ShippingInstructions, payment=st.sampled_from(["PP", "CC"]),
            transport_method=st.sampled_from(["U", "M"]), routing=_opt(text), scac=_opt(text))),
        lines=lines,
        totals=draw(st.none() | st.builds(Totals, quantity=_QTY, weight=st.none() | _QTY,
                                          weight_unit=_opt(text))),
    )


@st.composite
def _advice(draw: st.DrawFn, delimiters: Delimiters) -> ShippingAdvice945:
    text = _texts(delimiters)
    parts = _records(text)
    item = st.builds(
        ShippedItem945, status=st.sampled_from(["CC", "CP", "BP", "PR"]),
        quantity_ordered=st.none() | _QTY, quantity_shipped=st.none() | _QTY,
        quantity_difference=st.none() | _QTY, unit=st.sampled_from(["EA", "CA"]),
        upc_case_code=_opt(text), product_id=st.none() | parts["pid"], lot=_opt(text),
        description=_opt(text), references=parts["refs"],
        carrier=st.none() | st.builds(Carrier, transport_method=st.sampled_from(["U", "M"]),
                                      scac=text))
    package = st.builds(
        PackageLoop945, assigned_number=text,
        marks=st.lists(st.builds(Mark, qualifier=st.sampled_from(["CP", "GM"]), number=text),
                       max_size=2),
        references=parts["refs"], items=st.lists(item, min_size=1, max_size=3))
    return ShippingAdvice945(
        shipment=ShipmentIdentification(
            reporting_code=draw(st.sampled_from(["F", "X"])),
            depositor_order_number=draw(_opt(text)), date=draw(st.none() | _DATES),
            shipment_id=draw(_opt(text)), purchase_order_number=draw(_opt(text))),
        parties=draw(st.lists(parts["party"], max_size=2)), references=draw(parts["refs"]),
        carrier=draw(st.none() | st.builds(Carrier, transport_method=st.just("U"), scac=text,
                                           routing=_opt(text))),
        packages=draw(st.lists(package, max_size=3)),
    )


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_940_round_trip(data: st.DataObject) -> None:
    partner = data.draw(_partner())
    orders = data.draw(st.lists(_order(partner.delimiters), min_size=1, max_size=2))
    raw = write_940(orders, partner, InMemoryControlNumbers(), at=AT)
    assert read_940(raw) == orders


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_945_round_trip(data: st.DataObject) -> None:
    partner = data.draw(_partner())
    advices = data.draw(st.lists(_advice(partner.delimiters), min_size=1, max_size=2))
    raw = write_945(advices, partner.model_copy(update={
        "sender_id": WMS_TO_HUB.sender_id, "receiver_id": WMS_TO_HUB.receiver_id}),
        InMemoryControlNumbers(), at=AT)
    assert read_945(raw) == advices
