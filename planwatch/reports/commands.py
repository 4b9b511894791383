"""``planwatch report``: draft the execution report of a plan for a period."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.option("--plan", "plan_code", required=True, help="Plan code, e.g. dongcheng-2021.")
@click.option("--period", required=True, help="Reporting period, e.g. 2021H1, 2021Q3, 2021-10.")
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "md"]), default="docx", show_default=True,
              help="docx: Word after GB/T 9704 for filing; html: one self-contained page; md: for review.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: <plan>-<period>.<format> in the current folder; '-' for stdout).")
@click.option("--org-unit", help="Org unit code when not the plan's own unit.")
@click.option("--approved-only", is_flag=True, help="Use only approved figures and progress (the version that is filed).")
@click.option("--no-charts", is_flag=True, help="Leave the charts out (faster; plain-text review).")
def report(plan_code, period, fmt, output, org_unit, approved_only, no_charts):
    """Draft the plan execution report (计划执行情况报告) from the data.

    The report has the standard structure: title, 一、执行情况 (headline paragraph, one
    subsection per plan area with indicators and task progress), 二、需要关注的主要问题 (red and
    yellow items with their gaps), 三、下一阶段工作安排 (open tasks with targets and deadlines), and an
    appendix listing the source of every figure. With Markdown, charts are written as PNG files
    beside the output file.
    """
    from planwatch.cli import migrate
    from planwatch.reports.build import ReportError, build_report, render

    migrate()
    try:
        rep = build_report(plan_code, period, org_unit, approved_only=approved_only, charts=not no_charts)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    if output == "-":
        if fmt == "docx":
            raise click.ClickException("docx 不能输出到终端,请用 -o 指定文件")
        from planwatch.reports.render_md import render_md

        click.echo(render_md(rep) if fmt == "md" else render(rep, fmt).decode("utf-8"), nl=False)
        return
    path = Path(output or f"{plan_code}-{period}.{fmt}")
    if fmt == "md":
        from planwatch.reports.charts_files import write_charts
        from planwatch.reports.render_md import render_md

        links = write_charts(rep, path)
        path.write_text(render_md(rep, links), encoding="utf-8")
    else:
        path.write_bytes(render(rep, fmt))
    click.echo(f"已生成 {path}(章节 {sum(1 for s in rep.sections if s.level == 1)} 个,数据来源 {len(rep.sources)} 条)")
    for w in rep.warnings:
        click.echo(f"需核实:{w}", err=True)


COMMANDS = [report]
