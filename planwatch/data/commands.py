"""Commands for the data an installation holds: the audit trail, the reporting calendar, period
locks, and backups.

planwatch audit    export the audit trail (JSON or CSV)
planwatch owed     who still owes figures for a period, who is late
planwatch deadline set a reporter's due date for a period
planwatch lock / reopen   seal a period of a plan, or open it again with a reason
planwatch backup / restore   whole-database copies (SQLite online backup, PostgreSQL pg_dump)
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click


def _actor():
    from planwatch.cli import cli_actor

    return cli_actor()


def _plan(code: str):
    from planwatch.plans.models import Plan

    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        known = ", ".join(Plan.objects.values_list("code", flat=True)[:10]) or "(无)"
        raise click.BadParameter(f"没有代码为 {code} 的计划;已有计划:{known}", param_hint="PLAN")
    return plan


def _period(code: str):
    from planwatch.data.models import Period

    try:
        return Period.get(code)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="PERIOD") from exc


# -- audit --------------------------------------------------------------------------------------

AUDIT_COLUMNS = ["id", "at", "actor", "action", "model", "object_id", "object_repr", "old", "new", "reason"]


def audit_rows(since: dt.date | None = None, model: str | None = None):
    """Audit entries as plain dicts, oldest first (the order a reader follows a history in)."""
    from django.utils import timezone

    from planwatch.data.models import AuditEntry

    qs = AuditEntry.objects.order_by("id")
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        qs = qs.filter(at__gte=start)
    if model:
        qs = qs.filter(model=model)
    for e in qs.iterator(chunk_size=2000):
        yield {"id": e.pk, "at": timezone.localtime(e.at).isoformat(), "actor": e.actor, "action": e.action,
               "model": e.model, "object_id": e.object_id, "object_repr": e.object_repr, "old": e.old,
               "new": e.new, "reason": e.reason}


@click.command("audit")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only entries on or after this date (YYYY-MM-DD).")
@click.option("--model", help="Only one kind of record, e.g. data.datavalue, plans.target, data.periodlock.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file instead of stdout.")
def audit_command(since, model, fmt, output):
    """Export the audit trail: who changed what, when, old and new values, and why.

    CSV cells that could start a spreadsheet formula are prefixed with ' so the file is safe to
    open in Excel; old/new values are JSON in both formats.
    """
    from planwatch.accounts.safety import spreadsheet_safe

    rows = audit_rows(since.date() if since else None, model)
    out = open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump(list(rows), out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            writer = csv.writer(out)
            writer.writerow(AUDIT_COLUMNS)
            for row in rows:
                cells = [row[c] if c not in ("old", "new") else
                         ("" if row[c] is None else json.dumps(row[c], ensure_ascii=False, sort_keys=True))
                         for c in AUDIT_COLUMNS]
                writer.writerow([spreadsheet_safe(c) for c in cells])
    finally:
        if output:
            out.close()


# -- reporting calendar -------------------------------------------------------------------------

@click.command("owed")
@click.option("--period", help="Only this period, e.g. 2021H1.")
@click.option("--plan", "plan_code", help="Only this plan (code).")
@click.option("--user", "username", help="Show what this account sees: a reporter its own open items, a planner its plans.")
@click.option("--all", "show_all", is_flag=True, help="Also list reporters who have handed everything in.")
def owed_command(period, plan_code, username, show_all):
    """Who still owes figures, who is late, and what exactly is missing."""
    from django.contrib.auth import get_user_model

    from planwatch.data.calendar import calendar, deadlines_for

    deadlines = None
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise click.BadParameter(f"没有用户 {username}", param_hint="--user")
        deadlines = deadlines_for(user)
    statuses = calendar(deadlines=deadlines, plan=_plan(plan_code) if plan_code else None,
                        period=_period(period) if period else None)
    if not statuses:
        click.echo("没有设定报送期限(planwatch deadline 设置)")
        return
    shown = [s for s in statuses if show_all or s.owed]
    late = sum(1 for s in statuses if s.state == "late")
    done = sum(1 for s in statuses if s.state == "submitted")
    click.echo(f"报送单位 {len(statuses)} 个:已报齐 {done},逾期 {late},未到期 {len(statuses) - done - late}")
    for s in shown:
        d = s.deadline
        click.echo(f"{d.plan.code} {d.period.code} {s.reporter}  截止 {d.due:%Y-%m-%d}  "
                   f"{s.state_label}  已报 {s.done}/{s.total}")
        for item in s.owed:
            click.echo(f"    - {'指标' if item.kind == 'value' else '任务'} {item.label}:{item.status_label}")


@click.command("deadline")
@click.argument("plan_code", metavar="PLAN")
@click.argument("period_code", metavar="PERIOD")
@click.argument("due", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--department", help="Department code of the reporter.")
@click.option("--org-unit", "org_unit", help="Org unit code of the reporter (a 街道).")
def deadline_command(plan_code, period_code, due, department, org_unit):
    """Set when one reporter owes its figures for PERIOD of PLAN (DUE as YYYY-MM-DD)."""
    from planwatch.data.actions import set_deadline
    from planwatch.plans.models import Department, OrgUnit

    if bool(department) == bool(org_unit):
        raise click.UsageError("请指定 --department 或 --org-unit 之一")
    dept = unit = None
    if department:
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise click.BadParameter(f"没有代码为 {department} 的责任部门", param_hint="--department")
    else:
        unit = OrgUnit.objects.filter(code=org_unit).first()
        if unit is None:
            raise click.BadParameter(f"没有代码为 {org_unit} 的单位", param_hint="--org-unit")
    row = set_deadline(_plan(plan_code), _period(period_code), due.date(), department=dept, org_unit=unit,
                       actor=_actor())
    click.echo(f"已设定:{row}")


# -- period locks -------------------------------------------------------------------------------

@click.command("lock")
@click.argument("plan_code", metavar="PLAN")
@click.argument("period_code", metavar="PERIOD")
@click.option("--reason", default="", help="Why the period is sealed (goes into the audit trail).")
def lock_command(plan_code, period_code, reason):
    """Lock PERIOD of PLAN: its values and task progress can no longer change."""
    from planwatch.data.actions import lock_period

    lock = lock_period(_plan(plan_code), _period(period_code), actor=_actor(), reason=reason)
    click.echo(f"已锁定:{lock.plan.name} {lock.period}")


@click.command("reopen")
@click.argument("plan_code", metavar="PLAN")
@click.argument("period_code", metavar="PERIOD")
@click.option("--reason", required=True, help="Why the locked period must change (required, audited).")
def reopen_command(plan_code, period_code, reason):
    """Reopen a locked PERIOD of PLAN so corrections can be entered; the reason is audited."""
    from planwatch.data.actions import InvalidTransition, reopen_period

    try:
        lock = reopen_period(_plan(plan_code), _period(period_code), actor=_actor(), reason=reason)
    except (InvalidTransition, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已重新开放:{lock.plan.name} {lock.period}(理由:{reason})")


# -- backup and restore -------------------------------------------------------------------------

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _db():
    from django.db import connection

    return connection


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def backup_database(target: Path) -> str:
    """Copy the live database to ``target``; returns the format written ("sqlite" or "pg_dump")."""
    connection = _db()
    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    if connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        dest = sqlite3.connect(tmp)
        try:
            with dest:
                source.backup(dest)  # online: consistent even while the app writes
        finally:
            dest.close()
            source.close()
        os.replace(tmp, target)
        return "sqlite"
    if connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        cmd = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(tmp), connection.settings_dict["NAME"]]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise click.ClickException(f"pg_dump 失败:{result.stderr.strip()}")
        os.replace(tmp, target)
        return "pg_dump"
    raise click.ClickException(f"不支持备份 {connection.vendor} 数据库")


def restore_database(source: Path) -> str:
    """Replace the live database by a backup made with ``backup_database`` (all or nothing)."""
    from django.db import connections

    connection = _db()
    source = Path(source)
    head = source.read_bytes()[:16] if source.exists() else b""
    if not head:
        raise click.ClickException(f"备份文件 {source} 不存在或为空")
    if connection.vendor == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise click.ClickException(f"{source} 不是 SQLite 备份(当前数据库为 SQLite)")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in src.execute("select name from sqlite_master where type='table'")}
            if "django_migrations" not in tables:
                raise click.ClickException(f"{source} 不是 planwatch 数据库的备份")
            connections.close_all()
            dest = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                src.backup(dest)  # page-by-page copy inside one write transaction of the target
            finally:
                dest.close()
        finally:
            src.close()
        return "sqlite"
    if connection.vendor == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise click.ClickException(f"{source} 不是 pg_dump 自定义格式的备份(当前数据库为 PostgreSQL)")
        connections.close_all()
        args, env = _pg_env(connection.settings_dict)
        cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", *args, "-d", connection.settings_dict["NAME"], str(source)]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise click.ClickException(f"pg_restore 失败,数据库未改变:{result.stderr.strip()}")
        return "pg_dump"
    raise click.ClickException(f"不支持恢复 {connection.vendor} 数据库")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file):
    """Write a complete copy of the database to FILE while the app keeps running.

    SQLite: the online backup API (a consistent snapshot, WAL-safe). PostgreSQL: pg_dump in its
    custom format (-Fc), restorable with planwatch restore or pg_restore.
    """
    kind = backup_database(Path(file))
    click.echo(f"已备份到 {file}({kind},{Path(file).stat().st_size} 字节)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file, yes):
    """Replace the whole database with the backup in FILE (made by planwatch backup).

    Everything entered since the backup is lost; the restore is all or nothing.
    """
    if not yes:
        click.confirm(f"用 {file} 覆盖当前数据库?备份之后录入的数据将丢失", abort=True)
    kind = restore_database(Path(file))
    from planwatch.data.version import forget_caches

    forget_caches()  # files cached from the replaced database say nothing about the restored one
    click.echo(f"已从 {file} 恢复({kind})")


COMMANDS = [audit_command, owed_command, deadline_command, lock_command, reopen_command, backup_command,
            restore_command]
