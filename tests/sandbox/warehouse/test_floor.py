"""The warehouse floor: allocation, delays, short-picks, splits, cancellation, events."""

from __future__ import annotations

import pytest

from marketdock.sandbox.warehouse import (
    Address,
    DuplicateReference,
    Floor,
    FloorConfig,
    FloorError,
    LineRequest,
    NotCancellable,
    OrderStatus,
)
from marketdock.sandbox.warehouse import events as ev

DELAYS = {"pick_delay": 60.0, "pack_delay": 30.0, "ship_delay": 30.0}
BERLIN = Address(name="Jürgen Weiß", street1="Straße des 17. Juni 135", postcode="10623",
                 city="Berlin", country="DE")


def floor(**config: object) -> Floor:
    return Floor(FloorConfig(**{**DELAYS, **config}))  # type: ignore[arg-type]


def lines(*pairs: tuple[str, int]) -> list[LineRequest]:
    return [LineRequest(sku=sku, quantity=qty) for sku, qty in pairs]


def test_order_moves_through_the_steps_on_the_clock() -> None:
    f = floor()
    f.set_stock("A", 10)
    order = f.receive_order("R1", lines(("A", 3)), ship_to=BERLIN)
    assert order.status is OrderStatus.ALLOCATED  # zero allocate delay runs at once
    assert (f.stock("A").allocated, f.stock("A").available) == (3, 7)
    f.advance(59)
    assert f.order("R1").status is OrderStatus.ALLOCATED
    f.advance(1)
    assert f.order("R1").status is OrderStatus.PICKED
    f.advance(30)
    assert f.order("R1").status is OrderStatus.PACKED
    emitted = f.advance(30)
    shipped = f.order("R1")
    assert shipped.status is OrderStatus.SHIPPED
    assert [type(e) for e in emitted if not isinstance(e, ev.StockChanged)] == [
        ev.ParcelShipped, ev.OrderShipped,
    ]
    level = f.stock("A")
    assert (level.on_hand, level.allocated, level.available) == (7, 0, 7)
    parcel = shipped.parcels[0]
    assert parcel.carrier.code == "DHL" and parcel.tracking_number.startswith("00340434")
    assert parcel.shipped_at == f.now()
    assert [s for s, _ in shipped.history] == [
        OrderStatus.RECEIVED, OrderStatus.ALLOCATED, OrderStatus.PICKED,
        OrderStatus.PACKED, OrderStatus.SHIPPED,
    ]


def test_one_long_advance_stamps_each_step_at_its_due_time() -> None:
    f = floor()
    f.set_stock("A", 1)
    start = f.now()
    f.receive_order("R1", lines(("A", 1)))
    f.advance(3600)
    times = {status: (at - start).total_seconds() for status, at in f.order("R1").history}
    assert times[OrderStatus.PICKED] == 60 and times[OrderStatus.SHIPPED] == 120


def test_duplicate_reference_is_refused_with_the_first_order_id() -> None:
    f = floor()
    first = f.receive_order("R1", lines(("A", 1)))
    with pytest.raises(DuplicateReference) as caught:
        f.receive_order("R1", lines(("B", 1)))
    assert caught.value.context["order_id"] == first.order_id
    assert len(f.orders()) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [(lines(), "no lines"), (lines(("A", 0)), "quantity 0"), (lines((" ", 1)), "SKU is empty")],
)
def test_bad_orders_are_refused_with_a_clear_message(bad: list[LineRequest], message: str) -> None:
    with pytest.raises(FloorError, match=message):
        floor().receive_order("R1", bad)


def test_order_without_stock_waits_and_allocates_when_stock_arrives() -> None:
    f = floor()
    f.set_stock("A", 1)
    f.receive_order("R1", lines(("A", 2)))
    assert f.order("R1").status is OrderStatus.BACKORDERED
    backordered = [e for e in f.events() if isinstance(e, ev.OrderBackordered)]
    assert backordered[0].missing == (("A", 1),)
    f.adjust_stock("A", 1)
    assert f.order("R1").status is OrderStatus.ALLOCATED
    assert f.stock("A").available == 0


