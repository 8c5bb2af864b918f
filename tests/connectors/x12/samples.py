"""Paths of the shared EDI samples (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SAMPLES = PROJECT_ROOT.parent / "shared" / "contracts" / "edi" / "samples"
X12 = SAMPLES / "x12"
AUTHORED = SAMPLES / "authored"
EDIFACT = SAMPLES / "edifact"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sample(name: str) -> bytes:
    for folder in (X12, AUTHORED, EDIFACT):
        path = folder / name
        if path.exists():
            return path.read_bytes()
    raise FileNotFoundError(name)
