"""marketdock's own X12 codec and warehouse transaction-set mappers (pure, no I/O)."""

from .errors import X12ParseError, X12WriteError
from .model import Delimiters, Element, FunctionalGroup, Interchange, Segment, TransactionSet
from .partner import ControlNumbers, InMemoryControlNumbers, TradingPartner
from .reader import parse_interchange, parse_segments, parse_transaction_sets
from .tokenizer import detect_delimiters
from .writer import (
    TransactionDraft,
    build_interchange,
    clean_text,
    serialize,
    write_interchange,
)

__all__ = [
    "ControlNumbers",
    "Delimiters",
    "Element",
    "FunctionalGroup",
    "InMemoryControlNumbers",
    "Interchange",
    "Segment",
    "TradingPartner",
    "TransactionDraft",
    "TransactionSet",
    "X12ParseError",
    "X12WriteError",
    "build_interchange",
    "clean_text",
    "detect_delimiters",
    "parse_interchange",
    "parse_segments",
    "parse_transaction_sets",
    "serialize",
    "write_interchange",
]
