"""The demo: simulated marketplaces and a warehouse, seeded with realistic orders, and the
hub moving them end to end (``marketdock demo``)."""
