"""The report as one self-contained HTML file: charts embedded, no CDN, every figure linked.

Each number is a link to its entry in the 数据来源 appendix, with the source's summary as its
title (shown on hover), so a reader can check any figure without leaving the page. All text is
escaped with ``html.escape``; the page loads nothing from anywhere.
"""
from __future__ import annotations

import base64
from html import escape

from planwatch.reports.model import Chart, Num, Paragraph, Report, Table, Text

LEVEL_CLASS = {"green": "g", "yellow": "y", "red": "r", "missing": "m"}

CSS = """
body{font-family:"FangSong","仿宋","STFangsong","Noto Serif CJK SC",serif;max-width:52em;margin:2em auto;
     padding:0 1em;line-height:1.9;font-size:16px;color:#111}
h1{font-family:"SimSun","Noto Serif CJK SC",serif;text-align:center;font-size:1.6em;line-height:1.5}
h2{font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif;font-size:1.15em;margin-top:1.6em}
h3{font-family:"KaiTi","楷体","Noto Serif CJK SC",serif;font-size:1.1em}
p{text-indent:2em;margin:.4em 0;text-align:justify}
ol p,li{text-indent:0}
a.n{color:inherit;text-decoration:none;border-bottom:1px dotted #1565c0}
a.n:hover{background:#e3f2fd}
table{border-collapse:collapse;margin:.5em auto 1.2em;font-size:.85em;line-height:1.5}
th,td{border:1px solid #555;padding:.2em .45em;text-align:center}
td:first-child{text-align:left}
caption{font-family:"SimHei","Noto Sans CJK SC",sans-serif;margin-bottom:.3em}
td.g{background:#c8e6c9}td.y{background:#fff59d}td.r{background:#ffcdd2}td.m{background:#e0e0e0}
figure{text-align:center;margin:1em 0}figure img{max-width:100%}
figcaption{font-family:"SimHei","Noto Sans CJK SC",sans-serif}
.sources{font-size:.85em;line-height:1.6}.sources li:target{background:#fff9c4}
.warn{border:1px solid #f9a825;background:#fffde7;padding:.5em 1em;font-size:.9em}
"""


def _runs(report: Report, runs) -> str:
    out = []
    for r in runs:
        if isinstance(r, Num):
            n = report.source_number(r.source)
            title = escape(report.source(r.source).label)
            out.append(f'<a class="n" href="#src-{n}" title="{title}">{escape(r.text)}</a>')
        elif isinstance(r, Text) and r.bold:
            out.append(f"<b>{escape(r.text)}</b>")
        else:
            out.append(escape(r.text))
    return "".join(out)


def _source_link(report: Report, sid: str | None) -> str:
    if not sid:
        return ""
    n = report.source_number(sid)
    return f'<sup><a href="#src-{n}" title="{escape(report.source(sid).label)}">[{n}]</a></sup>'


def render_html(report: Report) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{escape(report.title)}</h1>"]
    if report.warnings:
        parts.append('<div class="warn"><b>需核实:</b><ul>' + "".join(f"<li>{escape(w)}</li>" for w in report.warnings)
                     + "</ul></div>")
    figures = tables = 0
    for section in report.sections:
        tag = f"h{min(section.level + 1, 4)}"
        parts.append(f"<{tag}>{escape(section.heading)}</{tag}>")
        in_list = False
        for block in section.blocks:
            if isinstance(block, Paragraph) and block.style == "list":
                if not in_list:
                    parts.append("<ol>")
                    in_list = True
                parts.append(f"<li>{_runs(report, block.runs)}{_source_link(report, block.source)}</li>")
                continue
            if in_list:
                parts.append("</ol>")
                in_list = False
            if isinstance(block, Paragraph):
                parts.append(f"<p>{_runs(report, block.runs)}{_source_link(report, block.source)}</p>")
            elif isinstance(block, Table):
                tables += 1
                head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
                rows = []
                for i, row in enumerate(block.rows):
                    level = block.levels[i] if i < len(block.levels) else None
                    cells = [f"<td>{_runs(report, c)}</td>" for c in row[:-1]]
                    cls = f' class="{LEVEL_CLASS[level]}"' if level in LEVEL_CLASS else ""
                    cells.append(f"<td{cls}>{_runs(report, row[-1])}</td>")
                    rows.append("<tr>" + "".join(cells) + "</tr>")
                parts.append(f"<table><caption>表{tables} {escape(block.caption)}</caption>"
                             f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
            elif isinstance(block, Chart):
                figures += 1
                data = base64.b64encode(block.png).decode("ascii")
                parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.alt)}">'
                             f"<figcaption>图{figures} {escape(block.title)}</figcaption></figure>")
        if in_list:
            parts.append("</ol>")
    parts.append("<h2>附件 数据来源</h2><ol class=\"sources\">")
    cited = report.cited_numbers()
    for i, s in enumerate(report.sources, 1):
        figures_text = f"报告中的数字:{'、'.join(cited[s.id])}。" if s.id in cited else ""
        parts.append(f'<li id="src-{i}"><b>{escape(s.label)}</b>。{escape(figures_text)}'
                     f"{'<br>'.join(escape(x) for x in s.lines)}</li>")
    parts.append("</ol></body></html>")
    return "\n".join(parts) + "\n"
