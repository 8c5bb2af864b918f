"""Element rules (004010) for the segments marketdock's warehouse sets use.

Each rule is ``REQ TYPE MIN MAX`` per element position: ``M`` mandatory, ``O``
optional (conditional elements are treated as optional); types ``AN`` text, ``ID``
code, ``R`` decimal, ``N0`` integer, ``DT`` CCYYMMDD, ``TM`` HHMM[SS[dd]], ``-``
composite or not checked. Only leading positions we are sure of are listed;
elements beyond them are not checked. :func:`validate_transaction` reports each
violation as an :class:`X12ParseError` carrying the 997 AK4 code, so a received
group can be acknowledged element by element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import X12ParseError
from .model import Segment, TransactionSet

_RULES: dict[str, str] = {
    "N1": "M ID 2 3|O AN 1 60|O ID 1 2|O AN 2 80|O ID 2 2|O ID 2 3",
    "N2": "M AN 1 60|O AN 1 60",
    "N3": "M AN 1 55|O AN 1 55",
    "N4": "O AN 2 30|O ID 2 2|O ID 3 15|O ID 2 3",
    "PER": "M ID 2 2|O AN 1 60|O ID 2 2|O AN 1 80|O ID 2 2|O AN 1 80|O ID 2 2|O AN 1 80",
    "N9": "M ID 2 3|O AN 1 30|O AN 1 45|O DT 8 8|O TM 4 8",
    "G62": "O ID 2 2|O DT 8 8|O ID 1 2|O TM 4 8",
    "NTE": "O ID 3 3|M AN 1 80",
    "G69": "M AN 1 45",
    "LX": "M N0 1 6",
    "W05": "M ID 1 1|M AN 1 22|O AN 1 22|O N0 6 6|O AN 1 22",
    "W66": "M ID 2 2|M ID 1 2|O ID 1 1|O ID 2 2|O AN 1 35|O ID 2 2|O AN 1 30|O ID 1 1"
           "|O R 1 9|O ID 2 4",
    "W01": "M R 1 15|M ID 2 2|O AN 12 12|O ID 2 2|O AN 1 48|O ID 2 2|O AN 1 48",
    "W76": "M R 1 10|O R 1 10|O ID 2 2|O R 1 8|O ID 2 2",
    "W06": "M ID 1 1|O AN 1 22|O DT 8 8|O AN 1 30|O AN 1 12|O AN 1 22|O AN 1 22|O N0 6 6",
    "W27": "M ID 1 2|M ID 2 4|O AN 1 35|O ID 2 2|O ID 2 2|O AN 1 4|O AN 1 10",
    "MAN": "M ID 1 2|M AN 1 48",
    "W12": "M ID 2 2|O R 1 15|O R 1 15|O R 1 15|M ID 2 2|O AN 12 12|O ID 2 2|O AN 1 48"
           "|O AN 1 12",
    "W03": "M R 1 10|O R 1 10|O ID 2 2|O R 1 8|O ID 2 2",
    "BIA": "M ID 2 2|M ID 2 2|M AN 1 30|M DT 8 8|O TM 4 8",
    "DTM": "M ID 3 3|O DT 8 8|O TM 4 8",
    "LIN": "O AN 1 20|M ID 2 2|M AN 1 48|O ID 2 2|O AN 1 48|O ID 2 2|O AN 1 48",
    "PID": "M ID 1 1|O ID 2 3|O ID 2 3|O AN 1 12|O AN 1 80",
    "QTY": "M ID 2 2|O R 1 15|- - - -",
    "REF": "M ID 2 3|O AN 1 30|O AN 1 80",
    "CTT": "M N0 1 6|O R 1 10",
    "BSN": "M ID 2 2|M AN 2 30|M DT 8 8|M TM 4 8|O ID 4 4",
    "HL": "M AN 1 12|O AN 1 12|M ID 1 2|O ID 1 1",
    "PRF": "M AN 1 22|O AN 1 30|O AN 1 30|O DT 8 8",
    "SN1": "O AN 1 20|M R 1 10|M ID 2 2",
    "TD5": "O ID 1 2|O ID 1 2|O AN 2 80|O ID 1 2|O AN 1 35",
    "W04": "M R 1 10|M ID 2 2|O AN 12 12|O ID 2 2|O AN 1 48|O ID 2 2|O AN 1 48",
    "W17": "M ID 1 1|M DT 8 8|M AN 1 12|O AN 1 22|O AN 1 30",
    "W07": "M R 1 7|M ID 2 2|O AN 12 12|O ID 2 2|O AN 1 48|O ID 2 2|O AN 1 48|O AN 1 12",
    "W13": "M R 1 15|M ID 2 2|M ID 2 2|O AN 1 12|O ID 2 2",
    "W14": "M R 1 15",
    "AK1": "M ID 2 2|M N0 1 9",
    "AK2": "M ID 3 3|M AN 4 9",
    "AK3": "M ID 2 3|M N0 1 6|O AN 1 6|O ID 1 3",
    "AK4": "- - - -|O N0 1 4|M ID 1 3|O AN 1 99",
    "AK5": "M ID 1 1|O ID 1 3|O ID 1 3|O ID 1 3|O ID 1 3|O ID 1 3",
    "AK9": "M ID 1 1|M N0 1 6|M N0 1 6|M N0 1 6|O ID 1 3",
}
_DIGITS = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


@dataclass(frozen=True, slots=True)
class ElementRule:
    mandatory: bool
    kind: str
    min_len: int
    max_len: int


def _parse(spec: str) -> tuple[ElementRule | None, ...]:
    rules: list[ElementRule | None] = []
    for part in spec.split("|"):
        req, kind, low, high = part.split()
        rules.append(None if kind == "-" else ElementRule(req == "M", kind, int(low), int(high)))
    return tuple(rules)


RULES: dict[str, tuple[ElementRule | None, ...]] = {tag: _parse(s) for tag, s in _RULES.items()}


def _length(value: str, kind: str) -> int:
    if kind in ("R", "N0"):
        return len(value.replace("-", "").replace(".", ""))
    return len(value)


def check_element(rule: ElementRule, value: str) -> tuple[str, str] | None:
    """(AK4 code, reason) when ``value`` breaks ``rule``, else None."""
    if not value:
        return ("1", "mandatory element is missing") if rule.mandatory else None
    if rule.kind == "N0" and not _DIGITS.match(value):
        return "6", f"{value!r} is not an integer"
    if rule.kind == "R" and not _DECIMAL.match(value):
        return "6", f"{value!r} is not a number"
    if rule.kind == "DT" and not (value.isdigit() and _valid_date(value)):
        return "8", f"{value!r} is not a CCYYMMDD date"
    if rule.kind == "TM" and not (value.isdigit() and len(value) in (4, 6, 7, 8)
                                  and int(value[:2]) < 24 and int(value[2:4]) < 60):
        return "9", f"{value!r} is not a HHMM[SS] time"
    length = _length(value, rule.kind)
    if length < rule.min_len:
        return "4", f"{value!r} is shorter than {rule.min_len}"
    if length > rule.max_len:
        return "5", f"{value!r} is longer than {rule.max_len}"
    return None


def _valid_date(value: str) -> bool:
    if len(value) != 8:
        return False
    month, day = int(value[4:6]), int(value[6:])
    return 1 <= month <= 12 and 1 <= day <= 31


def validate_segment(segment: Segment, set_position: int | None = None) -> list[X12ParseError]:
    rules = RULES.get(segment.tag)
    if rules is None:
        return []
    issues: list[X12ParseError] = []
    for position, rule in enumerate(rules, start=1):
        if rule is None:
            continue
        value = segment.raw(position)
        if isinstance(value, tuple):
            issues.append(segment.error("a simple element holds the component separator",
                                        position, code="6", set_position=set_position))
            continue
        problem = check_element(rule, value)
        if problem:
            code, reason = problem
            issues.append(segment.error(f"{segment.tag}{position:02d} {reason}", position,
                                        code=code, set_position=set_position))
    return issues


def validate_transaction(ts: TransactionSet) -> list[X12ParseError]:
    """Every element-rule violation in the body of ``ts``, in document order."""
    issues: list[X12ParseError] = []
    for i, segment in enumerate(ts.segments):
        issues += validate_segment(segment, ts.set_position(i))
    return issues
