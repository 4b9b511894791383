"""Assessment results for people and programs: an aligned terminal table, JSON, CSV.

Chinese characters take two columns in a terminal; ``str.ljust`` counts them as one and the
table falls apart. ``width`` counts East Asian wide and full-width characters as two.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata

from planwatch.assess.display import fixed
from planwatch.assess.model import LEVEL_ZH, Result

COLOURS = {"green": "\033[32m", "yellow": "\033[33m", "red": "\033[31m", "missing": "\033[90m"}
RESET = "\033[0m"

FIELDS = ["item_type", "code", "name", "org_unit", "org_unit_name", "period", "unit", "value", "target",
          "target_growth", "progress_pct", "reported_progress", "progress_mismatch", "time_progress_pct",
          "yoy_pct", "peer_avg_yoy_pct", "level", "rule", "explanation"]


def record(r: Result) -> dict:
    """One result as JSON wants it: the item named under "indicator" or "task"."""
    out = {r.item_type: r.name}
    out.update({k: getattr(r, k) for k in FIELDS})
    return out


def to_json(results: list[Result]) -> str:
    return json.dumps([record(r) for r in results], ensure_ascii=False, indent=1)


def to_csv(results: list[Result]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in results:
        writer.writerow({k: getattr(r, k) for k in FIELDS})
    return buf.getvalue()


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, cells: int, right: bool = False) -> str:
    gap = " " * max(0, cells - width(text))
    return gap + text if right else text + gap


def _num(x: float | None, decimals: int = 1) -> str:
    return "" if x is None else fixed(x, decimals)


def to_table(results: list[Result], colour: bool = False) -> str:
    header = ["指标/任务", "单位", "期间", "数值", "目标", "完成进度%", "时间进度%", "同比%", "预警", "说明"]
    rows = []
    for r in results:
        target = _num(r.target, r.decimals) if r.target is not None else (
            f"增长{fixed(r.target_growth)}%" if r.target_growth is not None else "")
        rows.append([r.name or r.code, r.org_unit_name or r.org_unit, r.period, _num(r.value, r.decimals), target,
                     _num(r.progress_pct), _num(r.time_progress_pct), _num(r.yoy_pct), LEVEL_ZH[r.level],
                     r.explanation, r.level])
    widths = [max([width(h)] + [width(row[i]) for row in rows]) for i, h in enumerate(header)]
    numeric = {3, 4, 5, 6, 7}
    lines = ["  ".join(pad(h, widths[i], i in numeric) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [pad(row[i], widths[i], i in numeric) for i in range(len(header))]
        if colour:
            cells[8] = f"{COLOURS[row[-1]]}{cells[8]}{RESET}"
        lines.append("  ".join(cells).rstrip())
    counts = {lvl: sum(1 for r in results if r.level == lvl) for lvl in COLOURS}
    lines.append("")
    lines.append("合计 " + "  ".join(f"{LEVEL_ZH[k]} {v}" for k, v in counts.items()))
    return "\n".join(lines)
