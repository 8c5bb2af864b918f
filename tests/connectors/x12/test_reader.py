"""Envelope reading: shared samples, tolerated framing variants, broken inputs."""

from __future__ import annotations

import pytest

from marketdock.connectors.x12 import (
    Delimiters,
    X12ParseError,
    parse_interchange,
    parse_transaction_sets,
)
from marketdock.errors import ParseError

from .samples import sample

AUTHORED_940 = sample("940_authored_marketplace_order.edi")


@pytest.mark.parametrize(
    ("name", "groups", "notes"),
    [
        ("846_x12types_minimal-5010.edi", [("IB", ["0001"])], ()),
        ("856_edienginetests_crossdock.edi", [("SH", ["0001"])], ()),
        ("856_nodex12_test-data.edi", [("SH", ["0008"])], ()),
        ("940_edienginetests_940.edi", [("OW", ["0001"])],
         ("no terminator after the last segment",)),
        ("940_edienginetests_940-2-ups.edi", [("OW", ["20066"])],
         ("no terminator after the last segment",)),
        ("940_edienginetests_acktest-multi-group.edi",
         [("OW", ["20066", "20067"]), ("OW", ["20068"])],
         ("no terminator after the last segment",)),
        ("940_x12types_generalmills-change.edi", [("OW", ["43320001"])],
         ("ISA16 is missing; the segment terminator is taken from ISA16",)),
        ("940_x12types_generalmills-delete.edi", [("OW", ["43130001"])],
         ("ISA16 is missing; the segment terminator is taken from ISA16",)),
        ("846_authored_onhand_available.edi", [("IB", ["0001"])], ()),
        ("940_authored_marketplace_order.edi", [("OW", ["0001"])], ()),
        ("945_authored_shortpick_parcel.edi", [("SW", ["0001"])], ()),
        ("997_authored_accept_945.edi", [("FA", ["0001"])], ()),
    ],
)
def test_every_readable_sample_parses(name: str, groups: list[tuple[str, list[str]]],
                                      notes: tuple[str, ...]) -> None:
    interchange = parse_interchange(sample(name))
    found = [(g.functional_id, [t.control_number for t in g.transactions])
             for g in interchange.groups]
    assert found == groups
    assert interchange.notes == notes


def test_crossdock_856_uses_newline_as_terminator() -> None:
    interchange = parse_interchange(sample("856_edienginetests_crossdock.edi"))
    assert interchange.delimiters == Delimiters(element="*", component=">", segment="\n")
    assert interchange.control_number == "000000091"
    assert len(interchange.transactions()[0].segments) == 55


def test_isa11_repetition_separator_is_recorded_but_not_split() -> None:
    interchange = parse_interchange(sample("856_nodex12_test-data.edi"))
    assert interchange.delimiters.repetition == "-"
    n4 = [s for s in interchange.transactions()[0].segments if s.tag == "N4"][1]
    assert n4.text(3) == "31139-0020"


def test_generalmills_without_isa16_reads_with_tilde_terminator() -> None:
    interchange = parse_interchange(sample("940_x12types_generalmills-change.edi"))
    assert interchange.delimiters.component is None
    assert interchange.groups[0].ge.text(2) == "4332"
    assert interchange.groups[0].version == "004010UCS"


def test_waqe_945_is_rejected_for_its_wrong_se_count() -> None:
    """Non-fixed-width ISA is tolerated; SE01=12 for 16 segments is not."""
    with pytest.raises(X12ParseError) as caught:
        parse_interchange(sample("945_x12types_waqe-full-shipment.edi"))
    err = caught.value
    assert (err.segment_index, err.segment_id, err.element) == (17, "SE", 1)
    assert "declares 12 segments" in str(err) and "has 16" in str(err)


def test_simplot_bare_945_is_rejected_for_its_wrong_se_count() -> None:
    """SE*32 but the set has 29 segments (a defect the sample README does not list)."""
    with pytest.raises(X12ParseError) as caught:
        parse_transaction_sets(sample("945_x12types_simplot-bare-transaction-set.x12"))
    assert (caught.value.segment_index, caught.value.segment_id, caught.value.element) == (
        28, "SE", 1)


def test_x12_parse_error_is_a_marketdock_parse_error() -> None:
    assert issubclass(X12ParseError, ParseError)


# --- tolerated variants ---------------------------------------------------------------

def test_crlf_after_terminators_and_trailing_blanks() -> None:
    data = AUTHORED_940.replace(b"~\n", b"~\r\n") + b"  \r\n"
    assert parse_interchange(data) == parse_interchange(AUTHORED_940)


def test_no_line_breaks_at_all() -> None:
    assert parse_interchange(AUTHORED_940.replace(b"\n", b"")) == parse_interchange(AUTHORED_940)


def test_missing_final_terminator() -> None:
    interchange = parse_interchange(AUTHORED_940.rstrip().removesuffix(b"~"))
    assert interchange == parse_interchange(AUTHORED_940)
    assert "no terminator after the last segment" in interchange.notes


def test_bom_and_leading_whitespace() -> None:
    interchange = parse_interchange(b"\xef\xbb\xbf\n  " + AUTHORED_940)
    assert interchange == parse_interchange(AUTHORED_940)


def test_indented_segments_and_blank_lines_between_them() -> None:
    data = AUTHORED_940.replace(b"~\n", b"~\n\n   ")
    assert parse_interchange(data) == parse_interchange(AUTHORED_940)


def test_non_fixed_width_isa() -> None:
    data = AUTHORED_940.replace(b"HUBTEST        ", b"HUBTEST", 1)
    interchange = parse_interchange(data)
    assert interchange.sender_id == "HUBTEST"
    assert any("not fixed-width" in n for n in interchange.notes)


