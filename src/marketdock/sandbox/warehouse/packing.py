"""Packing rules of the floor: how many parcels an order takes and what goes in each."""

from __future__ import annotations

import math
import random

from marketdock.sandbox.warehouse.config import tracking_number
from marketdock.sandbox.warehouse.model import Order, ParcelLine


def parcel_count(
    units: int, cap: int | None, split_probability: float, max_extra: int, rng: random.Random
) -> int:
    """Parcels needed for ``units`` at ``cap`` units each, plus, with
    ``split_probability``, up to ``max_extra`` more (a real split of the consignment)."""
    count = math.ceil(units / (cap or units or 1))
    if units > count and rng.random() < split_probability:
        count += rng.randint(1, min(max_extra, units - count))
    return max(1, count)


def parcel_contents(order: Order, count: int) -> list[tuple[ParcelLine, ...]]:
    """The picked units spread evenly over ``count`` parcels, in line order; a line may
    be split across parcels."""
    units = [line for line in order.lines for _ in range(line.picked or 0)]
    base, extra = divmod(len(units), count)
    contents, start = [], 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        grouped: dict[str, int] = {}
        for line in units[start:start + size]:
            grouped[line.line_id] = grouped.get(line.line_id, 0) + 1
        start += size
        contents.append(tuple(
            ParcelLine(line_id=line_id, sku=order.line(line_id).sku, quantity=qty)
            for line_id, qty in grouped.items()
        ))
    return contents


def parcel_weight(order: Order, lines: tuple[ParcelLine, ...], unit_weight_g: int) -> int:
    """Weight in grams: every physical unit (kit components counted) weighs the same."""
    return unit_weight_g * sum(
        pl.quantity * sum(per for _, per in order.line(pl.line_id).components) for pl in lines
    )


def extra_boxes(order: Order, lines: tuple[ParcelLine, ...],
                boxes_per_unit: dict[str, int]) -> int:
    """Boxes a parcel needs beyond its first: every unit of a bulky SKU (kit components
    counted) needs its boxes, and other units travel in one of those (or in the first)."""
    bulky = sum(pl.quantity * per * boxes_per_unit[sku]
                for pl in lines for sku, per in order.line(pl.line_id).components
                if boxes_per_unit.get(sku, 1) > 1)
    return max(bulky, 1) - 1


class TrackingPool:
    """Hands out tracking numbers in a carrier's pattern, never the same one twice."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def new(self, pattern: str) -> str:
        while True:
            number = tracking_number(pattern, self._rng)
            if number not in self._seen:
                self._seen.add(number)
                return number
