"""Plan files: a whole plan declared in YAML, validated with line numbers, loaded all-or-nothing.

A planning office writes its plan once a year (org units, departments, areas, indicators,
targets, key tasks) and corrects it as the year goes. The file is checked completely before
anything is written, every problem is reported with its line, and a load either applies the whole
file or nothing. Loading the same file twice changes nothing; a changed file updates in place.
The format is documented in README.md ("Plan files").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from planwatch import units
from planwatch.assess.model import ThresholdError, Thresholds
from planwatch.plans.deadlines import DeadlineError, parse_deadline

# --------------------------------------------------------------------------------------------
# Reading YAML with line numbers


class LineDict(dict):
    """A mapping that remembers the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


class DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        if key in result:
            raise DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader, node, deep=False):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


# --------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.message}"


class PlanFileError(Exception):
    """Everything wrong with a plan file, each problem with its line."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: (p.line, p.message))
        super().__init__("\n".join(p.format(filename) for p in self.problems))


# --------------------------------------------------------------------------------------------
# The declared plan, validated


SECTIONS = {"plan", "org_units", "departments", "areas", "indicators", "targets", "tasks"}
PLAN_FIELDS = {"code": True, "name": True, "year": True, "org_unit": True, "description": False, "thresholds": False}
ORG_FIELDS = {"code": True, "name": True, "level": True, "parent": False, "name_en": False}
DEPT_FIELDS = {"code": True, "name": True, "aliases": False, "org_unit": False}
AREA_FIELDS = {"code": True, "name": True}
INDICATOR_FIELDS = {
    "code": True, "name": True, "unit": True, "kind": True, "name_en": False, "aliases": False,
    "direction": False, "binding": False, "aggregation": False, "decimals": False, "description": False,
    "area": False, "headline": False, "rule": False, "departments": False,
}
TARGET_FIELDS = {"indicator": True, "org_unit": False, "value": False, "growth": False, "note": False}
TASK_FIELDS = {
    "code": True, "title": True, "quantity": True, "unit": True, "area": False, "text": False,
    "org_unit": False, "deadline": False, "departments": False,
}

LEVELS = {"country", "province", "city", "district", "subdistrict", "community"}
KINDS = {"flow", "level"}
DIRECTIONS = {"higher", "lower"}
AGGREGATIONS = {"sum", "none"}
RULES = {"", "time_progress", "growth", "level_limit"}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass
class DeclaredPlan:
    """A plan file after validation: plain dicts, references checked, ready to load."""

    filename: str
    plan: dict
    org_units: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    areas: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)


class _Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, line: int, message: str):
        self.problems.append(Problem(line, message))

    def record(self, item: Any, where: str, fields: dict[str, bool], line: int) -> LineDict | None:
        if not isinstance(item, dict):
            self.add(line, f"{where} 应是一个映射(键: 值),而不是 {type(item).__name__}")
            return None
        for key in item:
            if key not in fields:
                known = "、".join(fields)
                self.add(item.line_of(key), f"{where} 中有未知字段 '{key}'(可用字段:{known})")
        for key, required in fields.items():
            if required and (key not in item or item[key] is None or item[key] == ""):
                self.add(item.line, f"{where} 缺少必填字段 '{key}'")
        return item

    def text(self, item: LineDict, key: str, where: str, *, default: str = "") -> str:
        value = item.get(key)
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            self.add(item.line_of(key), f"{where} 的 '{key}' 应是文字")
            return default
        return str(value).strip()

    def code(self, item: LineDict, key: str, where: str) -> str:
        value = self.text(item, key, where)
        if value and not CODE_RE.match(value):
            self.add(item.line_of(key), f"{where} 的代码 '{value}' 只能包含字母、数字、- 和 _")
        return value

    def number(self, item: LineDict, key: str, where: str) -> float | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(item.line_of(key), f"{where} 的 '{key}' 应是数字,而不是 '{value}'")
            return None
        return float(value)

    def flag(self, item: LineDict, key: str, where: str, default: bool = False) -> bool:
        value = item.get(key, default)
        if not isinstance(value, bool):
            self.add(item.line_of(key), f"{where} 的 '{key}' 应是 true 或 false")
            return default
        return value

    def choice(self, item: LineDict, key: str, where: str, allowed: set[str], default: str) -> str:
        value = self.text(item, key, where, default=default)
        if value not in allowed:
            options = "、".join(sorted(a for a in allowed if a)) or "(空)"
            self.add(item.line_of(key), f"{where} 的 '{key}' 不能是 '{value}'(可选:{options})")
            return default
        return value

    def text_list(self, item: LineDict, key: str, where: str) -> list[str]:
        value = item.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            self.add(item.line_of(key), f"{where} 的 '{key}' 应是文字列表")
            return []
        return [str(v).strip() for v in value]

    def section(self, doc: LineDict, name: str) -> list[tuple[int, Any]]:
        value = doc.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(doc.line_of(name), f"'{name}' 应是一个列表(每项以 - 开头)")
            return []
        return list(zip(value.item_lines, value))


def read_plan_file(path: str | Path) -> DeclaredPlan:
    """Parse and validate a plan file without touching the database's contents.

    References may point at org units, departments and indicators declared in the file or
    already in the database (a 街道 plan may build on its district's catalogue).
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError(name, [Problem(0, f"无法读取文件:{exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanFileError(name, [Problem(line, "文件不是 UTF-8 编码")]) from exc
    return parse_plan_text(text, name)


def parse_plan_text(text: str, filename: str = "<plan>") -> DeclaredPlan:
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except DuplicateKey as exc:
        raise PlanFileError(filename, [Problem(exc.line, f"键 '{exc.key}' 重复出现")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise PlanFileError(filename, [Problem(line, f"YAML 语法错误:{exc.problem or exc}")]) from None
    if doc is None:
        raise PlanFileError(filename, [Problem(1, "文件是空的:至少需要 plan、indicators 等部分")])
    if not isinstance(doc, dict):
        raise PlanFileError(filename, [Problem(1, "文件的顶层应是映射(plan:、indicators: ……)")])
    return _validate(doc, filename)


def _validate(doc: LineDict, filename: str) -> DeclaredPlan:
    from planwatch.plans.models import Department, OrgUnit  # the catalogue already stored

    c = _Checker()
    for key in doc:
        if key not in SECTIONS:
            c.add(doc.line_of(key), f"未知部分 '{key}'(可用:{'、'.join(sorted(SECTIONS))})")

    # plan ---------------------------------------------------------------------------------
    plan_raw = doc.get("plan")
    plan: dict = {}
    if plan_raw is None:
        c.add(1, "缺少 'plan' 部分(计划的代码、名称、年度、编制单位)")
    elif c.record(plan_raw, "plan", PLAN_FIELDS, doc.line_of("plan")) is not None:
        plan = {
            "code": c.code(plan_raw, "code", "plan"),
            "name": c.text(plan_raw, "name", "plan"),
            "org_unit": c.text(plan_raw, "org_unit", "plan"),
            "description": c.text(plan_raw, "description", "plan"),
            "line": plan_raw.line,
            "org_unit_line": plan_raw.line_of("org_unit"),
        }
        year = plan_raw.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2200):
            c.add(plan_raw.line_of("year"), f"plan 的年度应是四位整数,而不是 '{year}'")
            year = None
        plan["year"] = year
        thresholds = plan_raw.get("thresholds") or {}
        if not isinstance(thresholds, dict):
            c.add(plan_raw.line_of("thresholds"), "plan 的 thresholds 应是映射")
            thresholds = {}
        for key, value in thresholds.items():
            # The assessment engine owns what a threshold means; ask it, one key at a time, so
            # each problem keeps its line.
            try:
                Thresholds.from_plan({key: value})
            except ThresholdError as exc:
                c.add(thresholds.line_of(key), f"阈值 '{key}' 不可用:{exc}")
        plan["thresholds"] = dict(thresholds)
    year = plan.get("year")

    def unique(kind: str, items: list[tuple[int, dict]], key: str = "code") -> dict[str, dict]:
        seen: dict[str, dict] = {}
        for line, item in items:
            code = item.get(key)
            if not code:
                continue
            if code in seen:
                c.add(line, f"{kind}代码 '{code}' 重复(第 {seen[code]['line']} 行已声明)")
            else:
                seen[code] = item
        return seen

    # org units ----------------------------------------------------------------------------
    org_units = []
    for line, raw in c.section(doc, "org_units"):
        where = f"org_units 第 {line} 行的单位"
        if c.record(raw, where, ORG_FIELDS, line) is None:
            continue
        org_units.append({
            "line": line, "code": c.code(raw, "code", where), "name": c.text(raw, "name", where),
            "name_en": c.text(raw, "name_en", where), "parent": c.text(raw, "parent", where),
            "level": c.choice(raw, "level", where, LEVELS, "district"), "parent_line": raw.line_of("parent"),
        })
    declared_units = unique("单位", [(o["line"], o) for o in org_units])
    stored_units = set(OrgUnit.objects.values_list("code", flat=True))
    known_units = set(declared_units) | stored_units

    def check_unit(code: str, line: int, who: str):
        if code and code not in known_units:
            c.add(line, f"{who} 引用了未声明的单位 '{code}'")

    for o in org_units:
        check_unit(o["parent"], o["parent_line"], f"单位 '{o['code']}' 的 parent")
        if o["parent"] and o["parent"] == o["code"]:
            c.add(o["parent_line"], f"单位 '{o['code']}' 不能是自己的上级")
    # a cycle through parents among declared units
    for o in org_units:
        seen, cur = set(), o["code"]
        while cur in declared_units and cur not in seen:
            seen.add(cur)
            cur = declared_units[cur]["parent"]
        if cur in seen and cur == o["code"] and declared_units[o["code"]]["parent"] != o["code"]:
            c.add(o["line"], f"单位 '{o['code']}' 的上级关系形成了循环")
    if plan.get("org_unit"):
        check_unit(plan["org_unit"], plan["org_unit_line"], "plan")

    # departments --------------------------------------------------------------------------
    departments = []
    for line, raw in c.section(doc, "departments"):
        where = f"departments 第 {line} 行的部门"
        if c.record(raw, where, DEPT_FIELDS, line) is None:
            continue
        d = {"line": line, "code": c.code(raw, "code", where), "name": c.text(raw, "name", where),
             "aliases": c.text_list(raw, "aliases", where),
             "org_unit": c.text(raw, "org_unit", where, default=plan.get("org_unit", ""))}
        check_unit(d["org_unit"], raw.line_of("org_unit"), where)
        departments.append(d)
    declared_depts = unique("部门", [(d["line"], d) for d in departments])
    known_depts = set(declared_depts) | set(Department.objects.values_list("code", flat=True))

    def check_depts(codes: list[str], line: int, who: str):
        for code in codes:
            if code not in known_depts:
                c.add(line, f"{who} 引用了未声明的部门 '{code}'")

    # areas --------------------------------------------------------------------------------
    areas = []
    for line, raw in c.section(doc, "areas"):
        where = f"areas 第 {line} 行的领域"
        if c.record(raw, where, AREA_FIELDS, line) is None:
            continue
        areas.append({"line": line, "code": c.code(raw, "code", where), "name": c.text(raw, "name", where)})
    declared_areas = unique("领域", [(a["line"], a) for a in areas])

    def check_area(code: str, line: int, who: str):
        if code and code not in declared_areas:
            c.add(line, f"{who} 引用了未声明的领域 '{code}'")

    # indicators ---------------------------------------------------------------------------
    indicators = []
    for line, raw in c.section(doc, "indicators"):
        where = f"indicators 第 {line} 行的指标"
        if c.record(raw, where, INDICATOR_FIELDS, line) is None:
            continue
        unit = units.normalize(c.text(raw, "unit", where))
        if not units.is_known(unit):
            c.add(raw.line_of("unit"), f"{where} 的计量单位 '{unit}' 不认识(例如:亿元、%、元、微克/立方米、户)")
        decimals = raw.get("decimals")
        if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6):
            c.add(raw.line_of("decimals"), f"{where} 的 decimals 应是 0 到 6 的整数")
            decimals = None
        ind = {
            "line": line, "code": c.code(raw, "code", where), "name": c.text(raw, "name", where),
            "name_en": c.text(raw, "name_en", where), "aliases": c.text_list(raw, "aliases", where),
            "unit": unit, "kind": c.choice(raw, "kind", where, KINDS, "flow"),
            "direction": c.choice(raw, "direction", where, DIRECTIONS, "higher"),
            "binding": c.flag(raw, "binding", where),
            "aggregation": c.choice(raw, "aggregation", where, AGGREGATIONS, "none"),
            "decimals": decimals, "description": c.text(raw, "description", where),
            "area": c.text(raw, "area", where), "headline": c.flag(raw, "headline", where),
            "rule": c.choice(raw, "rule", where, RULES, ""),
            "departments": c.text_list(raw, "departments", where),
        }
        check_area(ind["area"], raw.line_of("area"), where)
        check_depts(ind["departments"], raw.line_of("departments"), where)
        indicators.append(ind)
    declared_inds = unique("指标", [(i["line"], i) for i in indicators])

    # targets ------------------------------------------------------------------------------
    targets = []
    seen_targets: dict[tuple[str, str], int] = {}
    for line, raw in c.section(doc, "targets"):
        where = f"targets 第 {line} 行的目标"
        if c.record(raw, where, TARGET_FIELDS, line) is None:
            continue
        t = {"line": line, "indicator": c.text(raw, "indicator", where),
             "org_unit": c.text(raw, "org_unit", where, default=plan.get("org_unit", "")),
             "value": c.number(raw, "value", where), "growth_pct": c.number(raw, "growth", where),
             "note": c.text(raw, "note", where)}
        ind = declared_inds.get(t["indicator"])
        if t["indicator"] and ind is None:
            c.add(raw.line_of("indicator"), f"{where} 针对未在 indicators 中声明的指标 '{t['indicator']}'")
        check_unit(t["org_unit"], raw.line_of("org_unit"), where)
        if t["value"] is None and t["growth_pct"] is None and "value" not in raw and "growth" not in raw:
            c.add(line, f"{where} 既没有 value(年度目标值)也没有 growth(目标增速)")
        if t["value"] is not None and t["value"] < 0 and ind and not units.can_be_negative(ind["unit"]):
            c.add(raw.line_of("value"), f"{where} 的目标值 {t['value']:g}{ind['unit']} 不能为负数")
        key = (t["indicator"], t["org_unit"])
        if key in seen_targets:
            c.add(line, f"指标 '{key[0]}' 在单位 '{key[1]}' 的目标重复(第 {seen_targets[key]} 行已声明)")
        else:
            seen_targets[key] = line
        targets.append(t)

    # tasks --------------------------------------------------------------------------------
    tasks = []
    for line, raw in c.section(doc, "tasks"):
        where = f"tasks 第 {line} 行的任务"
        if not isinstance(raw, dict):
            c.record(raw, where, TASK_FIELDS, line)
            continue
        for key in raw:
            if key not in TASK_FIELDS:
                c.add(raw.line_of(key), f"{where} 中有未知字段 '{key}'(可用字段:{'、'.join(TASK_FIELDS)})")
        for key in ("code", "title"):
            if not raw.get(key):
                c.add(line, f"{where} 缺少必填字段 '{key}'")
        if raw.get("quantity") is None or not raw.get("unit"):
            c.add(line, f"{where} 没有目标:需要 quantity(目标数量)和 unit(单位),无数量的工程写 quantity: 1, unit: 项")
        unit = units.normalize(c.text(raw, "unit", where))
        if unit and not units.is_known(unit):
            c.add(raw.line_of("unit"), f"{where} 的单位 '{unit}' 不认识")
        quantity = c.number(raw, "quantity", where)
        if quantity is not None and quantity < 0:
            c.add(raw.line_of("quantity"), f"{where} 的目标数量不能为负数")
        deadline_text = c.text(raw, "deadline", where, default="年底前")
        deadline = None
        if year:
            try:
                deadline = parse_deadline(deadline_text, year)
            except DeadlineError as exc:
                c.add(raw.line_of("deadline"), f"{where}:{exc}")
        t = {"line": line, "code": c.code(raw, "code", where), "title": c.text(raw, "title", where),
             "text": c.text(raw, "text", where), "area": c.text(raw, "area", where),
             "org_unit": c.text(raw, "org_unit", where, default=plan.get("org_unit", "")),
             "quantity": quantity, "unit": unit, "deadline": deadline, "deadline_text": deadline_text,
             "departments": c.text_list(raw, "departments", where)}
        check_area(t["area"], raw.line_of("area"), where)
        check_unit(t["org_unit"], raw.line_of("org_unit"), where)
        check_depts(t["departments"], raw.line_of("departments"), where)
        tasks.append(t)
    unique("任务", [(t["line"], t) for t in tasks])

    if c.problems:
        raise PlanFileError(filename, c.problems)
    return DeclaredPlan(filename, plan, org_units, departments, areas, indicators, targets, tasks)


# --------------------------------------------------------------------------------------------
# Loading


@dataclass
class LoadReport:
    plan: Any
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str):
        getattr(self, bucket)[kind] = getattr(self, bucket).get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        def fmt(d):
            return "、".join(f"{k} {v}" for k, v in sorted(d.items())) or "无"
        return f"新增:{fmt(self.created)};修改:{fmt(self.updated)};删除:{fmt(self.deleted)}"


def _upsert(model, lookup: dict, values: dict, report: LoadReport, kind: str, actor, audit_it: bool):
    """Create or update one row; count it and audit it only when something really changed."""
    from planwatch.data.actions import audit, snapshot

    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count("created", kind)
        if audit_it:
            audit("plan.create", obj, actor=actor, new=snapshot(obj))
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k if not hasattr(v, "pk") else f"{k}_id") != (v.pk if hasattr(v, "pk") else v)}
    if changed:
        old = snapshot(obj)
        for k, v in changed.items():
            setattr(obj, k, v)
        if hasattr(obj, "version"):
            obj.version += 1
        obj.save()
        report.count("updated", kind)
        if audit_it:
            audit("plan.update", obj, actor=actor, old=old, new=snapshot(obj))
    return obj


def _set_m2m(obj, attr: str, wanted: list, report: LoadReport, kind: str):
    manager = getattr(obj, attr)
    if set(manager.values_list("pk", flat=True)) != {o.pk for o in wanted}:
        manager.set(wanted)
        report.count("updated", kind)


@transaction.atomic
def load_plan(declared: DeclaredPlan, *, actor=None) -> LoadReport:
    """Write a validated plan into the database, all or nothing, updating in place."""
    from planwatch.data.actions import SYSTEM, audit, snapshot
    from planwatch.data.models import TaskProgress
    from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanArea, PlanIndicator, Target, Task

    actor = actor or SYSTEM
    report = LoadReport(plan=None)

    # Org units: parents first, whatever order the file lists them in.
    pending = {o["code"]: o for o in declared.org_units}
    units_by_code: dict[str, OrgUnit] = {}

    def unit(code: str) -> OrgUnit:
        if code in units_by_code:
            return units_by_code[code]
        if code in pending:
            o = pending.pop(code)
            parent = unit(o["parent"]) if o["parent"] else None
            units_by_code[code] = _upsert(OrgUnit, {"code": code},
                                          {"name": o["name"], "name_en": o["name_en"], "level": o["level"], "parent": parent},
                                          report, "单位", actor, False)
            return units_by_code[code]
        units_by_code[code] = OrgUnit.objects.get(code=code)
        return units_by_code[code]

    for o in declared.org_units:
        unit(o["code"])

    depts = {}
    for d in declared.departments:
        depts[d["code"]] = _upsert(Department, {"code": d["code"]},
                                   {"name": d["name"], "aliases": d["aliases"], "org_unit": unit(d["org_unit"]) if d["org_unit"] else None},
                                   report, "部门", actor, False)

    def dept_list(codes):
        return [depts.get(c) or Department.objects.get(code=c) for c in codes]

    p = declared.plan
    plan = _upsert(Plan, {"code": p["code"]},
                   {"name": p["name"], "year": p["year"], "org_unit": unit(p["org_unit"]),
                    "description": p["description"], "thresholds": p["thresholds"], "source_file": Path(declared.filename).name},
                   report, "计划", actor, True)
    report.plan = plan

    areas = {}
    for order, a in enumerate(declared.areas):
        areas[a["code"]] = _upsert(PlanArea, {"plan": plan, "code": a["code"]}, {"name": a["name"], "order": order},
                                   report, "领域", actor, False)
    for stale in PlanArea.objects.filter(plan=plan).exclude(code__in=list(areas)):
        stale.delete()
        report.count("deleted", "领域")

    inds = {}
    for order, i in enumerate(declared.indicators):
        ind = _upsert(Indicator, {"code": i["code"]},
                      {k: i[k] for k in ("name", "name_en", "aliases", "unit", "kind", "direction", "binding",
                                         "aggregation", "decimals", "description")},
                      report, "指标", actor, True)
        inds[i["code"]] = ind
        pi = _upsert(PlanIndicator, {"plan": plan, "indicator": ind},
                     {"area": areas.get(i["area"]), "order": order, "headline": i["headline"], "rule": i["rule"]},
                     report, "计划指标", actor, False)
        _set_m2m(pi, "departments", dept_list(i["departments"]), report, "计划指标")
    for stale in PlanIndicator.objects.filter(plan=plan).exclude(indicator__code__in=list(inds)):
        stale.delete()
        report.count("deleted", "计划指标")

    kept_targets = set()
    for t in declared.targets:
        obj = _upsert(Target, {"plan": plan, "indicator": inds[t["indicator"]], "org_unit": unit(t["org_unit"])},
                      {"value": t["value"], "growth_pct": t["growth_pct"], "note": t["note"]},
                      report, "目标", actor, True)
        kept_targets.add(obj.pk)
    for stale in Target.objects.filter(plan=plan).exclude(pk__in=kept_targets):
        audit("plan.delete", stale, actor=actor, old=snapshot(stale), reason="计划文件中已删除该目标")
        stale.delete()
        report.count("deleted", "目标")

    kept_tasks = set()
    for order, t in enumerate(declared.tasks):
        obj = _upsert(Task, {"plan": plan, "code": t["code"]},
                      {"title": t["title"], "text": t["text"], "area": areas.get(t["area"]), "org_unit": unit(t["org_unit"]),
                       "target_quantity": t["quantity"], "unit": t["unit"], "deadline": t["deadline"],
                       "deadline_text": t["deadline_text"], "order": order},
                      report, "任务", actor, True)
        _set_m2m(obj, "departments", dept_list(t["departments"]), report, "任务")
        kept_tasks.add(obj.pk)
    for stale in Task.objects.filter(plan=plan).exclude(pk__in=kept_tasks):
        if TaskProgress.objects.filter(task=stale).exists():
            raise PlanFileError(declared.filename, [Problem(
                0, f"任务 '{stale.code}'({stale.title})已有进展记录,不能通过删除计划文件中的条目来删除它")])
        audit("plan.delete", stale, actor=actor, old=snapshot(stale), reason="计划文件中已删除该任务")
        stale.delete()
        report.count("deleted", "任务")

    if report.changed:
        audit("plan.load", plan, actor=actor, new={"file": declared.filename, "summary": report.summary()})
    return report


def load_plan_file(path: str | Path, *, actor=None) -> LoadReport:
    """Validate a plan file completely, then load it in one transaction."""
    return load_plan(read_plan_file(path), actor=actor)
