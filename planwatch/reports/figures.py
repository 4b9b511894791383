"""Numbers written the way a plan execution report writes them.

A figure keeps the decimals it was entered with (1499.7 stays 1499.7, 45157 stays 45157,
4.94 stays 4.94): ``DataValue.decimals`` when the value carries it, else the indicator's.
Growth is a phrase, not a signed number: 同比增长9.1% / 同比下降3.2%.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def fixed(value: float, decimals: int | None) -> str:
    """``value`` with ``decimals`` places, rounded half up as a person would (2.45 → 2.5).

    Without decimals the shortest exact form is used (12.0 → 12, 0.25 → 0.25).
    """
    if decimals is None:
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    quantum = Decimal(1).scaleb(-int(decimals))
    d = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0.0"
    return f"{d:f}"


def pct(value: float, decimals: int = 1) -> str:
    """A percentage figure (no sign): 55.5."""
    return fixed(value, decimals)


def pct_decimals(value: float, limit: int = 2) -> int:
    """The decimals a percentage was most likely entered with (9.5 → 1, 54.73 → 2, 120 → 0)."""
    for d in range(limit + 1):
        if abs(round(value, d) - value) < 1e-9:
            return d
    return limit


def growth_word(yoy: float, prefix: str = "同比") -> str:
    """同比增长 / 同比下降 by sign (0 counts as 持平)."""
    if yoy > 0:
        return f"{prefix}增长"
    if yoy < 0:
        return f"{prefix}下降"
    return f"{prefix}持平"
