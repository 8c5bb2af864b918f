"""`marketdock demo --orders N --until-settled --json`: one JSON object scripts can read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MARKETS = {"otto", "amazon"}


def test_headless_demo_prints_the_outcome_as_one_json_object(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "marketdock", "demo", "--directory", str(tmp_path),
         "--orders", "8", "--until-settled", "--json", "--faults", "otto:5xx:rate=0.2",
         "--faults", "3pl:429:rate=0.1"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    report = json.loads(line)
    for key in ("orders_placed", "orders_releasable", "orders_at_warehouse",
                "packages_shipped", "packages_confirmed"):
        assert set(report[key]) == MARKETS, key
    assert sum(report["orders_placed"].values()) == 8
    assert report["orders_at_warehouse"] == report["orders_releasable"]
    assert report["packages_confirmed"] == report["packages_shipped"]
    assert report["warehouse_duplicates"] == report["marketplace_duplicates"] == 0
    assert report["listings_in_drift"] == 0
    assert isinstance(report["open_exceptions"], dict)
    assert report["wall_seconds"] > 0 and report["warehouse"] == "rest"


def test_demo_refuses_unknown_options_clearly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "marketdock", "demo", "--directory", str(tmp_path),
         "--warehouse", "ftp", "--until-settled"],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "rest, x12, edifact or csv" in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "marketdock", "demo", "--directory", str(tmp_path),
         "--faults", "mars:5xx", "--until-settled"],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "unknown simulator 'mars'" in done.stderr
