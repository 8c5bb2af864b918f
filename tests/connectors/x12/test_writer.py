"""Writing envelopes: counts, control numbers, delimiters, and write → read round-trips."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketdock.connectors.x12 import (
    Delimiters,
    InMemoryControlNumbers,
    Segment,
    TradingPartner,
    TransactionDraft,
    X12WriteError,
    build_interchange,
    clean_text,
    parse_interchange,
    serialize,
    write_interchange,
)
from marketdock.errors import ValidationError

AT = datetime(2026, 1, 15, 16, 30)
PARTNER = TradingPartner(sender_qualifier="ZZ", sender_id="HUBTEST", receiver_qualifier="ZZ",
                         receiver_id="WMS3PLTEST", usage="T")
BODY = [Segment.of("W05", "N", "OTTO-1", "PO-1"), Segment.of("LX", "1"),
        Segment.of("W01", "2", "EA", None, "VN", "SKU-1")]


def test_envelope_counts_and_control_numbers() -> None:
    numbers = InMemoryControlNumbers(interchange=7, group=40, transaction=9)
    data = write_interchange(PARTNER, numbers, "OW",
                             [TransactionDraft("940", BODY), TransactionDraft("940", BODY[:1])],
                             at=AT)
    lines = data.decode().splitlines()
    assert lines[0] == ("ISA*00*          *00*          *ZZ*HUBTEST        *ZZ*WMS3PLTEST     "
                        "*260115*1630*U*00401*000000007*0*T*>~")
    assert len(lines[0]) == 106
    assert lines[1] == "GS*OW*HUBTEST*WMS3PLTEST*20260115*1630*40*X*004010~"
    assert lines[2] == "ST*940*0009~"
    assert lines[6] == "SE*5*0009~"
    assert lines[7:10] == ["ST*940*0010~", "W05*N*OTTO-1*PO-1~", "SE*3*0010~"]
    assert lines[10:] == ["GE*2*40~", "IEA*1*000000007~"]
    assert numbers.next_transaction() == 11


def test_written_document_reads_back() -> None:
    interchange = build_interchange(PARTNER, InMemoryControlNumbers(), "OW",
                                    [TransactionDraft("940", BODY)], at=AT)
    assert parse_interchange(serialize(interchange)) == interchange


def test_value_with_delimiter_is_refused_with_position() -> None:
    body = [Segment.of("N1", "ST", "Smith*Jones")]
    with pytest.raises(X12WriteError) as caught:
        write_interchange(PARTNER, InMemoryControlNumbers(), "OW",
                          [TransactionDraft("940", body)], at=AT)
    assert caught.value.context == {"segment_id": "N1", "element": 2}
    assert isinstance(caught.value, ValidationError)


def test_non_ascii_value_is_refused() -> None:
    with pytest.raises(X12WriteError, match="N302"):
        write_interchange(PARTNER, InMemoryControlNumbers(), "OW",
                          [TransactionDraft("940", [Segment.of("N3", "a", "Straße")])], at=AT)


def test_envelope_segment_inside_body_is_refused() -> None:
    with pytest.raises(X12WriteError):
        write_interchange(PARTNER, InMemoryControlNumbers(), "OW",
                          [TransactionDraft("940", [Segment.of("SE", "1", "1")])], at=AT)


def test_clean_text() -> None:
    delimiters = Delimiters()
    assert clean_text("Größe ~ Weiß*Rot > été\n", delimiters) == "Groesse Weiss Rot ete"


def test_control_numbers_wrap() -> None:
    numbers = InMemoryControlNumbers(interchange=999_999_999)
    assert [numbers.next_interchange(), numbers.next_interchange()] == [999_999_999, 1]


@pytest.mark.parametrize(
    "bad",
    [
        {"delimiters": {"element": "*", "component": "*", "segment": "~"}},
        {"delimiters": {"element": "*", "component": None, "segment": "~"}},
        {"sender_id": "HUB*TEST"},
        {"sender_qualifier": "zz"},
        {"line_break": "\n", "delimiters": {"segment": "\n"}},
    ],
)
def test_partner_config_is_validated(bad: dict[str, object]) -> None:
    fields = PARTNER.model_dump() | bad
    with pytest.raises(ValueError):
        TradingPartner.model_validate(fields)


def test_delimiters_must_not_be_alphanumeric() -> None:
    with pytest.raises(ValueError):
        Delimiters(element="A")


def test_check_inbound() -> None:
    inbound = TradingPartner(sender_qualifier="ZZ", sender_id="WMS3PLTEST",
                             receiver_qualifier="ZZ", receiver_id="HUBTEST", usage="T")
    interchange = build_interchange(inbound, InMemoryControlNumbers(), "SW",
                                    [TransactionDraft("945", BODY)], at=AT)
    PARTNER.check_inbound(interchange)
    with pytest.raises(ValidationError, match="ISA|from"):
        inbound.check_inbound(interchange)
    production = PARTNER.model_copy(update={"usage": "P"})
    with pytest.raises(ValidationError, match="usage"):
        production.check_inbound(interchange)


# --- property-based round trips --------------------------------------------------------

_DELIMITER_POOL = "*|^~>:!+`{}\\@#$%&\x1c\x1d\x1e\x1f\n"
_VALUE_POOL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-/()'?=_;\"*|^~>:!+"


@st.composite
def _delimiters(draw: st.DrawFn) -> Delimiters:
    chars = draw(st.lists(st.sampled_from(_DELIMITER_POOL), min_size=3, max_size=3,
                          unique=True))
    element, component, segment = chars
    if "\n" in (element, component):
        element, component, segment = (c if c != "\n" else "\x1f" for c in chars)
        if len({element, component, segment}) < 3:
            element, component, segment = "*", ">", "\n"
    return Delimiters(element=element, component=component, segment=segment)


@st.composite
def _segments(draw: st.DrawFn, delimiters: Delimiters) -> list[Segment]:
    alphabet = "".join(c for c in _VALUE_POOL if c not in delimiters.characters())
    text = st.text(alphabet=alphabet, max_size=12)
    element = st.one_of(text, st.lists(text, min_size=2, max_size=3).map(tuple))
    tags = st.sampled_from(["N1", "N9", "W01", "W12", "LX", "MAN", "QTY", "LIN", "REF", "G69"])
    return [Segment.of(draw(tags), *draw(st.lists(element, max_size=8)))
            for _ in range(draw(st.integers(min_value=0, max_value=6)))]


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_codec_round_trip(data: st.DataObject) -> None:
    delimiters = data.draw(_delimiters())
    line_break = "" if delimiters.segment == "\n" else data.draw(st.sampled_from(["", "\n",
                                                                                   "\r\n"]))
    ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=15)
    partner = TradingPartner(sender_qualifier="ZZ", sender_id=data.draw(ids),
                             receiver_qualifier="01", receiver_id=data.draw(ids),
                             usage=data.draw(st.sampled_from(["T", "P"])),
                             delimiters=delimiters, line_break=line_break)
    drafts = [TransactionDraft(data.draw(st.sampled_from(["940", "945", "846"])),
                               data.draw(_segments(delimiters)))
              for _ in range(data.draw(st.integers(min_value=1, max_value=3)))]
    numbers = InMemoryControlNumbers(
        *(data.draw(st.integers(min_value=1, max_value=999_999_990)) for _ in range(3)))
    interchange = build_interchange(partner, numbers, "OW", drafts, at=AT)
    raw = serialize(interchange, line_break=line_break)
    assert parse_interchange(raw) == interchange
