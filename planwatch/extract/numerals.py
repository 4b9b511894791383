"""Numbers as Chinese reports write them: 1,234.5, １２３ (full width), 三十六, 一千二百, 两.

Full-width characters are folded one for one onto ASCII, so every offset into the folded text
is an offset into the original: a quote is always cut from the text the user gave us.
"""
from __future__ import annotations

from functools import lru_cache

import cn2an

# Full-width ASCII block (！..～) onto ASCII, ideographic space and no-break space onto a space.
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
FOLD.update({0x3000: 0x20, 0xA0: 0x20, 0x2014: 0x2D, 0x2013: 0x2D, 0xFF5E: 0x7E})


def fold(text: str) -> str:
    """Same length as ``text``: full-width digits and punctuation become ASCII."""
    return text.translate(FOLD)


CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"


@lru_cache(maxsize=4096)
def chinese_to_number(s: str) -> float | None:
    """三十六 -> 36, 一千二百 -> 1200, 两 -> 2; None for what is not a well-formed count (四六)."""
    if not s or not any(c in s for c in "一二两三四五六七八九十"):
        return None
    try:
        return float(cn2an.cn2an(s.replace("两", "二"), "strict"))
    except Exception:  # cn2an raises a variety of types for malformed input
        return None


def arabic_to_number(s: str) -> float:
    return float(s.replace(",", ""))
