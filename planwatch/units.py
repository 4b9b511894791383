"""The unit lexicon: the units Chinese plan documents measure things in.

A unit as written ("万平方米", "亿元", "万人次") is a magnitude prefix (万, 亿 ...) and a base
measure (平方米, 元, 人次). Plan files, extraction and reports all need to know which units
exist, how to fold a magnitude into a value, and which units can never be negative, so the
lexicon lives here, apart from any one of them.
"""
from __future__ import annotations

# Magnitude prefixes, longest first so that 万亿 wins over 万.
MAGNITUDES: list[tuple[str, float]] = [
    ("万亿", 1e12),
    ("千万", 1e7),
    ("百万", 1e6),
    ("亿", 1e8),
    ("万", 1e4),
    ("千", 1e3),
]

# Base measures grouped by what they measure.  Currencies, physical measures, and the
# measure words (量词) that Chinese counts carry.
CURRENCY = ["元", "美元", "欧元", "港元", "日元"]
PHYSICAL = [
    "平方米", "平方公里", "平方千米", "公顷", "亩", "米", "公里", "千米",
    "吨", "千克", "公斤", "吨标准煤", "千瓦时", "千瓦", "立方米",
    "微克/立方米", "毫克/立方米", "分贝", "小时", "天", "年",
]
RATIO = ["%", "‰", "个百分点", "成", "倍"]
COMPOUND = ["元/人", "亿元/平方公里", "万元/平方公里", "元/平方米", "吨标准煤/万元", "人/万人"]
MEASURE_WORDS = [
    "个", "项", "家", "户", "人", "人次", "户次", "次", "名", "条", "处", "张", "所", "座",
    "栋", "套", "间", "辆", "场", "件", "批", "类", "种", "只", "台", "篇", "部", "期", "块",
    "片", "幢", "宗", "笔", "份", "棵", "株", "床", "位", "支", "趟", "起", "轮", "届",
    "门", "辆次", "架次", "车次", "人日", "个点", "所学校", "张床位", "个社区", "个街道",
]

BASE_UNITS: list[str] = CURRENCY + PHYSICAL + RATIO + COMPOUND + MEASURE_WORDS

# Units whose value may legitimately be below zero (a change, not an amount).
SIGNED_UNITS = {"%", "‰", "个百分点"}


def split_magnitude(unit: str) -> tuple[float, str]:
    """'万平方米' -> (10000.0, '平方米'); '亿元' -> (1e8, '元'); '%' -> (1.0, '%')."""
    unit = normalize(unit)
    for prefix, factor in MAGNITUDES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            rest = unit[len(prefix):]
            if rest in _BASE_SET or rest in _EXTRA_BASES:
                return factor, rest
    return 1.0, unit


def normalize(unit: str) -> str:
    """Fold the spellings people type (full-width %, spaces, ㎡) onto one form."""
    if unit is None:
        return ""
    u = unit.strip().replace(" ", "").replace("\u3000", "")
    u = u.replace("％", "%").replace("㎡", "平方米").replace("㎞", "公里").replace("μg/m³", "微克/立方米")
    u = u.replace("／", "/")
    return u


_BASE_SET = set(BASE_UNITS)
_EXTRA_BASES: set[str] = set()


def is_known(unit: str) -> bool:
    """True when the unit is a base measure, optionally behind a magnitude prefix.

    The empty unit is known: a bare count ("12大专项行动") has none.
    """
    u = normalize(unit)
    if u == "":
        return True
    if u in _BASE_SET:
        return True
    _, base = split_magnitude(u)
    return base in _BASE_SET


def can_be_negative(unit: str) -> bool:
    return normalize(unit) in SIGNED_UNITS


def to_base(value: float, unit: str) -> tuple[float, str]:
    """Fold the magnitude into the value: (3.7, '万平方米') -> (37000.0, '平方米')."""
    factor, base = split_magnitude(unit)
    return value * factor, base


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between two spellings of one base measure (万元 -> 亿元).

    Raises ValueError when the base measures differ (元 vs 户).
    """
    v, b1 = to_base(value, from_unit)
    f2, b2 = split_magnitude(to_unit)
    if b1 != b2:
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}")
    return v / f2
