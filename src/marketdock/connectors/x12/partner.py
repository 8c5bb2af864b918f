"""Trading-partner settings and control-number sequences for writing X12."""

from __future__ import annotations

from typing import Literal, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from marketdock.errors import ValidationError

from .model import Delimiters, Interchange

MAX_CONTROL_NUMBER = 999_999_999


class TradingPartner(BaseModel):
    """How marketdock and one warehouse exchange X12.

    ``sender_*`` is marketdock's own ISA id, ``receiver_*`` the partner's, as on the
    documents marketdock writes; an inbound document carries them the other way round
    (see :meth:`check_inbound`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sender_qualifier: str = Field(pattern=r"^[0-9A-Z]{2}$")
    sender_id: str = Field(min_length=1, max_length=15)
    receiver_qualifier: str = Field(pattern=r"^[0-9A-Z]{2}$")
    receiver_id: str = Field(min_length=1, max_length=15)
    application_sender: str | None = Field(default=None, min_length=2, max_length=15)
    application_receiver: str | None = Field(default=None, min_length=2, max_length=15)
    version: Literal["004010"] = "004010"
    usage: Literal["T", "P"]
    ack_requested: bool = False
    delimiters: Delimiters = Delimiters()
    line_break: Literal["", "\n", "\r\n"] = "\n"
    encoding: Literal["ascii", "latin-1", "utf-8"] = "ascii"

    @model_validator(mode="after")
    def _writable(self) -> Self:
        if self.delimiters.component is None:
            raise ValueError("a trading partner needs a component separator")
        if self.delimiters.repetition is not None:
            raise ValueError("version 004010 has no repetition separator")
        if self.delimiters.segment in self.line_break:
            raise ValueError("the line break must not contain the segment terminator")
        for value in (self.sender_id, self.receiver_id, self.application_sender or "",
                      self.application_receiver or ""):
            if any(c in value for c in self.delimiters.characters()):
                raise ValueError(f"id {value!r} contains a delimiter")
        return self

    @property
    def gs_sender(self) -> str:
        return self.application_sender or self.sender_id

    @property
    def gs_receiver(self) -> str:
        return self.application_receiver or self.receiver_id

    @property
    def isa_version(self) -> str:
        return self.version[:5]

    def check_inbound(self, interchange: Interchange) -> None:
        """Refuse an interchange that is not from this partner to marketdock, or whose
        usage indicator (test/production) differs from the agreed one."""
        expected = (self.receiver_qualifier, self.receiver_id, self.sender_qualifier,
                    self.sender_id)
        found = (interchange.sender_qualifier, interchange.sender_id,
                 interchange.receiver_qualifier, interchange.receiver_id)
        if found != expected:
            raise ValidationError(
                f"interchange {interchange.control_number} is from {found[0]}/{found[1]} to "
                f"{found[2]}/{found[3]}, expected {expected[0]}/{expected[1]} to "
                f"{expected[2]}/{expected[3]}", field="ISA06/ISA08",
            )
        if interchange.usage != self.usage:
            raise ValidationError(
                f"interchange {interchange.control_number} has usage indicator "
                f"{interchange.usage!r}, this partner is configured for {self.usage!r}",
                field="ISA15",
            )


class ControlNumbers(Protocol):
    """Sequences for ISA13, GS06 and ST02 of one trading partner.

    Each call hands out a new number in 1..999999999. A production implementation
    must persist the sequence so that a restart never reuses a number.
    """

    def next_interchange(self) -> int: ...

    def next_group(self) -> int: ...

    def next_transaction(self) -> int: ...


class InMemoryControlNumbers:
    """Counters in memory (tests, one-off exports); they restart with the process."""

    def __init__(self, interchange: int = 1, group: int = 1, transaction: int = 1) -> None:
        self._next = {"isa": interchange, "gs": group, "st": transaction}

    def _take(self, key: str) -> int:
        value = self._next[key]
        self._next[key] = value + 1 if value < MAX_CONTROL_NUMBER else 1
        return value

    def next_interchange(self) -> int:
        return self._take("isa")

    def next_group(self) -> int:
        return self._take("gs")

    def next_transaction(self) -> int:
        return self._take("st")
