"""Written EDIFACT reads back as it was written: DESADV with package groups, ORDERS with
structured parties and text, RECADV with received and damaged units, for any values
(release characters included)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marketdock.connectors.edifact import (
    DAMAGED,
    DESPATCHED,
    ORDERED,
    RECEIVED,
    DespatchAdvice,
    EdiDate,
    EdiLine,
    EdiPackage,
    EdiParty,
    EdiQuantity,
    EdiReference,
    EdiText,
    EdiTransport,
    OrdersMessage,
    ReceivingAdvice,
    desadv_draft,
    orders_draft,
    parse_edifact,
    read_desadv,
    read_orders,
    read_recadv,
    recadv_draft,
    write_edifact,
)

AT = datetime(2026, 3, 2, 6, 0)
# latin-1 letters, digits, blanks inside, and every EDIFACT service character
value = st.text(st.sampled_from("AZaz09 -./äöüßéÆ+:'?*"), min_size=1, max_size=20) \
    .map(str.strip).filter(bool)
code = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), min_size=1, max_size=3)
quantity = st.decimals(min_value=0, max_value=10_000, places=0).map(Decimal)


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


references = st.lists(st.builds(EdiReference, qualifier=code, value=value), max_size=2)
lines = st.lists(st.builds(
    EdiLine, number=code, item_id=value, item_type=optional(code),
    additional_ids=st.lists(value, max_size=2), description=optional(value),
    quantities=st.lists(st.builds(EdiQuantity, qualifier=st.sampled_from([ORDERED, DESPATCHED]),
                                  quantity=quantity, unit=optional(code)), max_size=2),
    references=references), max_size=3)
parties = st.lists(st.builds(
    EdiParty, role=code, id=value, agency=optional(code),
    names=st.lists(value, max_size=5), street=st.lists(value, max_size=4),
    city=optional(value), region=optional(value), postal_code=optional(value),
    country=optional(code)), max_size=3)
transports = st.lists(st.builds(EdiTransport, stage=code, carrier_id=optional(value),
                                carrier_name=optional(value), means=optional(value)),
                      max_size=1)
dates = st.lists(st.builds(EdiDate, qualifier=code, value=code, format=optional(code)),
                 max_size=2)
packages = st.lists(st.builds(
    EdiPackage, number=code, parent=optional(code), package_type=optional(code),
    marks=st.lists(st.builds(EdiReference, qualifier=code, value=value), max_size=2),
    references=references, lines=lines), max_size=3)


received_lines = st.lists(st.builds(
    EdiLine, number=code, item_id=value, item_type=optional(code),
    additional_ids=st.lists(value, max_size=1),
    quantities=st.lists(st.builds(EdiQuantity, qualifier=st.sampled_from([RECEIVED, DAMAGED]),
                                  quantity=quantity, unit=optional(code)), max_size=2),
    references=references), max_size=3)


def _roundtrip(draft: object) -> DespatchAdvice | OrdersMessage | ReceivingAdvice:
    text = write_edifact([draft], sender=["MARKETDOCK", "ZZ"],  # type: ignore[list-item]
                         recipient=["WAREHOUSE", "ZZ"], control_reference="7", at=AT)
    [message] = parse_edifact(text.encode("latin-1")).messages
    readers = {"DESADV": read_desadv, "RECADV": read_recadv}
    return readers.get(message.type, read_orders)(message)


@given(number=value, dates=dates, references=references, parties=parties,
       transports=transports, packages=packages)
def test_desadv_reads_back(number: str, dates: list[EdiDate], references: list[EdiReference],
                           parties: list[EdiParty], transports: list[EdiTransport],
                           packages: list[EdiPackage]) -> None:
    advice = DespatchAdvice(document_number=number, function="9", dates=dates,
                            references=references, parties=parties, transports=transports,
                            packages=packages)
    assert _roundtrip(desadv_draft(advice)) == advice


@given(number=value, texts=st.lists(st.builds(EdiText, qualifier=code, text=st.text(
    st.sampled_from("Ab9 +:'?ä"), min_size=1, max_size=350).map(str.strip).filter(bool)),
    max_size=2), parties=parties, lines=lines)
def test_orders_with_addresses_and_text_read_back(number: str, texts: list[EdiText],
                                                   parties: list[EdiParty],
                                                   lines: list[EdiLine]) -> None:
    order = OrdersMessage(document_number=number, texts=texts, parties=parties, lines=lines)
    assert _roundtrip(orders_draft(order)) == order


@given(number=value, dates=dates, references=references, parties=parties,
       lines=received_lines, packages=st.lists(st.builds(
           EdiPackage, number=code, parent=optional(code), lines=received_lines), max_size=2))
def test_recadv_reads_back(number: str, dates: list[EdiDate], references: list[EdiReference],
                           parties: list[EdiParty], lines: list[EdiLine],
                           packages: list[EdiPackage]) -> None:
    advice = ReceivingAdvice(document_number=number, function="9", dates=dates,
                             references=references, parties=parties, lines=lines,
                             packages=packages)
    assert _roundtrip(recadv_draft(advice)) == advice


def test_recadv_golden() -> None:
    """BGM 632, the receipt date, the despatch advice answered, received and damaged
    units per line."""
    advice = ReceivingAdvice(
        document_number="RCV-1", function="9",
        dates=[EdiDate(qualifier="50", value="20260302", format="102")],
        references=[EdiReference(qualifier="AAK", value="ASN-1")],
        lines=[EdiLine(number="1", item_id="MUG", item_type="SA",
                       quantities=[EdiQuantity(qualifier=RECEIVED, quantity=Decimal(9)),
                                   EdiQuantity(qualifier=DAMAGED, quantity=Decimal(1))])])
    text = write_edifact([recadv_draft(advice)], sender=["MDSANDBOXWH", "ZZ"],
                         recipient=["MARKETDOCK", "ZZ"], control_reference="1", at=AT)
    assert ("UNH+1+RECADV:D:96A:UN:EAN003'BGM+632+RCV-1+9'DTM+50:20260302:102'"
            "RFF+AAK:ASN-1'LIN+1++MUG:SA'QTY+48:9'QTY+124:1'UNT+8+1'") in text
    [message] = parse_edifact(text).messages
    read = read_recadv(message)
    assert read == advice and read.all_lines() == advice.lines


def test_recadv_lines_in_package_groups_are_read() -> None:
    text = ("UNA:+.? 'UNB+UNOC:3+WH:ZZ+MD:ZZ+260302:0600+1'UNH+1+RECADV:D:96A:UN:EAN003'"
            "BGM+632+R1+9'RFF+AAK:ASN-1'CPS+1'LIN+1++MUG:SA'QTY+48:2'CPS+2'"
            "LIN+1++TEA:SA'QTY+48:1'UNT+10+1'UNZ+1+1'")
    [message] = parse_edifact(text).messages
    assert [(line.item_id, line.quantity(RECEIVED))
            for line in read_recadv(message).all_lines()] == [("MUG", 2), ("TEA", 1)]


def test_desadv_golden() -> None:
    """The package group as written: CPS, PAC, PCI with RFF and GIN, then its lines."""
    advice = DespatchAdvice(
        document_number="SHP-1", function="9",
        dates=[EdiDate(qualifier="11", value="20260302", format="102")],
        references=[EdiReference(qualifier="ON", value="OTTO-1")],
        transports=[EdiTransport(carrier_id="DHL", carrier_name="DHL Paket", means="Paket")],
        packages=[
            EdiPackage(number="1"),
            EdiPackage(number="2", parent="1", package_type="CT",
                       marks=[EdiReference(qualifier="BN", value="00340434")],
                       lines=[EdiLine(number="1", item_id="SKU-1", item_type="SA",
                                      quantities=[EdiQuantity(qualifier=DESPATCHED,
                                                              quantity=Decimal(2)),
                                                  EdiQuantity(qualifier=ORDERED,
                                                              quantity=Decimal(3))],
                                      references=[EdiReference(qualifier="LI", value="1")])])])
    text = write_edifact([desadv_draft(advice)], sender=["MDSANDBOXWH", "ZZ"],
                         recipient=["MARKETDOCK", "ZZ"], control_reference="1", at=AT)
    assert ("UNH+1+DESADV:D:96A:UN:EAN005'BGM+351+SHP-1+9'DTM+11:20260302:102'RFF+ON:OTTO-1'"
            "TDT+20+++:Paket+DHL:::DHL Paket'CPS+1'CPS+2+1'PAC+1++CT'PCI+18'GIN+BN+00340434'"
            "LIN+1++SKU-1:SA'QTY+12:2'QTY+21:3'RFF+LI:1'UNT+15+1'") in text
    [message] = parse_edifact(text).messages
    read = read_desadv(message)
    assert read == advice
    assert read.packages[1].tracking_number == "00340434"


def test_tracking_number_from_a_carrier_reference() -> None:
    package = EdiPackage(number="2", references=[EdiReference(qualifier="CN", value="JJD1")])
    assert package.tracking_number == "JJD1"
    assert EdiPackage(number="3", marks=[EdiReference(qualifier="BJ", value="3400")]) \
        .tracking_number is None
