"""The domain package exports a sorted, complete public API."""

from __future__ import annotations

import marketdock.domain as domain


def test_all_is_sorted_and_resolvable() -> None:
    assert domain.__all__ == sorted(domain.__all__)
    for name in domain.__all__:
        assert hasattr(domain, name), name


def test_every_record_class_is_exported() -> None:
    records = {
        name for name, value in vars(domain).items()
        if isinstance(value, type) and issubclass(value, domain.Record)
    }
    assert records <= set(domain.__all__)
