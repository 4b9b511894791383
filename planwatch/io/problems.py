"""What went wrong with an import, and what an import did: shared by the CLI and the upload page.

An import is checked whole before anything is written, so its errors are collected, not raised
one by one: the office that filled the workbook fixes every cell in one go.  Each problem names
where it is as a person finds it (sheet and cell for a workbook, line and column for CSV, the
entry number for JSON) and says why in Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    sheet: str
    cell: str
    reason: str

    def __str__(self) -> str:
        where = " ".join(part for part in (f"[{self.sheet}]" if self.sheet else "", self.cell) if part)
        return f"{where}: {self.reason}" if where else self.reason


class ImportRefused(Exception):
    """The file was not imported; ``problems`` lists every reason, each with its place."""

    def __init__(self, problems: list[Problem], filename: str = ""):
        self.problems = list(problems)
        self.filename = filename
        head = f"{filename}: " if filename else ""
        super().__init__(head + f"{len(self.problems)} 处错误,未写入任何数据\n" + "\n".join(map(str, self.problems)))


@dataclass
class ImportReport:
    """What an accepted import did."""

    filename: str
    format: str
    plan: str
    periods: list[str] = field(default_factory=list)
    values: int = 0          # value cells read (non-blank)
    tasks: int = 0           # task progress rows read (non-blank)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (f"{self.filename}({self.format}):计划 {self.plan},报告期 {'、'.join(self.periods) or '-'};"
                f"指标数据 {self.values} 条,任务进展 {self.tasks} 条;新增 {self.created},更新 {self.updated},"
                f"未变 {self.unchanged},空白未报 {self.blank}")


class Collector:
    """Gathers problems while reading; ``raise_if_any`` turns them into one refusal."""

    def __init__(self, filename: str = "", limit: int = 500):
        self.filename = filename
        self.problems: list[Problem] = []
        self.limit = limit
        self.dropped = 0

    def add(self, sheet: str, cell: str, reason: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(sheet, cell, reason))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            problems = list(self.problems)
            if self.dropped:
                problems.append(Problem("", "", f"另有 {self.dropped} 处错误未列出"))
            raise ImportRefused(problems, self.filename)
