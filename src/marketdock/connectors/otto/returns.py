"""Returns V3 (announced returns, acceptance and rejection) and Receipts V3, mapped to
marketdock's records of them.

The ports have no shapes for these yet, so they are defined here: a returned item as OTTO
reports it, a decision the hub takes on one, the outcome of that decision, and a receipt
(OTTO's customer document per shipment or refund; the key for finance reconciliation).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import pydantic

from marketdock.connectors.otto import wire
from marketdock.connectors.ports import Quarantined
from marketdock.domain import Money

MAX_BATCH = 200


@dataclass(frozen=True)
class ReturnedItem:
    """One position item a customer sends back (or sent, or OTTO decided on)."""

    line_id: str
    marketplace_order_id: str
    status: str
    """OTTO's status, verbatim: ANNOUNCED, ACCEPTED, REJECTED, MISDIRECTED (or a newer one)."""
    changed_at: datetime | None
    return_carrier: str | None = None
    return_tracking_numbers: tuple[str, ...] = ()
    """The return label's numbers: what the warehouse matches an inbound parcel on."""
    condition: str | None = None
    reason: str | None = None
    otto_warehouse_id: str | None = None
    """Set for MISDIRECTED returns: the OTTO warehouse the customer sent the item to."""


class Verdict(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


@dataclass(frozen=True)
class ReturnDecision:
    line_id: str
    marketplace_order_id: str
    verdict: Verdict
    reason: str | None = None
    """OTTO's reason code; required for a rejection (e.g. ITEM_DAMAGED)."""
    condition: str | None = None
    """A (original packaging) .. E (mistake/incomplete)."""


@dataclass(frozen=True)
class DecisionResult:
    line_id: str
    applied: bool
    reason: str = ""


@dataclass(frozen=True)
class ReceiptRecord:
    receipt_number: str
    kind: str
    """PURCHASE, REFUND, PARTIAL_REFUND (or a newer type), verbatim."""
    marketplace_order_id: str | None
    order_number: str | None
    created_at: datetime | None
    line_ids: tuple[str, ...]
    amount_due: Money | None
    linked_receipt_number: str | None = None
    document: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    """OTTO's JSON of the receipt as it came, when read whole (finance keeps it)."""


@dataclass(frozen=True)
class ReceiptBatch:
    receipts: list[ReceiptRecord]
    quarantined: list[Quarantined]


def returned_item(item: wire.ReturnItem) -> ReturnedItem:
    key = item.details.return_tracking_key
    return ReturnedItem(
        line_id=item.position_item_id, marketplace_order_id=item.sales_order_id,
        status=item.status, changed_at=item.occurred_time,
        return_carrier=key.carrier if key is not None else None,
        return_tracking_numbers=tuple(key.tracking_numbers) if key is not None else (),
        condition=item.details.condition, reason=item.details.reason,
        otto_warehouse_id=item.details.otto_warehouse_id)


def refused_locally(decision: ReturnDecision) -> str | None:
    """Why OTTO would refuse this decision whatever its state, or None."""
    if decision.verdict is Verdict.REJECT and not decision.reason:
        return "a rejection needs OTTO's reason code (e.g. ITEM_DAMAGED)"
    return None


def decision_batches(decisions: Sequence[ReturnDecision]
                     ) -> list[tuple[Verdict, list[ReturnDecision]]]:
    """Acceptances and rejections, each in requests of at most 200 items."""
    batches: list[tuple[Verdict, list[ReturnDecision]]] = []
    for verdict in Verdict:
        chosen = [d for d in decisions if d.verdict is verdict]
        batches += [(verdict, chosen[i:i + MAX_BATCH])
                    for i in range(0, len(chosen), MAX_BATCH)]
    return batches


def decision_request(batch: Sequence[ReturnDecision]) -> wire.ReturnDecisionRequest:
    return wire.ReturnDecisionRequest(position_items=[
        wire.ReturnDecisionItem(position_item_id=d.line_id,
                                sales_order_id=d.marketplace_order_id,
                                condition=d.condition, reason=d.reason) for d in batch])


def _mentioned(text: str, batch: Sequence[ReturnDecision]) -> str | None:
    index = re.search(r"positionItems\[(\d+)\]", text)
    if index is not None and int(index[1]) < len(batch):
        return batch[int(index[1])].line_id
    return next((d.line_id for d in batch if d.line_id in text), None)


def decision_results(batch: Sequence[ReturnDecision],
                     answer: wire.ReturnDecisionAnswer) -> list[DecisionResult]:
    """One result per decision of ``batch`` (200, 207 and 422 answers alike)."""
    applied = {item.position_item_id for item in answer.results}
    refused: dict[str, str] = {}
    for error in answer.errors:
        text = " ".join(p for p in (error.detail, error.path) if p)
        line_id = _mentioned(text, batch)
        if line_id is not None and line_id not in applied:
            refused[line_id] = f"{error.title or 'error'}: {error.detail or 'no detail'}"
    return [DecisionResult(d.line_id, True) if d.line_id in applied
            else DecisionResult(d.line_id, False, refused.get(
                d.line_id, "OTTO answered neither a result nor an error for this item"))
            for d in batch]


def receipt_record(receipt: wire.Receipt,
                   document: Mapping[str, Any] | None = None) -> ReceiptRecord:
    due = receipt.amount_due
    line_ids = tuple(i for position in receipt.line_items.item_positions
                     for i in position.position_item_ids)
    return ReceiptRecord(
        receipt_number=receipt.receipt_number, kind=receipt.receipt_type,
        marketplace_order_id=receipt.sales_order_id, order_number=receipt.order_number,
        created_at=receipt.creation_date, line_ids=line_ids,
        amount_due=Money.create(amount=due.amount, currency=due.currency) if due else None,
        linked_receipt_number=receipt.linked_receipt_number, document=document or {})


def receipt_documents(documents: Sequence[object], source: str) -> ReceiptBatch:
    """Each receipt read on its own, with its JSON kept; one that cannot be read is
    quarantined (under its number when it has one) and the others still come."""
    receipts, quarantined = [], []
    for position, document in enumerate(documents):
        try:
            receipt = wire.Receipt.model_validate(document)
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"]) or "receipt"
            number = document.get("receiptNumber") if isinstance(document, dict) else None
            quarantined.append(Quarantined(
                reference=str(number or f"#{position}"), source=source,
                reason=f"receipt {position} of the page: {where}: {problem['msg']}",
                excerpt=json.dumps(document, default=str)[:200]))
            continue
        assert isinstance(document, dict)  # a receipt validated from it
        receipts.append(receipt_record(receipt, document))
    return ReceiptBatch(receipts, quarantined)
