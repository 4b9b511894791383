"""planwatch user / owed / deadline / lock / reopen / audit, as an operator types them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from planwatch.accounts.permissions import role_of
from planwatch.cli import main
from planwatch.data.actions import Actor, is_locked, record_task_progress, record_value, submit
from planwatch.data.calendar import open_items_for
from planwatch.data.models import AuditEntry, ReportingDeadline


def run(*args, env=None, input=None):
    result = CliRunner().invoke(main, list(args), env=env or {}, input=input, catch_exceptions=False)
    return result


def test_user_add_with_password_from_environment(world):
    r = run("user", "add", "caizheng", "--role", "department", "--department", "finance",
            env={"PLANWATCH_PASSWORD": "a-long-pass-phrase-7"})
    assert r.exit_code == 0, r.output
    user = get_user_model().objects.get(username="caizheng")
    assert role_of(user) == "department" and user.membership.department == world.finance
    assert user.check_password("a-long-pass-phrase-7") and not user.is_staff
    assert AuditEntry.objects.filter(action="user.create").exists()


def test_user_add_prompts_for_the_password(world):
    r = run("user", "add", "boss", "--role", "admin", input="a-long-pass-phrase-7\na-long-pass-phrase-7\n")
    assert r.exit_code == 0, r.output
    boss = get_user_model().objects.get(username="boss")
    assert boss.is_staff and boss.is_superuser and boss.password.startswith("argon2$")


@pytest.mark.parametrize("args, message", [
    (["--role", "department"], "--department"),
    (["--role", "subdistrict"], "--org-unit"),
    (["--role", "department", "--department", "nope"], "没有代码或名称"),
    (["--role", "king"], "Invalid value"),
])
def test_user_add_refuses_incomplete_roles(world, args, message):
    r = CliRunner().invoke(main, ["user", "add", "x", *args], env={"PLANWATCH_PASSWORD": "a-long-pass-phrase-7"})
    assert r.exit_code != 0 and message in r.output
    assert not get_user_model().objects.filter(username="x").exists()


def test_user_add_refuses_weak_password(world):
    r = CliRunner().invoke(main, ["user", "add", "weak", "--role", "viewer"], env={"PLANWATCH_PASSWORD": "123"})
    assert r.exit_code != 0 and "密码不符合要求" in r.output
    assert not get_user_model().objects.filter(username="weak").exists()


def test_set_role_and_list(world):
    r = run("user", "set-role", "viewer", "--role", "subdistrict", "--org-unit", "D1S2")
    assert r.exit_code == 0, r.output
    assert role_of(get_user_model().objects.get(username="viewer")) == "subdistrict"
    listing = run("user", "list").output
    assert "viewer\tsubdistrict\t二街道" in listing and "nobody\t(无角色)" in listing


def test_lock_and_reopen_from_the_cli(world):
    assert run("lock", "p1", "2021H1", "--reason", "发布").exit_code == 0
    assert is_locked(world.plan, "2021H1")
    r = CliRunner().invoke(main, ["reopen", "p1", "2021H1"])
    assert r.exit_code != 0 and "--reason" in r.output
    assert run("reopen", "p1", "2021H1", "--reason", "更正笔误").exit_code == 0
    assert not is_locked(world.plan, "2021H1")
    r = CliRunner().invoke(main, ["lock", "nope", "2021H1"])
    assert r.exit_code != 0 and "没有代码为 nope 的计划" in r.output


def test_owed_shows_late_and_open_items(world):
    from planwatch.plans.models import Target

    Target.objects.create(plan=world.plan, indicator=world.revenue, org_unit=world.street1, value=10)
    assert run("deadline", "p1", "2021H1", "2021-07-10", "--department", "finance").exit_code == 0
    assert run("deadline", "p1", "2021H1", "2099-07-10", "--org-unit", "D1S1").exit_code == 0
    v = record_value(world.revenue, world.district, "2021H1", value=50.0)
    submit(v)
    record_task_progress(world.task_street1, "2021H1", percent=30.0)  # a draft is still owed
    out = run("owed", "--period", "2021H1").output
    assert "报送单位 2 个:已报齐 0,逾期 1,未到期 1" in out
    assert "区财政局" in out and "逾期" in out and "任务 减税降费:未填报" in out
    assert "指标 一般公共预算收入(一街道):未填报" in out and "任务 一街道平房改造:草稿" in out
    assert "一般公共预算收入(甲区)" not in out  # handed in
    # each reporter sees its own open items only
    mine = run("owed", "--user", "street1").output
    assert "一街道" in mine and "区财政局" not in mine
    items = open_items_for(world.users["finance"], today=dt.date(2021, 7, 1))
    assert [s.state for s in items] == ["open"] and [i.label for i in items[0].owed] == ["减税降费"]
    assert open_items_for(world.users["nobody"]) == []


def test_owed_without_deadlines(world):
    assert "没有设定报送期限" in run("owed").output
    assert not ReportingDeadline.objects.exists()


def test_audit_export_json_and_csv(world, tmp_path):
    v = record_value(world.revenue, world.district, "2021H1", value=50.0, actor=Actor.of(world.users["finance"]))
    record_value(world.revenue, world.district, "2021H1", value=55.0, expected_version=v.version,
                 reason="=cmd|' /C calc'!A0", actor=Actor.of(world.users["finance"]))
    rows = json.loads(run("audit", "--format", "json").output)
    update = [r for r in rows if r["action"] == "value.update"][0]
    assert (update["old"]["value"], update["new"]["value"], update["actor"]) == (50.0, 55.0, "finance")
    assert run("audit", "--format", "json", "--since", "2999-01-01").output.strip() == "[]"
    out = tmp_path / "audit.csv"
    assert run("audit", "--format", "csv", "-o", str(out)).exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    row = [r for r in table if r["action"] == "value.update"][0]
    assert json.loads(row["old"])["value"] == 50.0 and json.loads(row["new"])["value"] == 55.0
    assert row["reason"].startswith("'=")  # no formula injection when opened in a spreadsheet
