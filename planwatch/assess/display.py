"""How numbers are shown in explanations: one rounding rule that both engines reproduce exactly.

Python's ``f"{x:.1f}"`` rounds the exact binary value, Polars' ``round`` rounds half away from
zero after scaling: on a value such as 0.15 they disagree. The explanation strings are part of
the contract between the reference and the batch engine, so the spec fixes its own rule:
multiply by 10^d, add one half, floor. That is three IEEE operations, identical everywhere.
"""
from __future__ import annotations

import math

MAX_DECIMALS = 6
SCALE = {d: float(10 ** d) for d in range(MAX_DECIMALS + 1)}


def clamp_decimals(decimals: int | None, default: int = 1) -> int:
    if decimals is None:
        return default
    return min(MAX_DECIMALS, max(0, int(decimals)))


def rounded(x: float, decimals: int) -> int:
    """``x`` in units of 10^-decimals, rounded half up."""
    return math.floor(x * SCALE[decimals] + 0.5)


def fixed(x: float, decimals: int = 1) -> str:
    """``x`` with exactly ``decimals`` decimals: fixed(42.04) → '42.0', fixed(-8.05) → '-8.0'."""
    q = rounded(x, decimals)
    sign = "-" if q < 0 else ""
    q = abs(q)
    if decimals == 0:
        return f"{sign}{q}"
    unit = 10 ** decimals
    return f"{sign}{q // unit}.{q % unit:0{decimals}d}"
