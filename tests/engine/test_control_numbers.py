"""X12 control numbers survive restarts and are separate per partner and kind."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from marketdock.engine.control_numbers import DatabaseControlNumbers
from marketdock.engine.db import Database


def test_numbers_continue_after_a_restart_and_never_repeat(db_url: str) -> None:
    first = Database.from_url(db_url)
    numbers = DatabaseControlNumbers(first, "acme", "wh-east")
    assert [numbers.next_interchange() for _ in range(3)] == [1, 2, 3]
    assert numbers.next_group() == 1 and numbers.next_transaction() == 1
    assert DatabaseControlNumbers(first, "acme", "wh-west").next_interchange() == 1
    first.dispose()
    restarted = Database.from_url(db_url)
    numbers = DatabaseControlNumbers(restarted, "acme", "wh-east")
    assert numbers.next_interchange() == 4
    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(lambda _: numbers.next_transaction(), range(40)))
    assert sorted(taken) == list(range(2, 42))
    restarted.dispose()
