"""The report of the current dashboard view as a file: Word, HTML or Markdown (reports app)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from planwatch.accounts import permissions as perms
from django.utils.translation import gettext as _

from planwatch.reports.build import FORMATS, ReportError, build_report, render
from planwatch.web import views_scope
from planwatch.web.period_choices import stored_period
from planwatch.web.context import org_unit_of, period_of, plan_or_404

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


def report_response(user, plan, period: str, org_unit, fmt: str) -> HttpResponse:
    """The district's whole report: for those who see the whole plan (planners, viewers, admins),
    not for a reporter, who sees only its own items."""
    perms.require(views_scope.sees_whole_plan(user))
    if fmt not in FORMATS:
        raise Http404(f"报告格式只有 {', '.join(FORMATS)}")
    stored = stored_period(period)  # a download reads: it must not store a period nobody reported for
    if stored is None:
        return HttpResponse(_("报告期 %(period)s 还没有任何数据,无法生成报告") % {"period": period}, status=422,
                            content_type="text/plain; charset=utf-8")
    try:
        body = render(build_report(plan, stored, org_unit), fmt)
    except ReportError as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"{plan.code}-{org_unit.code}-{period}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report(request, plan_code, fmt):
    plan = plan_or_404(request.user, plan_code)
    return report_response(request.user, plan, period_of(request, plan), org_unit_of(request, plan), fmt)
