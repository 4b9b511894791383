"""The planwatch command as a planner runs it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.core.management import call_command

from planwatch.cli import main


@pytest.fixture
def run(db):
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return _run


def test_every_command_has_help(run):
    top = run("--help")
    assert top.exit_code == 0
    for name, command in main.commands.items():
        if name == "manage":
            continue
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert (command.help or "").strip(), f"{name} has no help text"


def test_demo_twice_is_safe(run, capsys):
    first = run("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    assert "街道 17 个" in first.output
    second = run("demo", "--no-serve")
    assert second.exit_code == 0
    call_command("dumpdata", "plans", "data.datavalue", stdout=open("/dev/null", "w"))
    from io import StringIO

    out = StringIO()
    call_command("dumpdata", "plans.plan", stdout=out)
    plans = json.loads(out.getvalue())
    assert [p["fields"]["code"] for p in plans] == ["dongcheng-2021"]


def test_plan_load_reports_errors_and_exits_nonzero(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan:\n  code: x\n  name: 测试\n  year: 2021\n  org_unit: nowhere\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "load", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5:" in result.output and "nowhere" in result.output


def test_plan_check_writes_nothing(run, tmp_path):
    from planwatch.plans import demo
    from planwatch.plans.models import Plan

    result = run("plan", "load", "--check", str(demo.plan_file()))
    assert result.exit_code == 0 and "检查通过" in result.output
    assert not Plan.objects.exists()
