"""Deadlines as plans write them: 年底前, 11月底前, 三季度末, 上半年, 2021-11-30.

A task is measured against its own timeline, so the plan loader turns the planner's words into a
date within the plan year and keeps the words for the report.
"""
from __future__ import annotations

import re
from datetime import date

from planwatch.periods import month_end

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}


class DeadlineError(ValueError):
    pass


def _month(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token in _ZH_DIGITS:
        return _ZH_DIGITS[token]
    raise DeadlineError(f"不认识的月份 {token!r}")


def parse_deadline(text: str, year: int) -> date:
    """Turn a deadline phrase into the last day it allows, within ``year``.

    >>> parse_deadline("11月底前", 2021)
    datetime.date(2021, 11, 30)
    """
    raw = str(text).strip()
    t = raw.replace(" ", "").replace("（", "(").replace("）", ")")
    t = re.sub(r"^\d{4}年", "", t) if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", t) else t
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", t)
    if m:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d.year != year:
            raise DeadlineError(f"时限 {raw} 不在计划年度 {year} 内")
        return d
    if t in {"年底前", "年底", "年内", "年末", "全年", "年底前完成", "12月底前"}:
        return date(year, 12, 31)
    if t in {"上半年", "年中", "6月底前"}:
        return date(year, 6, 30)
    m = re.fullmatch(r"([一二三四1-4])季度(末|底)?前?", t.replace("第", ""))
    if m:
        return month_end(year, _month(m.group(1)) * 3)
    m = re.fullmatch(r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])月(底|末|份)?(前)?", t)
    if m:
        month = _month(m.group(1))
        if not 1 <= month <= 12:
            raise DeadlineError(f"时限 {raw} 的月份不在1-12之间")
        return month_end(year, month)
    raise DeadlineError(f"不认识的时限写法 {raw!r}:请写 年底前、11月底前、三季度末 或 {year}-11-30")
