"""Writing a report's charts as PNG files beside a Markdown file, for editors that show images."""
from __future__ import annotations

from pathlib import Path

from planwatch.reports.model import Chart, Report


def write_charts(report: Report, md_path: Path) -> dict[str, str]:
    """Charts into ``<name>_charts/``; returns chart key → path relative to the Markdown file."""
    charts = [b for s in report.sections for b in s.blocks if isinstance(b, Chart)]
    if not charts:
        return {}
    folder = md_path.with_name(md_path.stem + "_charts")
    folder.mkdir(parents=True, exist_ok=True)
    links = {}
    for i, chart in enumerate(charts, 1):
        name = f"{i:02d}-{chart.key}.png"
        (folder / name).write_bytes(chart.png)
        links[chart.key] = f"{folder.name}/{name}"
    return links