def test_allocation_is_all_or_nothing_and_first_come_first_served() -> None:
    f = floor()
    f.set_stock("A", 2)
    f.receive_order("R1", lines(("A", 1), ("B", 1)))
    f.receive_order("R2", lines(("A", 2)))
    assert f.order("R1").status is OrderStatus.BACKORDERED
    assert f.order("R2").status is OrderStatus.ALLOCATED
    f.set_stock("B", 5)
    assert f.order("R1").status is OrderStatus.BACKORDERED  # A is taken by R2
    f.cancel_order("R2")
    assert f.order("R1").status is OrderStatus.ALLOCATED


def test_short_pick_rate_is_seeded_and_writes_the_stock_off() -> None:
    def run(seed: int) -> list[tuple[str, int]]:
        f = floor(seed=seed, short_pick_rate=0.3)
        f.set_stock("A", 10_000)
        for i in range(200):
            f.receive_order(f"R{i}", lines(("A", 2)))
        f.advance(60)
        return [(e.reference, e.picked) for e in f.events() if isinstance(e, ev.ShortPicked)]

    shorts = run(7)
    assert shorts == run(7)
    assert shorts != run(8)
    assert 40 <= len(shorts) <= 80  # 30 % of 200 lines


def test_short_pick_empties_the_bin_and_ships_the_rest() -> None:
    f = floor(short_pick_rate=1.0, seed=3)
    f.set_stock("A", 10)
    f.receive_order("R1", lines(("A", 4)))
    f.advance(60)
    order = f.order("R1")
    line = order.lines[0]
    assert 0 <= line.picked < 4 and line.short_sku == "A"  # type: ignore[operator]
    level = f.stock("A")
    assert level.available == 0 and level.allocated == line.picked
    f.advance(60)
    order = f.order("R1")
    if line.picked:
        assert order.status is OrderStatus.SHIPPED
        assert order.shipped_quantity("1") == line.picked
        assert [e.complete for e in f.events() if isinstance(e, ev.OrderShipped)] == [False]
    else:
        assert order.status is OrderStatus.SHORT_CLOSED
    assert f.stock("A").on_hand == 0


def test_short_pick_can_write_off_only_the_missing_units() -> None:
    f = floor(short_pick_rate=1.0, short_pick_empties_bin=False, seed=3)
    f.set_stock("A", 10)
    f.receive_order("R1", lines(("A", 4)))
    f.advance(60)
    line = f.order("R1").lines[0]
    assert f.stock("A").on_hand == 10 - line.short


def test_max_items_per_parcel_splits_lines_across_parcels() -> None:
    f = floor(max_items_per_parcel=2)
    f.set_stock("A", 10)
    f.set_stock("B", 10)
    f.receive_order("R1", lines(("A", 3), ("B", 2)))
    f.advance(120)
    order = f.order("R1")
    assert [sum(pl.quantity for pl in p.lines) for p in order.parcels] == [2, 2, 1]
    assert order.parcels[0].parcel_id == order.first_parcel_id
    assert len({p.tracking_number for p in order.parcels}) == 3
    assert order.shipped_quantity("1") == 3 and order.shipped_quantity("2") == 2
    shipped = [e.parcel.parcel_id for e in f.events() if isinstance(e, ev.ParcelShipped)]
    assert shipped == [p.parcel_id for p in order.parcels]


def test_split_probability_adds_parcels() -> None:
    f = floor(split_probability=1.0, seed=1)
    f.set_stock("A", 10)
    f.receive_order("R1", lines(("A", 5)))
    f.receive_order("R2", lines(("A", 1)))
    f.advance(120)
    assert 2 <= len(f.order("R1").parcels) <= 3
    assert len(f.order("R2").parcels) == 1  # one unit cannot split


