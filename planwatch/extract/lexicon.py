"""The words the fact grammar is built from: units, hedges and cue phrases.

Units come from the shared lexicon in ``planwatch.units`` so that a unit the extractor reads is
one the plan files and reports also know.  A few entries there are nouns with a measure word in
front ("个街道", "所学校"): they name plan units, but in running text the measure word alone is
the unit ("17个街道级储备物资库" counts 个), so the grammar leaves them out.  Phase and edition
words (期, 届) number things rather than count them, and durations are facts only at the end of a
clause ("压缩至3天", not "三年行动"), so both are listed here.
"""
from __future__ import annotations

import re

from planwatch import units

# Multi-character "units" that begin with a measure word followed by a noun.
_NOUN_UNITS = {"所学校", "张床位", "个社区", "个街道", "个点"}
# Words that number rather than count: 二期, 第十一届.
_ORDINAL_WORDS = {"期", "届"}
# Extra measure words the genre uses that the shared lexicon does not list yet.
_EXTRA = ["微克", "毫克", "艘", "架", "盏", "根", "本", "册", "万人", "个工作日", "工作日", "个月", "周", "分钟"]

DURATIONS = {"年", "天", "小时", "个月", "周", "分钟", "个工作日", "工作日"}

BASES: list[str] = sorted(
    {u for u in units.BASE_UNITS + _EXTRA if u not in _NOUN_UNITS and u not in _ORDINAL_WORDS
     and not ("/" in u and u[0] in "万亿千百")},
    key=len, reverse=True,
)
MAGNITUDE_PREFIXES = [p for p, _ in units.MAGNITUDES]

COUNT_UNITS = set(units.MEASURE_WORDS) | {"艘", "架", "盏", "根", "本", "册"}

# A hedge in front of the number, and where it may stand.
PRE_HEDGES = ["将近", "接近", "超过", "大约", "至少", "逾", "近", "约", "超"]
# Words that end in a one-character hedge but are verbs or nouns ("共签约690户" is no estimate).
HEDGE_LOOKALIKES = {"签约", "节约", "预约", "合约", "制约", "条约", "公约", "特约", "履约", "违约", "续约",
                    "附近", "最近", "临近", "就近", "邻近", "赶超", "高超"}
POST_HEDGES = ["左右", "以上", "多", "余"]

def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
