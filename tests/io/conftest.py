"""The demo plan loaded, and helpers to fill a template the way a department would."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from planwatch.data.models import AuditEntry, DataValue, Period, TaskProgress
from planwatch.io import layout
from planwatch.io.catalog import PlanCatalog
from planwatch.io.recipients import resolve
from planwatch.io.template import write_template
from planwatch.periods import Period as PeriodValue
from planwatch.plans import demo
from planwatch.plans.planfile import load_plan_file


@pytest.fixture
def plan(db):
    load_plan_file(demo.plan_file())
    return PlanCatalog.of(demo.PLAN_CODE)


@pytest.fixture
def demo_values(plan):
    demo.load_demo_values()
    return plan


def make_template(catalog, tmp_path: Path, kind="plan", code=None, period="2021H1", name="t.xlsx") -> Path:
    path = tmp_path / name
    recipient = resolve(catalog, kind, code or catalog.plan.code)
    write_template(catalog, PeriodValue.parse(period), recipient, path)
    return path


class Filled:
    """A template opened for editing, with rows found by item code."""

    def __init__(self, path: Path):
        self.path = path
        self.wb = load_workbook(path)
        self.ws = self.wb[layout.DATA_SHEET]

    def row(self, code: str, org_unit_name: str | None = None) -> int:
        for r in range(layout.FIRST_ROW, self.ws.max_row + 1):
            if self.ws[f"C{r}"].value == code and (org_unit_name is None or self.ws[f"E{r}"].value == org_unit_name):
                return r
        raise KeyError(code)

    def set(self, code: str, column: str, value, number_format: str | None = None) -> str:
        ref = f"{column}{self.row(code)}"
        self.ws[ref] = value
        if number_format:
            self.ws[ref].number_format = number_format
        return ref

    def save(self, path: Path | None = None) -> Path:
        path = path or self.path
        self.wb.save(path)
        return path


def db_state() -> tuple:
    """Everything an import could change."""
    return (
        sorted(DataValue.objects.values_list("indicator_id", "org_unit_id", "period_id", "value", "yoy_pct",
                                             "progress_pct", "status", "version", "note")),
        sorted(TaskProgress.objects.values_list("task_id", "period_id", "quantity_done", "percent", "status",
                                                "version", "narrative")),
        AuditEntry.objects.count(),
        Period.objects.count(),
    )
