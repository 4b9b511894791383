"""The reporting calendar of a plan: who owes which figures for a period, who has handed them in,
who is late.

The planning office (and read-only users) sees every reporter with a deadline under the plan;
a reporter sees only what it still owes itself, so one department never learns from this page
which figures another department has or has not handed in.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from planwatch.accounts import permissions as perms
from planwatch.data.calendar import calendar, open_items_for
from planwatch.data.models import Period
from planwatch.web.context import period_of, plan_or_404
from planwatch.web.period_choices import reporting_periods
from planwatch.web.views_scope import sees_whole_plan


@login_required
def owed(request, plan_code):
    plan = plan_or_404(request.user, plan_code)
    period = period_of(request, plan)
    today = dt.date.today()
    stored = Period.objects.filter(code=period).first()  # no deadline can name a period never stored
    whole = sees_whole_plan(request.user)
    if stored is None:
        statuses = []
    elif whole:
        statuses = calendar(plan=plan, period=stored, today=today)
    else:
        statuses = [s for s in open_items_for(request.user, period=stored, today=today) if s.deadline.plan_id == plan.pk]
    counts = {state: sum(1 for s in statuses if s.state == state) for state in ("submitted", "late", "open")}
    return render(request, "web/owed.html", {
        "plan": plan, "period": period, "statuses": statuses, "whole": whole, "counts": counts,
        "can_edit": perms.role_of(request.user) not in (None, perms.VIEWER), "today": today,
        "periods": reporting_periods(plan, period),
    })