def test_custom_delimiters_are_detected() -> None:
    data = (AUTHORED_940.replace(b"*", b"|").replace(b"~\n", b"\x1c")
            .replace(b"|>\x1c", b"|^\x1c"))
    interchange = parse_interchange(data)
    assert interchange.delimiters == Delimiters(element="|", component="^", segment="\x1c")
    assert interchange.transactions() == parse_interchange(AUTHORED_940).transactions()


def test_composite_elements_are_split() -> None:
    data = AUTHORED_940.replace(b"N9*LI*1~", b"N9*LI*1*****A>B>C~")
    n9 = [s for s in parse_interchange(data).transactions()[0].segments if s.tag == "N9"][1]
    assert n9.components(7) == ("A", "B", "C")
    with pytest.raises(X12ParseError):
        n9.text(7)


# --- broken inputs ---------------------------------------------------------------------

def _error(data: bytes) -> X12ParseError:
    with pytest.raises(X12ParseError) as caught:
        parse_interchange(data)
    return caught.value


def test_truncated_document() -> None:
    cut = AUTHORED_940[: AUTHORED_940.index(b"W76")]
    err = _error(cut)
    assert err.segment_index == 21  # one past the last segment read
    assert "no SE trailer" in str(err)


def test_truncated_after_group() -> None:
    err = _error(AUTHORED_940[: AUTHORED_940.index(b"IEA")])
    assert err.segment_index == 24 and "truncated" in str(err)


def test_truncated_isa() -> None:
    err = _error(AUTHORED_940[:60])
    assert (err.segment_index, err.segment_id) == (0, "ISA")


def test_wrong_se_count() -> None:
    err = _error(AUTHORED_940.replace(b"SE*21*0001", b"SE*20*0001"))
    assert (err.segment_index, err.segment_id, err.element, err.set_position) == (
        22, "SE", 1, 21)


def test_wrong_se_control_number() -> None:
    err = _error(AUTHORED_940.replace(b"SE*21*0001", b"SE*21*0002"))
    assert (err.segment_id, err.element) == ("SE", 2)


def test_wrong_ge_count() -> None:
    err = _error(AUTHORED_940.replace(b"GE*1*940", b"GE*2*940"))
    assert (err.segment_index, err.segment_id, err.element) == (23, "GE", 1)


def test_wrong_ge_control_number() -> None:
    err = _error(AUTHORED_940.replace(b"GE*1*940", b"GE*1*941"))
    assert (err.segment_index, err.segment_id, err.element) == (23, "GE", 2)


def test_wrong_iea_count() -> None:
    err = _error(AUTHORED_940.replace(b"IEA*1*", b"IEA*2*"))
    assert (err.segment_index, err.segment_id, err.element) == (24, "IEA", 1)


def test_wrong_iea_control_number() -> None:
    err = _error(AUTHORED_940.replace(b"IEA*1*000000940", b"IEA*1*000000941"))
    assert (err.segment_index, err.segment_id, err.element) == (24, "IEA", 2)


def test_non_numeric_isa13() -> None:
    err = _error(AUTHORED_940.replace(b"*000000940*", b"*00000094X*"))
    assert (err.segment_index, err.segment_id, err.element) == (0, "ISA", 13)


def test_bad_usage_indicator() -> None:
    err = _error(AUTHORED_940.replace(b"*0*T*>", b"*0*X*>"))
    assert (err.segment_id, err.element) == ("ISA", 15)


def test_latin1_byte_in_ascii_document() -> None:
    err = _error(AUTHORED_940.replace(b"Musterstrasse", b"Musterstra\xdfe"))
    assert (err.segment_index, err.segment_id, err.element) == (5, "N3", 1)
    assert "0xDF" in str(err)


def test_latin1_is_readable_when_agreed() -> None:
    data = AUTHORED_940.replace(b"Musterstrasse", b"Musterstra\xdfe")
    n3 = parse_interchange(data, encoding="latin-1").transactions()[0].segments[2]
    assert n3.text(1) == "Musterstraße 1"


def test_utf16_document() -> None:
    err = _error(AUTHORED_940.decode().encode("utf-16"))
    assert err.segment_index == 0 and "UTF-16" in str(err)


def test_not_x12_at_all() -> None:
    err = _error(b"<?xml version='1.0'?><order/>")
    assert err.segment_index == 0


def test_empty_segment() -> None:
    err = _error(AUTHORED_940.replace(b"LX*1~", b"LX*1~~"))
    assert err.segment_index == 14 and "empty segment" in str(err)


def test_invalid_segment_id() -> None:
    err = _error(AUTHORED_940.replace(b"LX*1~", b"lx*1~"))
    assert err.segment_index == 13


def test_data_after_iea() -> None:
    err = _error(AUTHORED_940 + b"GS*OW~")
    assert err.segment_index == 25 and "after the IEA" in str(err)


def test_segment_outside_transaction_set() -> None:
    err = _error(AUTHORED_940.replace(b"GE*1*940~", b"N9*XX*1~GE*1*940~"))
    assert (err.segment_index, err.segment_id) == (23, "N9")


def test_duplicate_transaction_control_number() -> None:
    first, rest = AUTHORED_940.split(b"GE*1*940~")
    body = first[first.index(b"ST*940"):]
    data = first + body + b"GE*2*940~" + rest
    err = _error(data)
    assert (err.segment_id, err.element) == ("ST", 2)


def test_bare_transaction_sets_need_st() -> None:
    with pytest.raises(X12ParseError):
        parse_transaction_sets(b"W05*N*1~")
