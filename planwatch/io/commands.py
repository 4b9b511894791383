"""The ``template``, ``import`` and ``export`` commands: Excel collection and data exchange."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from planwatch.io.export import EXTENSIONS, FORMATS


def _actor(username: str | None):
    """The acting user (--user), or the CLI's administrator when none is named."""
    from django.contrib.auth import get_user_model

    from planwatch.data.actions import Actor

    if not username:
        return Actor(name="cli")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise click.UsageError(f"用户 {username} 不存在")
    return Actor.of(user)


def _catalog(code: str):
    from planwatch.io.catalog import PlanCatalog

    catalog = PlanCatalog.of(code)
    if catalog is None:
        raise click.UsageError(f"计划 {code} 不存在(先用 planwatch plan load 载入计划文件)")
    return catalog


@click.command("template")
@click.option("--plan", "plan_code", required=True, help="Plan code, e.g. dongcheng-2021.")
@click.option("--period", required=True, help="Reporting period: 2021, 2021H1, 2021Q3, 2021-06.")
@click.option("--department", help="Department code: a template of the items that department reports.")
@click.option("--org-unit", help="Org unit code (e.g. a 街道): a template of that unit's figures and tasks.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .xlsx file to write.")
def template(plan_code, period, department, org_unit, output):
    """Write a collection workbook (.xlsx) for a department or org unit to fill in Excel.

    Without --department/--org-unit the template covers the whole plan (for the planning office).
    """
    from planwatch.io.recipients import DEPARTMENT, ORG_UNIT, PLAN, resolve
    from planwatch.io.template import write_template
    from planwatch.periods import Period, PeriodError

    from planwatch.cli import migrate

    migrate()
    if department and org_unit:
        raise click.UsageError("--department 与 --org-unit 只能选一个")
    catalog = _catalog(plan_code)
    try:
        p = Period.parse(period)
    except PeriodError as exc:
        raise click.UsageError(str(exc))
    kind, code = (DEPARTMENT, department) if department else (ORG_UNIT, org_unit) if org_unit else (PLAN, plan_code)
    try:
        recipient = resolve(catalog, kind, code)
    except LookupError as exc:
        raise click.UsageError(str(exc))
    n = write_template(catalog, p, recipient, output)
    click.echo(f"已生成填报模板 {output}:{catalog.plan.name} · {p.zh_name} · {recipient.label},共 {n} 项")


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--user", "username", help="Act as this user (their role decides what they may report). Default: administrator 'cli'.")
@click.option("--plan", "plan_code", help="Refuse the file unless it belongs to this plan (required for DHIS2 JSON without dataSet).")
@click.option("--period", help="Refuse the file unless its figures are for this period.")
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
def import_(file, username, plan_code, period, check):
    """Import a filled template (.xlsx), a tidy CSV or DHIS2 dataValueSets JSON.

    The whole file is validated first; if anything is wrong every problem is listed (sheet,
    cell, reason) and nothing is written. Imported values enter as 'submitted'. Importing the
    same file again changes nothing.
    """
    from planwatch.cli import migrate
    from planwatch.io.importer import import_workbook
    from planwatch.io.problems import ImportRefused

    migrate()
    try:
        report = import_workbook(file, actor=_actor(username), plan=plan_code, period=period, dry_run=check)
    except ImportRefused as exc:
        click.echo(f"{file}:{len(exc.problems)} 处错误,未写入任何数据:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    prefix = "检查通过(未写入):" if check else "已导入:"
    click.echo(prefix + report.summary())


@click.command("export")
@click.option("--plan", "plan_code", required=True, help="Plan code.")
@click.option("--period", "periods", multiple=True, help="Only these periods (repeatable); default all.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: tidy CSV; xlsx: pivot of indicators × org units per period; sdmx-csv; dhis2-json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output; required for xlsx).")
@click.option("--user", "username", help="Export only what this user may see.")
def export(plan_code, periods, fmt, output, username):
    """Export a plan's current figures for other systems (tidy CSV, Excel pivot, SDMX-CSV, DHIS2 JSON)."""
    from planwatch.cli import migrate
    from planwatch.io.export import export as do_export

    migrate()
    catalog = _catalog(plan_code)
    user = _actor(username).user if username else None
    try:
        data = do_export(catalog, fmt, list(periods) or None, user=user)
    except ValueError as exc:
        raise click.UsageError(str(exc))
    if output:
        Path(output).write_bytes(data)
        click.echo(f"已导出 {output}({fmt},{len(data)} 字节)", err=True)
    elif fmt == "xlsx":
        raise click.UsageError(f"xlsx 需要 -o 文件名(如 {plan_code}{EXTENSIONS[fmt]})")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


COMMANDS = [template, import_, export]
