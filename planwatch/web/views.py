"""Pages planners open. The front page lists the plans with what is loaded for each."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from planwatch.plans.models import Plan


@login_required
def home(request):
    plans = Plan.objects.select_related("org_unit").annotate(
        n_indicators=Count("plan_indicators", distinct=True), n_tasks=Count("tasks", distinct=True)
    )
    return render(request, "web/home.html", {"plans": plans})
