"""The ``planwatch`` command: one entry point for planners and for operators.

Each app adds its own commands through a ``COMMANDS`` list in ``planwatch/<app>/commands.py``,
so this file only wires them up and holds the commands of the whole installation
(init, demo, serve, plan, manage).
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
import sys

import click

APPS_WITH_COMMANDS = ("data", "accounts", "assess", "extract", "reports", "io", "web", "api")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cli_actor():
    from planwatch.data.actions import Actor

    return Actor(name=f"cli:{os.environ.get('USER', 'unknown')}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planwatch")
def main():
    """planwatch: monitor the execution of development plans (国民经济和社会发展计划执行监测)."""
    setup_django()


@main.command()
def init():
    """Create or upgrade the database (SQLite in $PLANWATCH_HOME unless DATABASE_URL is set)."""
    from django.db import connection

    migrate()
    click.echo(f"数据库已就绪:{connection.settings_dict['NAME']}")


@main.group()
def plan():
    """Plan files: validate and load a plan declared in YAML."""


@plan.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Only validate the file; write nothing.")
def plan_load(file, check):
    """Validate FILE completely, then load it in one transaction (idempotent).

    Every problem is reported with its line; when anything is wrong nothing is written.
    """
    from planwatch.plans.planfile import PlanFileError, load_plan_file, read_plan_file

    migrate()
    try:
        if check:
            declared = read_plan_file(file)
            click.echo(f"{file}: 检查通过,计划 {declared.plan['code']}:指标 {len(declared.indicators)} 个,"
                       f"目标 {len(declared.targets)} 个,任务 {len(declared.tasks)} 项")
            return
        report = load_plan_file(file, actor=cli_actor())
    except PlanFileError as exc:
        click.echo(f"计划文件有 {len(exc.problems)} 处错误,未写入任何数据:", err=True)
        for problem in exc.problems:
            click.echo("  " + problem.format(exc.filename), err=True)
        sys.exit(1)
    if report.changed:
        click.echo(f"已载入计划 {report.plan.code}({report.plan.name}):{report.summary()}")
    else:
        click.echo(f"计划 {report.plan.code} 与文件一致,没有变化")


def ensure_demo_admin() -> tuple[str, str]:
    """A superuser for the demo; its password is generated once and kept in $PLANWATCH_HOME."""
    from django.contrib.auth import get_user_model

    from planwatch.home import home

    path = home() / "demo-admin-password"
    User = get_user_model()
    user = User.objects.filter(username="admin").first()
    if user is None:
        password = secrets.token_urlsafe(9)
        User.objects.create_superuser("admin", "", password)
        path.write_text(password)
        path.chmod(0o600)
    elif path.exists():
        password = path.read_text().strip()
    else:
        password = "(已存在的账号,密码未改动)"
    return "admin", password


@main.command()
@click.option("--no-serve", is_flag=True, help="Stop after loading; do not start the web server.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(no_serve, host, port):
    """Load the Dongcheng 2021 demo plan and its first-half figures, then serve the app.

    Safe to run again: an unchanged plan and unchanged values are left as they are.
    """
    from planwatch.data.models import DataValue, TaskProgress
    from planwatch.plans import demo as demo_data
    from planwatch.plans.models import OrgUnit, Target, Task
    from planwatch.plans.planfile import load_plan_file

    migrate()
    actor = cli_actor()
    report = load_plan_file(demo_data.plan_file(), actor=actor)
    plan_obj = report.plan
    n_values = demo_data.load_demo_values(actor=actor)
    n_values += demo_data.load_demo_subdistricts(actor=actor)  # the 街道 breakdown (invented figures)
    user, password = ensure_demo_admin()
    click.echo(f"演示计划:{plan_obj.name}")
    click.echo(f"  指标 {plan_obj.plan_indicators.count()} 个,目标 {Target.objects.filter(plan=plan_obj).count()} 个,"
               f"重点任务 {Task.objects.filter(plan=plan_obj).count()} 项,"
               f"街道 {OrgUnit.objects.filter(parent=plan_obj.org_unit, level='subdistrict').count()} 个")
    click.echo(f"  上半年数据 {DataValue.objects.filter(period__code='2021H1').exclude(status__in=['proposed', 'rejected', 'accepted']).count()} 条,"
               f"任务进展 {TaskProgress.objects.filter(period__code='2021H1').exclude(status__in=['proposed', 'rejected', 'accepted']).count()} 条"
               f"(本次处理 {n_values} 条)")
    click.echo(f"  登录账号:{user}  密码:{password}")
    if no_serve:
        return
    click.echo(f"打开 http://{host}:{port}/ (Ctrl-C 退出)")
    run_server(host, port, dev=False)


def _import_views(worker) -> None:
    """A new gunicorn worker imports every view (the URLconf, the API, polars) before it takes a
    request, instead of during its first one (0.8 s). Not in the master before forking: polars
    starts threads when imported, and a fork copies none of them."""
    from django.urls import get_resolver

    get_resolver().url_patterns
    worker.log.info("Worker ready: %s", worker.pid)


def run_server(host: str, port: int, dev: bool, workers: int = 2, threads: int = 4) -> None:
    if dev:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from planwatch.wsgi import application

    # The migration check opened a connection; forked workers must not share its socket.
    connections.close_all()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # Threads in each worker (gthread): one thread's request runs while another waits on
            # the database, and keep-alive connections spare a browser or a script a TCP
            # handshake per request (the sync worker closes every connection).
            if threads > 1:
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", threads)
                self.cfg.set("keepalive", 5)
            self.cfg.set("accesslog", "-")
            self.cfg.set("post_worker_init", _import_views)

        def load(self):
            return application

    try:
        Server().run()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--dev", is_flag=True, help="Django's development server instead of gunicorn.")
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker (gthread); 1 for gunicorn's sync worker.")
def serve(host, port, dev, workers, threads):
    """Serve the web app (gunicorn with whitenoise static files; --dev for Django's server)."""
    migrate()
    run_server(host, port, dev=dev, workers=workers, threads=threads)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """Run a Django management command: planwatch manage dumpdata plans, planwatch manage help."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["planwatch manage", *args])


def _register_app_commands() -> None:
    setup_django()  # app command modules may import models at the top
    for app in APPS_WITH_COMMANDS:
        name = f"planwatch.{app}.commands"
        if importlib.util.find_spec(f"planwatch.{app}") is None or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)


_register_app_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
