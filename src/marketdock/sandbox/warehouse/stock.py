"""Stock per SKU and kit definitions of the floor.

Quantities: ``on_hand`` is physically present, ``allocated`` is reserved for orders not
yet shipped, ``blocked`` is on hand but not pickable (damaged, quarantined), and
``available`` = on_hand - allocated - blocked is what may be picked for a new order.
Every change is reported through ``report(level, reason, reference)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from marketdock.sandbox.warehouse.model import FloorError, StockLevel

Report = Callable[[StockLevel, str, str], None]


class StockBook:
    def __init__(self, report: Report, first_inventory_id: int = 1001) -> None:
        self._levels: dict[str, StockLevel] = {}
        self._kits: dict[str, tuple[tuple[str, int], ...]] = {}
        self._report = report
        self._first_id = first_inventory_id
        self._next_id = first_inventory_id

    def level(self, sku: str) -> StockLevel:
        if sku not in self._levels:
            raise FloorError(f"unknown SKU {sku!r}")
        return self._levels[sku]

    def levels(self) -> list[StockLevel]:
        return [self._levels[sku] for sku in sorted(self._levels)]

    def by_inventory_id(self, inventory_id: int) -> StockLevel:
        for level in self._levels.values():
            if level.inventory_id == inventory_id:
                return level
        raise FloorError(f"unknown inventory id {inventory_id}")

    def ensure(self, sku: str, name: str = "") -> StockLevel:
        """The SKU's level, creating an empty one on first sight."""
        if not sku or not sku.strip():
            raise FloorError("a SKU must not be empty")
        level = self._levels.get(sku)
        if level is None:
            level = StockLevel(sku=sku, inventory_id=self._next_id, name=name or sku)
            self._next_id += 1
            self._levels[sku] = level
        elif name and level.name != name:
            level = self._levels[sku] = replace(level, name=name)
        return level

    def define_kit(self, sku: str, components: Mapping[str, int]) -> None:
        if not components:
            raise FloorError(f"kit {sku!r} needs at least one component")
        if sku in components:
            raise FloorError(f"kit {sku!r} cannot contain itself")
        for component, qty in components.items():
            if qty < 1:
                raise FloorError(f"kit {sku!r}: component {component!r} quantity {qty} < 1")
            if component in self._kits:
                raise FloorError(f"kit {sku!r}: component {component!r} is itself a kit")
            self.ensure(component)
        self._kits[sku] = tuple(sorted(components.items()))

    def composition(self, sku: str) -> tuple[tuple[str, int], ...]:
        """What one unit of ``sku`` consumes: its components for a kit, else itself."""
        return self._kits.get(sku, ((sku, 1),))

    def kits(self) -> dict[str, tuple[tuple[str, int], ...]]:
        return dict(self._kits)

    def kit_available(self, sku: str) -> int:
        if sku not in self._kits:
            raise FloorError(f"{sku!r} is not a kit")
        return min(self.ensure(c).available // q for c, q in self._kits[sku])

    def set(self, sku: str, on_hand: int, blocked: int | None = None, name: str = "") -> StockLevel:
        """Overwrite on-hand (and blocked) after a count. Allocations are kept, so on-hand
        below what is allocated is refused."""
        level = self.ensure(sku, name)
        blocked = level.blocked if blocked is None else blocked
        if on_hand < 0 or blocked < 0:
            raise FloorError(f"{sku}: on_hand {on_hand} and blocked {blocked} must be >= 0")
        if blocked > on_hand or on_hand - blocked < level.allocated:
            raise FloorError(
                f"{sku}: on_hand {on_hand} minus blocked {blocked} cannot cover "
                f"{level.allocated} allocated units"
            )
        return self._put(replace(level, on_hand=on_hand, blocked=blocked), "set", "")

    def change(
        self,
        sku: str,
        reason: str,
        reference: str = "",
        *,
        on_hand: int = 0,
        allocated: int = 0,
        blocked: int = 0,
        inbound: int = 0,
    ) -> StockLevel:
        """Apply deltas; a result below zero is a bug in the caller and is refused."""
        level = self.ensure(sku)
        new = replace(
            level,
            on_hand=level.on_hand + on_hand,
            allocated=level.allocated + allocated,
            blocked=level.blocked + blocked,
            inbound=max(0, level.inbound + inbound),
        )
        if min(new.on_hand, new.allocated, new.blocked) < 0:
            raise FloorError(f"{sku}: change {reason} would make stock negative ({new})")
        return self._put(new, reason, reference)

    def shortfall(self, needs: Iterable[tuple[str, int]]) -> dict[str, int]:
        """Units missing per SKU to cover ``needs`` from available stock."""
        total: dict[str, int] = {}
        for sku, qty in needs:
            total[sku] = total.get(sku, 0) + qty
        missing = {}
        for sku, qty in sorted(total.items()):
            have = self._levels[sku].available if sku in self._levels else 0
            if have < qty:
                missing[sku] = qty - have
        return missing

    def reset(self) -> None:
        self._levels.clear()
        self._kits.clear()
        self._next_id = self._first_id

    def _put(self, level: StockLevel, reason: str, reference: str) -> StockLevel:
        self._levels[level.sku] = level
        self._report(level, reason, reference)
        return level
