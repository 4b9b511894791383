"""The report as Markdown, for review in any editor and for diffs between drafts.

Planner text is escaped so that it reads as typed: ``<script>`` stays visible text instead of
becoming raw HTML, and a narrative that starts with "1." or "#" does not turn into a list or a
heading. Figures cite their sources as footnotes at the end of each paragraph or table;
the footnotes form the 数据来源 appendix. Charts are linked when the caller wrote them as files
(``chart_paths``), otherwise described by their alternative text.
"""
from __future__ import annotations

import re

from planwatch.reports.model import Chart, Num, Paragraph, Report, Table, Text

# characters that start inline markup (emphasis, code, links, raw HTML, entities, table cells)
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
# what turns a line into a heading, a list item, a quote or a rule when it comes first
_BLOCK_START = re.compile(r"^(\s*)(#|>|[-+=]|\d+(?=[.)]))", re.M)


def escape(text: str, at_start: bool = True) -> str:
    """Markdown-escape ``text``; ``at_start``: it begins a line, so block markers are escaped too."""
    text = _SPECIAL.sub(r"\\\1", text)
    if not at_start:
        return text
    return _BLOCK_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                      else m.group(2) + "\\"), text)


def _runs(runs, line_start: bool = True) -> str:
    out = []
    for i, r in enumerate(runs):
        t = escape(r.text, at_start=line_start and i == 0 and not (isinstance(r, Text) and r.bold))
        out.append(f"**{t}**" if isinstance(r, Text) and r.bold and t.strip() else t)
    return "".join(out)


def _refs(report: Report, ids) -> str:
    seen = []
    for i in ids:
        if i and i not in seen:
            seen.append(i)
    return "".join(f"[^{report.source_number(i)}]" for i in seen)


def render_md(report: Report, chart_paths: dict[str, str] | None = None) -> str:
    lines = [f"# {escape(report.title)}", ""]
    if report.approved_only:
        lines += ["> 本稿仅采用已审核数据。", ""]
    figures = tables = 0
    for section in report.sections:
        lines += [f"{'#' * (section.level + 1)} {escape(section.heading)}", ""]
        n = 0
        for block in section.blocks:
            if isinstance(block, Paragraph):
                refs = _refs(report, [r.source for r in block.runs if isinstance(r, Num)] + [block.source])
                if block.style == "list":
                    n += 1
                    lines += [f"{n}. {_runs(block.runs)}{refs}", ""]
                else:
                    lines += [f"{_runs(block.runs)}{refs}", ""]
            elif isinstance(block, Table):
                tables += 1
                lines += [f"**表{tables} {escape(block.caption)}**", ""]
                lines.append("| " + " | ".join(escape(h) for h in block.header) + " |")
                lines.append("|" + "|".join(["---"] * len(block.header)) + "|")
                ids = []
                for row in block.rows:
                    lines.append("| " + " | ".join(_runs(cell, line_start=False) for cell in row) + " |")
                    ids += [r.source for cell in row for r in cell if isinstance(r, Num)]
                lines += ["", f"来源:{_refs(report, ids)}" if ids else "", ""]
            elif isinstance(block, Chart):
                figures += 1
                caption = f"图{figures} {escape(block.title)}"
                path = (chart_paths or {}).get(block.key)
                if path:
                    lines += [f"![{caption}]({path})", ""]
                lines += [f"*{caption}*:{escape(block.alt)}", ""]
    lines += ["## 附件 数据来源", ""]
    cited = report.cited_numbers()
    for i, s in enumerate(report.sources, 1):
        figures_text = f"报告中的数字:{'、'.join(escape(x) for x in cited[s.id])}。" if s.id in cited else ""
        lines.append(f"[^{i}]: **{escape(s.label)}**。{figures_text}{escape(';'.join(s.lines))}。")
    if report.warnings:
        lines += ["", "<!-- 需核实:", *(w.replace("--", "—") for w in report.warnings), "-->"]
    return "\n".join(lines) + "\n"
