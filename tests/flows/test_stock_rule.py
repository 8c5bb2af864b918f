"""The stock rule: properties over any stock, reservations and channel rule, and examples."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from marketdock.config import ChannelStockRule, StockPolicy
from marketdock.domain import (
    ChannelKind,
    FulfilmentChannel,
    KitComponent,
    LineStatus,
    Listing,
    ListingKind,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.flows.stock_rule import (
    FBA_EXCLUDED,
    StockExplanation,
    explain,
    reservations,
    reserved_for,
)
from marketdock.flows.store.orders import StoredOrder

WAREHOUSES = ("main", "north")
PROPERTY = settings(derandomize=True, deadline=None, max_examples=300)


def single(sku: str = "MUG", fulfilment: FulfilmentChannel = FulfilmentChannel.MERCHANT
           ) -> Listing:
    return Listing(tenant_id="acme", channel_account_id="shop", channel_sku=sku,
                   warehouse_sku=f"W-{sku}", fulfilment=fulfilment)


def kit(sku: str, *components: tuple[str, int]) -> Listing:
    return Listing(tenant_id="acme", channel_account_id="shop", channel_sku=sku,
                   kind=ListingKind.KIT,
                   components=tuple(KitComponent(warehouse_sku=s, quantity=q)
                                    for s, q in components))


rules = st.builds(
    ChannelStockRule,
    percentage=st.decimals(min_value=0, max_value=100, places=1),
    floor=st.integers(0, 20),
    max_listed=st.none() | st.integers(0, 500),
)
policies = st.builds(lambda buffer, rule: StockPolicy(safety_buffer=buffer,
                                                      channels={"shop": rule}),
                     st.integers(0, 20), rules)
pickables = st.dictionaries(st.sampled_from(WAREHOUSES), st.integers(0, 1000))


def run(listing: Listing, policy: StockPolicy, at: dict[str, int], reserved: int = 0,
        sku: str = "W-MUG") -> StockExplanation:
    return explain(listing, channel_id="shop", policy=policy, warehouses=WAREHOUSES,
                   pickable={(w, sku): n for w, n in at.items()}, reserved={sku: reserved})


@PROPERTY
@given(policies, pickables, st.integers(0, 1500))
def test_published_never_exceeds_what_can_be_sold(policy: StockPolicy, at: dict[str, int],
                                                  reserved: int) -> None:
    result = run(single(), policy, at, reserved)
    assert result.quantity is not None
    assert result.quantity >= 0
    assert result.quantity <= max(sum(at.values()) - reserved - policy.safety_buffer, 0)


@PROPERTY
@given(policies, pickables, st.integers(0, 1500))
def test_floor_and_cap_hold_and_agree_with_the_config(policy: StockPolicy, at: dict[str, int],
                                                      reserved: int) -> None:
    rule = policy.channels["shop"]
    result = run(single(), policy, at, reserved)
    assert result.quantity is not None
    assert result.quantity == 0 or result.quantity >= rule.floor \
        or result.quantity == rule.max_listed
    if rule.max_listed is not None:
        assert result.quantity <= rule.max_listed
    assert result.quantity == policy.publishable("shop", sum(at.values()) - reserved)


@PROPERTY
@given(policies, pickables, st.sampled_from(WAREHOUSES), st.integers(1, 100),
       st.integers(0, 1500))
def test_more_pickable_never_publishes_less(policy: StockPolicy, at: dict[str, int],
                                            warehouse: str, more: int, reserved: int) -> None:
    before = run(single(), policy, at, reserved).quantity
    after = run(single(), policy, {**at, warehouse: at.get(warehouse, 0) + more},
                reserved).quantity
    assert before is not None and after is not None and after >= before


@PROPERTY
@given(policies, pickables, st.integers(0, 1500))
def test_fba_listings_never_receive_a_quantity(policy: StockPolicy, at: dict[str, int],
                                               reserved: int) -> None:
    result = run(single(fulfilment=FulfilmentChannel.FBA), policy, at, reserved)
    assert result.quantity is None and result.excluded == FBA_EXCLUDED and result.terms is None


@PROPERTY
@given(st.integers(0, 100), st.integers(0, 100), st.integers(0, 20))
def test_a_kit_is_as_available_as_its_scarcest_component(mugs: int, teas: int,
                                                         held: int) -> None:
    listing = kit("GIFTSET", ("W-MUG", 2), ("W-TEA", 1))
    result = explain(listing, channel_id="shop", policy=StockPolicy(), warehouses=WAREHOUSES,
                     pickable={("main", "W-MUG"): mugs, ("north", "W-TEA"): teas},
                     reserved={"W-TEA": held})
    assert result.quantity == min(mugs // 2, max(teas - held, 0))


@PROPERTY
@given(policies, pickables, st.integers(0, 1500), st.integers(1, 100))
def test_more_reserved_never_publishes_more(policy: StockPolicy, at: dict[str, int],
                                            reserved: int, more: int) -> None:
    before = run(single(), policy, at, reserved).quantity
    after = run(single(), policy, at, reserved + more).quantity
    assert before is not None and after is not None and after <= before


@PROPERTY
@given(policies, st.integers(0, 200), st.integers(0, 200), st.integers(1, 5), st.integers(1, 5),
       st.integers(0, 50))
def test_a_kit_never_publishes_more_than_its_components_make(
        policy: StockPolicy, mugs: int, teas: int, per_mug: int, per_tea: int,
        held: int) -> None:
    listing = kit("GIFTSET", ("W-MUG", per_mug), ("W-TEA", per_tea))
    result = explain(listing, channel_id="shop", policy=policy, warehouses=WAREHOUSES,
                     pickable={("main", "W-MUG"): mugs, ("north", "W-TEA"): teas},
                     reserved={"W-MUG": held})
    assert result.quantity is not None
    assert 0 <= result.quantity <= max(
        min((mugs - held) // per_mug, teas // per_tea) - policy.safety_buffer, 0)


def test_the_explanation_names_every_term_and_survives_json() -> None:
    policy = StockPolicy(safety_buffer=2, channels={"shop": ChannelStockRule(
        percentage=Decimal(50), floor=3, max_listed=10, warehouses=("main",))})
    result = run(single(), policy, {"main": 40, "north": 7}, reserved=5)
    # 47 pickable - 5 reserved - 2 buffer = 40; 50 % = 20; capped at 10
    assert result.quantity == 10
    assert result.terms is not None and result.terms.capped and not result.terms.below_floor
    assert result.terms.components[0].pickable == {"main": 40, "north": 7}
    assert StockExplanation.model_validate_json(result.model_dump_json()) == result
    assert result.describe() == [
        "shop MUG: publish 10",
        "  W-MUG: pickable main 40, north 7; reserved 5; available 42",
        "  available 42 - safety buffer 2 = 40",
        "  50% rounded down = 20",
        "  capped at max listed 10",
    ]


def test_below_the_floor_the_channel_is_shown_nothing() -> None:
    policy = StockPolicy(channels={"shop": ChannelStockRule(floor=5)})
    result = run(single(), policy, {"main": 4})
    assert result.quantity == 0 and result.terms is not None and result.terms.below_floor


def stored(order_id: int, status: OrderStatus, warehouse: str | None,
           *lines: OrderLine) -> StoredOrder:
    order = Order(tenant_id="acme", channel_account_id="shop", channel=ChannelKind.AMAZON,
                  marketplace_id="A1PA6795UKMFR9", marketplace_order_id=f"O-{order_id}",
                  status=status, marketplace_status="Unshipped",
                  ordered_at=datetime(2026, 1, 5, tzinfo=UTC), lines=lines)
    return StoredOrder(id=order_id, status=status, warehouse_id=warehouse, order=order)


def test_orders_the_warehouse_has_not_acknowledged_reserve_their_open_units() -> None:
    listings = {("shop", "MUG"): single(), ("shop", "SET"): kit("SET", ("W-MUG", 2),
                                                                ("W-TEA", 1))}
    orders = [
        stored(1, OrderStatus.PENDING, None,
               OrderLine(line_id="a", sku="MUG", quantity=1, status=LineStatus.PENDING)),
        stored(2, OrderStatus.RELEASED, "main",
               OrderLine(line_id="a", sku="SET", quantity=2, status=LineStatus.RELEASABLE),
               OrderLine(line_id="b", sku="MUG", quantity=3, quantity_cancelled=1,
                         status=LineStatus.RELEASABLE)),
        stored(3, OrderStatus.RELEASED, "north",
               OrderLine(line_id="a", sku="MUG", quantity=5, status=LineStatus.RELEASABLE)),
        stored(4, OrderStatus.HELD, None,
               OrderLine(line_id="a", sku="UNMAPPED", quantity=9, status=LineStatus.RELEASABLE)),
        stored(5, OrderStatus.ACKNOWLEDGED, "main",
               OrderLine(line_id="a", sku="MUG", quantity=7, status=LineStatus.RELEASABLE)),
        stored(6, OrderStatus.SHIPPED, "main",
               OrderLine(line_id="a", sku="MUG", quantity=7, quantity_shipped=7,
                         status=LineStatus.SHIPPED)),
    ]
    held = reservations(orders, listings)
    assert held == {(None, "W-MUG"): 1, ("main", "W-MUG"): 6, ("main", "W-TEA"): 2,
                    ("north", "W-MUG"): 5}
    assert reserved_for(held, ("main",)) == {"W-MUG": 7, "W-TEA": 2}
    assert reserved_for(held, WAREHOUSES) == {"W-MUG": 12, "W-TEA": 2}
