"""One entry point for every import: the CLI command and the web upload page both call it.

``import_workbook`` reads a filled collection template (.xlsx), a tidy CSV or a DHIS2
dataValueSets JSON, validates the whole file, checks that the template's recipient and the
acting user may report every item in it, and only then writes, in one transaction, with
``source="imported"`` and ``status="submitted"``.  When anything is wrong it raises
``ImportRefused`` listing every problem (sheet, cell, reason) and writes nothing.
"""
from __future__ import annotations

from planwatch.data.actions import Actor
from planwatch.io.apply import check_permissions, write
from planwatch.io.problems import Collector, ImportRefused, ImportReport, Problem
from planwatch.io.sources import MAX_BYTES, SourceError, read_source, sniff
from planwatch.io.tabular import read_dhis2_json, read_tidy_csv
from planwatch.io.workbook import read_template

FORMAT_NAMES = {"xlsx": "Excel 填报模板", "csv": "整洁CSV", "json": "DHIS2 dataValueSets"}


def import_workbook(path_or_file, *, actor: Actor | None = None, plan: str | None = None, period: str | None = None,
                    name: str | None = None, max_bytes: int = MAX_BYTES, dry_run: bool = False) -> ImportReport:
    """Import a file (path or file object such as a Django upload); ImportRefused lists every problem.

    ``plan``/``period``, when given, are what the caller expects (an upload on a plan's page):
    a file of another plan or period is refused.  ``actor.user`` (when set) must be allowed to
    report every item; a named actor without a user is a trusted process such as the CLI's
    administrator.  ``dry_run`` validates everything and writes nothing.
    """
    actor = actor or Actor(name="cli")
    filename = name or (getattr(path_or_file, "name", None) or str(path_or_file))
    try:
        source = read_source(path_or_file, name=name, max_bytes=max_bytes)
        kind = sniff(source)
    except SourceError as exc:
        raise ImportRefused([Problem("", "", str(exc))], filename) from None
    collector = Collector(source.name)
    recipient = None
    if kind == "xlsx":
        content = read_template(source, collector, expect_plan=plan, expect_period=period)
        if content is None:
            collector.raise_if_any()
        catalog, entries, blank, recipient = content.catalog, content.entries, content.blank, content.recipient
    else:
        try:
            text = source.text()
        except SourceError as exc:
            raise ImportRefused([Problem("", "", str(exc))], source.name) from None
        reader = read_tidy_csv if kind == "csv" else read_dhis2_json
        result = reader(text, collector, name=source.name, expect_plan=plan, expect_period=period)
        if result is None:
            collector.raise_if_any()
        catalog, entries, blank = result
    check_permissions(entries, catalog, collector, recipient=recipient, user=actor.user)
    collector.raise_if_any()
    report = ImportReport(filename=source.name, format=FORMAT_NAMES[kind], plan=catalog.plan.code,
                          periods=sorted({e.period for e in entries}), blank=blank,
                          values=sum(e.kind == "value" for e in entries), tasks=sum(e.kind == "task" for e in entries))
    if not dry_run:
        write(entries, report, actor=actor, reason=f"导入《{source.name}》", plan=catalog.plan)
    return report


import_file = import_workbook
