"""Drafting a report: load the rows, ask the assessment engine, compose the model.

    report = build_report("dongcheng-2021", "2021H1")
    docx_bytes = render(report, "docx")
"""
from __future__ import annotations

from planwatch.reports.assessment import assess_report
from planwatch.reports.compose import compose
from planwatch.reports.load import ReportError, load
from planwatch.reports.model import Report

FORMATS = ("docx", "html", "md")

__all__ = ["FORMATS", "ReportError", "build_report", "render"]


def build_report(plan, period, org_unit=None, *, approved_only: bool = False, charts: bool = True) -> Report:
    """The report of ``plan`` for ``period`` (codes or model instances).

    ``org_unit`` defaults to the plan's own unit. ``approved_only`` leaves out every figure and
    progress row that has not been approved, for the version that is filed.
    """
    data = load(plan, period, org_unit, approved_only=approved_only)
    return compose(data, assess_report(data), charts=charts)


def render(report: Report, fmt: str) -> bytes:
    """The report as a file's bytes in one of ``FORMATS``."""
    if fmt == "docx":
        from planwatch.reports.render_docx import render_docx

        return render_docx(report)
    if fmt == "html":
        from planwatch.reports.render_html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "md":
        from planwatch.reports.render_md import render_md

        return render_md(report).encode("utf-8")
    raise ReportError(f"不支持的报告格式 {fmt!r},可选:{', '.join(FORMATS)}")
