"""Whole documents: wire records ⇄ interchange bytes, one function pair per set.

``write_9xx(records, partner, numbers, at=...)`` puts each record in its own
transaction set of one functional group in one interchange. ``read_9xx(data)``
reads an interchange and decodes every transaction set; a set of another type in
the same document is an error, not silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from .errors import X12ParseError
from .model import Interchange, Segment, TransactionSet
from .partner import ControlNumbers, TradingPartner
from .reader import parse_interchange
from .sets import w846, w856, w940, w943, w944, w945, w997
from .writer import TransactionDraft, write_interchange

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class SetCodec(Generic[R]):
    code: str
    functional_id: str
    encode: Callable[[R], list[Segment]]
    decode: Callable[[TransactionSet], R]


CODEC_940 = SetCodec(w940.CODE, w940.FUNCTIONAL_ID, w940.encode_940, w940.decode_940)
CODEC_945 = SetCodec(w945.CODE, w945.FUNCTIONAL_ID, w945.encode_945, w945.decode_945)
CODEC_846 = SetCodec(w846.CODE, w846.FUNCTIONAL_ID, w846.encode_846, w846.decode_846)
CODEC_856 = SetCodec(w856.CODE, w856.FUNCTIONAL_ID, w856.encode_856, w856.decode_856)
CODEC_943 = SetCodec(w943.CODE, w943.FUNCTIONAL_ID, w943.encode_943, w943.decode_943)
CODEC_944 = SetCodec(w944.CODE, w944.FUNCTIONAL_ID, w944.encode_944, w944.decode_944)
CODEC_997 = SetCodec(w997.CODE, w997.FUNCTIONAL_ID, w997.encode_997, w997.decode_997)


def write_sets(codec: SetCodec[R], records: Sequence[R], partner: TradingPartner,
               numbers: ControlNumbers, *, at: datetime) -> bytes:
    drafts = [TransactionDraft(codec.code, codec.encode(record)) for record in records]
    return write_interchange(partner, numbers, codec.functional_id, drafts, at=at)


def decode_sets(codec: SetCodec[R], interchange: Interchange) -> list[R]:
    out: list[R] = []
    for ts in interchange.transactions():
        if ts.code != codec.code:
            raise X12ParseError(
                f"expected only {codec.code} transaction sets, found {ts.code}",
                segment_index=ts.st.index, segment_id="ST", element=1, code="7",
            )
        out.append(codec.decode(ts))
    return out


def read_sets(codec: SetCodec[R], data: bytes, *, encoding: str = "ascii") -> list[R]:
    return decode_sets(codec, parse_interchange(data, encoding=encoding))


def write_940(orders: Sequence[w940.ShippingOrder940], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_940, orders, partner, numbers, at=at)


def read_940(data: bytes, *, encoding: str = "ascii") -> list[w940.ShippingOrder940]:
    return read_sets(CODEC_940, data, encoding=encoding)


def write_945(advices: Sequence[w945.ShippingAdvice945], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_945, advices, partner, numbers, at=at)


def read_945(data: bytes, *, encoding: str = "ascii") -> list[w945.ShippingAdvice945]:
    return read_sets(CODEC_945, data, encoding=encoding)


def write_846(advices: Sequence[w846.InventoryAdvice846], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_846, advices, partner, numbers, at=at)


def read_846(data: bytes, *, encoding: str = "ascii") -> list[w846.InventoryAdvice846]:
    return read_sets(CODEC_846, data, encoding=encoding)


def write_856(notices: Sequence[w856.ShipNotice856], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_856, notices, partner, numbers, at=at)


def read_856(data: bytes, *, encoding: str = "ascii") -> list[w856.ShipNotice856]:
    return read_sets(CODEC_856, data, encoding=encoding)


def write_943(advices: Sequence[w943.StockTransferShipment943], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_943, advices, partner, numbers, at=at)


def read_943(data: bytes, *, encoding: str = "ascii") -> list[w943.StockTransferShipment943]:
    return read_sets(CODEC_943, data, encoding=encoding)


def write_944(receipts: Sequence[w944.StockTransferReceipt944], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_944, receipts, partner, numbers, at=at)


def read_944(data: bytes, *, encoding: str = "ascii") -> list[w944.StockTransferReceipt944]:
    return read_sets(CODEC_944, data, encoding=encoding)


def write_997(acks: Sequence[w997.FunctionalAck997], partner: TradingPartner,
              numbers: ControlNumbers, *, at: datetime) -> bytes:
    return write_sets(CODEC_997, acks, partner, numbers, at=at)


def read_997(data: bytes, *, encoding: str = "ascii") -> list[w997.FunctionalAck997]:
    return read_sets(CODEC_997, data, encoding=encoding)
