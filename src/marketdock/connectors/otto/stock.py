"""Stock updates to Availability V1 quantities and OTTO's per-SKU answer to StockResults.

OTTO takes absolute quantities, at most 200 SKUs per request, and answers 200 (all taken),
207 (``results`` for the SKUs taken, ``errors`` for the others) or 422 (none taken). An
error names its SKU only in its text (or by the entry's index), so it is matched back to
the SKU of the batch it mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from marketdock.connectors.otto import wire
from marketdock.connectors.ports import StockOutcome, StockResult, StockUpdate
from marketdock.errors import ValidationError

MAX_BATCH = 200
_INDEX = re.compile(r"^\[(\d+)\]")


def batches(updates: Sequence[StockUpdate]) -> list[list[wire.Quantity]]:
    """Absolute quantities in batches of at most 200; a SKU given twice keeps its last
    value (OTTO has no out-of-order guard, so a batch must not hold both)."""
    last: dict[str, int] = {}
    for update in updates:
        if update.quantity < 0:
            raise ValidationError(f"stock for OTTO SKU {update.sku!r} is {update.quantity}; "
                                  "OTTO takes quantities >= 0")
        last.pop(update.sku, None)
        last[update.sku] = update.quantity
    quantities = [wire.Quantity(sku=sku, quantity=qty) for sku, qty in last.items()]
    return [quantities[i:i + MAX_BATCH] for i in range(0, len(quantities), MAX_BATCH)]


def _mentions(text: str, sku: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(sku)}(?![\w-])", text) is not None


def _error_sku(error: wire.ErrorEntry, batch: Sequence[wire.Quantity]) -> str | None:
    text = " ".join(part for part in (error.detail, error.path, error.json_path) if part)
    index = _INDEX.match(error.detail or "")
    if index is not None and int(index[1]) < len(batch):
        return batch[int(index[1])].sku
    for sku in sorted((q.sku for q in batch), key=len, reverse=True):
        if _mentions(text, sku):
            return sku
    return None


def _outcome(error: wire.ErrorEntry) -> StockOutcome:
    if str(error.code) == "404" or error.title == "NOT_FOUND":
        return StockOutcome.UNKNOWN_SKU
    return StockOutcome.REJECTED


def results(batch: Sequence[wire.Quantity], answer: wire.QuantityAnswer) -> list[StockResult]:
    """One result per SKU of ``batch``, in the batch's order."""
    by_sku: dict[str, StockResult] = {}
    for result in answer.results:
        by_sku[result.sku] = StockResult(sku=result.sku, outcome=StockOutcome.APPLIED)
    unplaced: list[str] = []
    for error in answer.errors:
        reason = f"{error.title or 'error'}: {error.detail or 'no detail'}"
        sku = _error_sku(error, batch)
        if sku is None or sku in by_sku:
            unplaced.append(reason)
            continue
        by_sku[sku] = StockResult(sku=sku, outcome=_outcome(error), reason=reason,
                                  reference=error.logref)
    missing = "OTTO answered neither a result nor an error for this SKU"
    if unplaced:
        missing += f" (errors not matched to a SKU: {'; '.join(unplaced)})"
    return [by_sku.get(q.sku) or StockResult(sku=q.sku, outcome=StockOutcome.REJECTED,
                                             reason=missing) for q in batch]
