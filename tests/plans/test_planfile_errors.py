"""Malformed plan files: each gives its line-addressed message and writes nothing."""
from __future__ import annotations

import textwrap

import pytest
from django.core import serializers

from planwatch.plans.planfile import PlanFileError, load_plan_file, parse_plan_text

GOOD = textwrap.dedent("""\
    plan:
      code: test-2021
      name: 测试区2021年计划
      year: 2021
      org_unit: "T1"
    org_units:
      - {code: "T1", name: 测试区, level: district}
      - {code: "T1-01", name: 甲街道, level: subdistrict, parent: "T1"}
    departments:
      - {code: fgw, name: 区发展改革委}
    areas:
      - {code: economy, name: 经济发展}
    indicators:
      - code: revenue
        name: 一般公共预算收入
        unit: 亿元
        kind: flow
        area: economy
        departments: [fgw]
    targets:
      - {indicator: revenue, value: 100}
    tasks:
      - code: relocate
        title: 申请式退租
        quantity: 1200
        unit: 户
        deadline: 11月底前
        area: economy
    """)


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(PlanFileError) as info:
        parse_plan_text(text, "plan.yaml")
    return [(p.line, p.message) for p in info.value.problems]


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


@pytest.mark.django_db
def test_good_file_is_valid():
    declared = parse_plan_text(GOOD, "plan.yaml")
    assert declared.plan["code"] == "test-2021"
    assert declared.tasks[0]["deadline"].isoformat() == "2021-11-30"


CASES = [
    # (name, text, line marker, words the message must contain)
    ("unknown unit", replace("unit: 亿元", "unit: 亿块钱"), "unit: 亿块钱", ["亿块钱", "不认识"]),
    ("duplicate indicator code",
     replace("\ntargets:", "\n  - {code: revenue, name: 又一个收入, unit: 亿元, kind: flow}\ntargets:"),
     "又一个收入", ["revenue", "重复"]),
    ("task without target", replace("    quantity: 1200\n", ""), "- code: relocate", ["没有目标", "quantity"]),
    ("target for undeclared indicator", replace("{indicator: revenue, value: 100}", "{indicator: gdp, value: 100}"),
     "indicator: gdp", ["gdp", "未在 indicators 中声明"]),
    ("yaml syntax error", replace("name: 经济发展}", "name: 经济发展"), None, ["YAML"]),
    ("duplicate key", replace("    kind: flow\n", "    kind: flow\n    kind: level\n"), "kind: level", ["kind", "重复"]),
    ("unknown field", replace("    kind: flow\n", "    kind: flow\n    unti: 亿元\n"), "unti:", ["unti", "未知字段"]),
    ("missing required field", replace("    name: 一般公共预算收入\n", ""), "- code: revenue", ["name", "缺少必填字段"]),
    ("bad kind choice", replace("kind: flow", "kind: stock"), "kind: stock", ["stock", "可选"]),
    ("negative target", replace("value: 100}", "value: -5}"), "value: -5", ["不能为负数"]),
    ("target with neither value nor growth", replace("{indicator: revenue, value: 100}", "{indicator: revenue, note: 待定}"),
     "note: 待定", ["既没有 value"]),
    ("unknown org unit", replace('parent: "T1"}', 'parent: "T9"}'), 'parent: "T9"', ["T9", "未声明的单位"]),
    ("unknown department", replace("departments: [fgw]", "departments: [czj]"), "departments: [czj]", ["czj", "未声明的部门"]),
    ("unknown area", replace("    area: economy\n    departments", "    area: culture\n    departments"),
     "area: culture", ["culture", "未声明的领域"]),
    ("bad deadline", replace("deadline: 11月底前", "deadline: 尽快"), "deadline: 尽快", ["尽快", "时限"]),
    ("year not a year", replace("year: 2021", "year: 二〇二一"), "year: 二〇二一", ["年度"]),
    ("number as text", replace("quantity: 1200", "quantity: 一千二百"), "quantity: 一千二百", ["数字"]),
    ("duplicate target", replace("{indicator: revenue, value: 100}", "{indicator: revenue, value: 100}\n  - {indicator: revenue, value: 90}"),
     "value: 90", ["重复"]),
    ("bad code characters", replace("code: relocate", "code: 退 租"), "code: 退 租", ["代码"]),
    ("section not a list", replace("areas:\n  - {code: economy, name: 经济发展}", "areas: 经济发展"), "areas: 经济发展", ["列表"]),
    ("unknown section", GOOD + "budget:\n  - 1\n", "budget:", ["budget", "未知部分"]),
    ("unknown threshold", replace('  org_unit: "T1"\n', '  org_unit: "T1"\n  thresholds: {yelow_band: 5}\n'),
     "yelow_band", ["yelow_band", "不可用"]),
    ("threshold of the wrong type", replace('  org_unit: "T1"\n', '  org_unit: "T1"\n  thresholds:\n    day_based: 1\n'),
     "day_based", ["day_based", "不可用"]),
    ("parent cycle", replace('{code: "T1", name: 测试区, level: district}', '{code: "T1", name: 测试区, level: district, parent: "T1-01"}'),
     'parent: "T1-01"', ["循环"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,text,marker,words", CASES, ids=[c[0] for c in CASES])
def test_malformed_plan_file(name, text, marker, words):
    found = problems(text)
    assert found, name
    messages = " | ".join(m for _, m in found)
    for word in words:
        assert word in messages, f"{name}: {word!r} not in {messages}"
    if marker is not None:
        expected_line = line_of(text, marker)
        assert any(line == expected_line and all(w in m for w in words[:1]) for line, m in found), (
            f"{name}: expected a problem at line {expected_line}, got {found}")
    else:
        assert all(line > 0 for line, _ in found)


@pytest.mark.django_db
def test_every_problem_is_reported_not_only_the_first():
    text = replace("unit: 亿元", "unit: 亿块钱").replace("kind: flow", "kind: stock")
    found = problems(text)
    assert len(found) >= 2


@pytest.mark.django_db
def test_empty_file():
    assert "空" in problems("")[0][1]


def test_non_utf8_file_names_its_line(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes("plan:\n  name: 测试\n".encode("gb18030"))
    with pytest.raises(PlanFileError) as info:
        load_plan_file(path)
    assert info.value.problems[0].line == 2
    assert "UTF-8" in str(info.value)


def database_state() -> str:
    from django.apps import apps

    models = [m for app in ("plans", "data") for m in apps.get_app_config(app).get_models()]
    return serializers.serialize("json", [o for m in models for o in m.objects.order_by("pk")])


@pytest.mark.django_db
@pytest.mark.parametrize("name,text,marker,words", CASES[:6] + CASES[9:12], ids=[c[0] for c in CASES[:6] + CASES[9:12]])
def test_failed_load_leaves_database_exactly_as_it_was(tmp_path, name, text, marker, words):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    load_plan_file(good)
    before = database_state()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError):
        load_plan_file(bad)
    assert database_state() == before
