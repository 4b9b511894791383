"""The report's verdicts come from the assessment engine; this module only hands it the rows.

Levels, completion progress, time progress and the explanation sentences are the engine's
(``planwatch.assess.reference``), so the report says exactly what the dashboard says.
The report's own org unit and its children are assessed together: the children form a peer
group (their parent's code), which the growth rule compares against and ranking ranks.
"""
from __future__ import annotations

from dataclasses import dataclass

from planwatch.assess.model import Item, Result, Thresholds
from planwatch.assess.ranking import Ranked, rank
from planwatch.assess.reference import assess
from planwatch.reports.rows import IndicatorRow, ReportData, TaskRow, ValueRow


@dataclass
class Assessment:
    indicators: dict[str, Result]            # code → result for the report's org unit
    tasks: dict[str, Result]                 # task code → result
    children: dict[str, list[Result]]        # indicator code → results of the children
    thresholds: Thresholds

    def ranking(self, code: str, measure: str) -> list[Ranked]:
        return rank(self.children.get(code, []), measure)


def _indicator_item(data: ReportData, row: IndicatorRow, v: ValueRow | None, org_code: str, org_name: str,
                    peer_group: str | None, target: tuple[float | None, float | None]) -> Item:
    decimals = v.decimals if v is not None and v.decimals is not None else row.decimals
    return Item(
        code=row.code, org_unit=org_code, period=data.period_code, plan_year=data.year, item_type="indicator",
        name=row.name, org_unit_name=org_name, peer_group=peer_group, unit=row.unit, kind=row.kind,
        direction=row.direction, binding=row.binding, aggregation=row.aggregation, rule=row.rule,
        decimals=1 if decimals is None else decimals, target=target[0], target_growth=target[1],
        value=v.value if v else None, yoy_pct=v.yoy_pct if v else None,
        reported_progress=v.progress_pct if v else None,
    )


def _task_item(data: ReportData, t: TaskRow) -> Item:
    return Item(
        code=t.code, org_unit=data.org_code, period=data.period_code, plan_year=data.year, item_type="task",
        name=t.title, org_unit_name=data.org_name, unit=t.unit, kind="task", decimals=1,
        target=t.target_quantity, value=t.quantity_done, reported_progress=t.percent, deadline=t.deadline,
    )


def assess_report(data: ReportData) -> Assessment:
    th = Thresholds.from_plan(data.thresholds)
    own_items, child_items, task_items = [], [], []
    for row in data.indicators:
        own_items.append(_indicator_item(data, row, row.value, data.org_code, data.org_name, None,
                                         (row.target, row.target_growth)))
        for v in row.children:
            child_items.append(_indicator_item(data, row, v, v.org_code, v.org_name, data.org_code,
                                               row.child_targets.get(v.org_code, (None, None))))
    task_items = [_task_item(data, t) for t in data.tasks]
    # the district is its own peer group; the children are peers of each other
    own = assess(own_items + task_items, th)
    kids = assess(child_items, th) if child_items else []
    children: dict[str, list[Result]] = {}
    for r in kids:
        children.setdefault(r.code, []).append(r)
    return Assessment(
        indicators={r.code: r for r in own if r.item_type == "indicator"},
        tasks={r.code: r for r in own if r.item_type == "task"},
        children=children,
        thresholds=th,
    )
