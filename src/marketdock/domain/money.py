"""Money: a Decimal amount with its ISO 4217 currency. Never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import StringConstraints, field_validator

from marketdock.domain.base import Record
from marketdock.errors import ValidationError

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217 currency code such as ``EUR``."""


class CurrencyMismatch(ValidationError, ValueError):
    """Amounts in different currencies were combined."""


class Money(Record):
    """An amount in one currency. Arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: Currency

    @field_validator("amount")
    @classmethod
    def _finite(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("amount must be a finite number")
        return value

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=Decimal(0), currency=currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def times(self, factor: int) -> Money:
        return Money(amount=self.amount * factor, currency=self.currency)

    def divided_by(self, count: int) -> Money:
        """Share of one of ``count`` equal parts, rounded half-even to the precision of
        this amount (``10.00 / 3 = 3.33``; ``1000 JPY / 3 = 333``)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        exponent = self.amount.as_tuple().exponent
        step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        return Money(amount=(self.amount / count).quantize(step), currency=self.currency)

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
