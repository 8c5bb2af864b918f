"""Typed X12 structures: delimiters, segments and the ISA/GS/ST envelope.

The envelope classes keep their header and trailer segments as read (or as built
by :mod:`.envelope`) and expose the header fields as properties, so nothing is
stored twice. Element values are text; a composite element is a tuple of its
components.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from .errors import X12ParseError

Element = str | tuple[str, ...]


class Delimiters(BaseModel):
    """The separators of one interchange.

    ``component`` is ``None`` only for a read interchange whose ISA16 was lost
    (the document then has no composite elements we can split). ``repetition`` is
    set only when ISA12 is 00402 or later; the reader records it but does not split
    on it, because no warehouse set we read uses repeating elements.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    element: str = "*"
    component: str | None = ">"
    segment: str = "~"
    repetition: str | None = None

    @model_validator(mode="after")
    def _distinct_single_characters(self) -> Self:
        chars = [c for c in (self.element, self.component, self.segment, self.repetition) if c]
        for char in chars:
            if len(char) != 1:
                raise ValueError(f"delimiter {char!r} must be a single character")
            if char.isalnum() or char == " ":
                raise ValueError(f"delimiter {char!r} must not be a letter, digit or space")
        if len(set(chars)) != len(chars):
            raise ValueError(f"delimiters must be distinct, got {chars!r}")
        return self

    def characters(self) -> tuple[str, ...]:
        return tuple(c for c in (self.element, self.component, self.segment, self.repetition) if c)


def _trim(values: Iterable[Element]) -> tuple[Element, ...]:
    out: list[Element] = []
    for value in values:
        if isinstance(value, tuple):
            parts = list(value)
            while parts and parts[-1] == "":
                parts.pop()
            value = tuple(parts) if len(parts) > 1 else (parts[0] if parts else "")
        out.append(value)
    while out and out[-1] == "":
        out.pop()
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment. ``elements[0]`` is element 01. ``index`` is the 0-based position
    in the document it was read from (``-1`` for a built segment) and is not part of
    equality."""

    tag: str
    elements: tuple[Element, ...]
    index: int = field(default=-1, compare=False)

    @classmethod
    def of(cls, tag: str, *elements: Element | None) -> Segment:
        """Build a segment; ``None`` means empty, trailing empty elements are dropped."""
        return cls(tag, _trim("" if e is None else e for e in elements))

    def raw(self, position: int) -> Element:
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""

    def text(self, position: int) -> str:
        """The simple element at ``position`` (1-based), ``""`` when absent."""
        value = self.raw(position)
        if isinstance(value, tuple):
            raise X12ParseError(
                "a simple element holds the component separator",
                segment_index=self.index if self.index >= 0 else None,
                segment_id=self.tag, element=position, code="6",
            )
        return value

    def components(self, position: int) -> tuple[str, ...]:
        """The composite element at ``position`` as its components (a simple value is one)."""
        value = self.raw(position)
        return value if isinstance(value, tuple) else (value,)

    def error(self, reason: str, element: int | None = None, *, code: str | None = None,
              set_position: int | None = None) -> X12ParseError:
        return X12ParseError(
            reason, segment_index=self.index if self.index >= 0 else None, segment_id=self.tag,
            element=element, code=code, set_position=set_position,
            bad_value=self.text(element) if element and not isinstance(
                self.raw(element), tuple) else None,
        )


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """ST … SE. ``segments`` are the body between them."""

    st: Segment
    segments: tuple[Segment, ...]
    se: Segment

    @property
    def code(self) -> str:
        return self.st.text(1)

    @property
    def control_number(self) -> str:
        return self.st.text(2)

    def set_position(self, body_index: int) -> int:
        """1-based position inside the set of ``segments[body_index]`` (ST is 1)."""
        return body_index + 2


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    """GS … GE."""

    gs: Segment
    transactions: tuple[TransactionSet, ...]
    ge: Segment

    @property
    def functional_id(self) -> str:
        return self.gs.text(1)

    @property
    def sender(self) -> str:
        return self.gs.text(2)

    @property
    def receiver(self) -> str:
        return self.gs.text(3)

    @property
    def control_number(self) -> str:
        return self.gs.text(6)

    @property
    def version(self) -> str:
        return self.gs.text(8)


@dataclass(frozen=True, slots=True)
class Interchange:
    """ISA … IEA with the delimiters it was read or is to be written with.

    ``notes`` lists the real-world deviations the reader tolerated (e.g. a missing
    final terminator); it is not part of equality.
    """

    isa: Segment
    groups: tuple[FunctionalGroup, ...]
    iea: Segment
    delimiters: Delimiters
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sender_qualifier(self) -> str:
        return self.isa.text(5).strip()

    @property
    def sender_id(self) -> str:
        return self.isa.text(6).strip()

    @property
    def receiver_qualifier(self) -> str:
        return self.isa.text(7).strip()

    @property
    def receiver_id(self) -> str:
        return self.isa.text(8).strip()

    @property
    def version(self) -> str:
        return self.isa.text(12)

    @property
    def control_number(self) -> str:
        return self.isa.text(13)

    @property
    def ack_requested(self) -> bool:
        return self.isa.text(14) == "1"

    @property
    def usage(self) -> str:
        return self.isa.text(15)

    def transactions(self) -> list[TransactionSet]:
        return [ts for group in self.groups for ts in group.transactions]