def test_bulky_units_travel_in_boxes_of_their_own() -> None:
    f = floor(boxes_per_unit={"WARDROBE": 3})
    f.set_stock("WARDROBE", 5)
    f.set_stock("A", 5)
    f.receive_order("R1", lines(("WARDROBE", 2), ("A", 1)))
    f.receive_order("R2", lines(("A", 2)))
    f.advance(120)
    (bulky,) = f.order("R1").parcels
    assert len({bulky.tracking_number, *bulky.more_tracking_numbers}) == 6  # 2 x 3 boxes
    (plain,) = f.order("R2").parcels
    assert plain.more_tracking_numbers == ()
    with pytest.raises(ValueError, match="boxes_per_unit"):
        floor(boxes_per_unit={"WARDROBE": 0})


def test_carrier_follows_shipping_method_then_destination() -> None:
    f = floor()
    f.set_stock("A", 10)
    uk = Address(name="Siân Jones", street1="1 High St", city="London", country="GB")
    f.receive_order("R1", lines(("A", 1)), shipping_method="Express")
    f.receive_order("R2", lines(("A", 1)), ship_to=uk, shipping_method="Tracked 48")
    f.advance(120)
    ups, royal = f.order("R1").parcels[0], f.order("R2").parcels[0]
    assert ups.carrier.scac == "UPSN" and ups.tracking_number.startswith("1Z")
    assert royal.carrier.code == "ROYAL_MAIL" and royal.tracking_number.endswith("GB")
    assert royal.tracking_number in royal.tracking_url


@pytest.mark.parametrize("wait", [0, 60])
def test_cancellation_before_packing_releases_stock(wait: int) -> None:
    f = floor()
    f.set_stock("A", 5)
    f.receive_order("R1", lines(("A", 2)))
    f.advance(wait)
    f.cancel_order("R1")
    assert f.order("R1").status is OrderStatus.CANCELLED
    assert (f.stock("A").allocated, f.stock("A").available) == (0, 5)
    f.advance(600)
    assert f.order("R1").status is OrderStatus.CANCELLED  # queued steps are skipped


def test_packed_and_shipped_orders_cannot_be_cancelled() -> None:
    f = floor()
    f.set_stock("A", 5)
    f.receive_order("R1", lines(("A", 1)))
    f.advance(90)
    assert f.order("R1").status is OrderStatus.PACKED
    with pytest.raises(NotCancellable, match="packed"):
        f.cancel_order("R1")
    f.advance(30)
    with pytest.raises(NotCancellable):
        f.cancel_order("R1")


def test_kits_consume_their_components() -> None:
    f = floor()
    f.set_stock("CUP", 10)
    f.set_stock("SAUCER", 3)
    f.define_kit("SET", {"CUP": 2, "SAUCER": 1})
    assert f.kit_available("SET") == 3
    f.receive_order("R1", lines(("SET", 2)))
    assert (f.stock("CUP").allocated, f.stock("SAUCER").allocated) == (4, 2)
    f.advance(120)
    assert (f.stock("CUP").on_hand, f.stock("SAUCER").on_hand) == (6, 1)
    assert f.order("R1").parcels[0].lines[0].sku == "SET"


def test_stock_cannot_be_set_below_what_is_allocated() -> None:
    f = floor()
    f.set_stock("A", 5)
    f.receive_order("R1", lines(("A", 4)))
    with pytest.raises(FloorError, match="allocated"):
        f.set_stock("A", 3)


def test_listeners_get_each_batch_and_the_log_is_gap_free() -> None:
    f = floor()
    batches: list[list[int]] = []
    f.subscribe(lambda batch: batches.append([e.seq for e in batch]))
    f.set_stock("A", 1)
    f.receive_order("R1", lines(("A", 1)))
    f.advance(200)
    flat = [seq for batch in batches for seq in batch]
    assert flat == list(range(1, len(f.events()) + 1))
    assert f.events(after=len(flat) - 1)[0].seq == flat[-1]


def test_reset_forgets_everything() -> None:
    f = floor()
    f.set_stock("A", 1)
    f.receive_order("R1", lines(("A", 1)))
    f.reset()
    assert f.orders() == [] and f.stock_levels() == [] and f.events() == []
    f.receive_order("R1", lines(("A", 1)))
