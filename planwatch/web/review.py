"""Document review: a report's text with every extracted fact highlighted, and the values it
proposes, each to be accepted (as read or corrected) or rejected.

Accepting goes through ``actions.accept_proposal``: the figure becomes current with the document
and the fact as its source, and the dashboard shows it at once.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from planwatch.accounts import permissions as perms
from planwatch.api.documents import proposal_rows, visible_documents
from planwatch.api.lookups import may_edit_value
from planwatch.data import actions
from planwatch.data.models import DataValue, Fact, Status, TaskProgress
from planwatch.periods import Period as PeriodValue
from planwatch.plans.models import Plan
from planwatch.web.forms import UploadForm
from planwatch.web.names import name_of


def ingest_function():
    """The extraction app's ingest entry point, or None while it is not there."""
    try:
        from planwatch.extract import ingest
    except ImportError:
        return None
    return getattr(ingest, "ingest_document", None)


def highlighted(text: str, facts, status_of: dict[int, str]) -> str:
    """The text as HTML with each fact's span in a <mark> that a provenance link can jump to."""
    out, pos = [], 0
    for f in sorted(facts, key=lambda f: (f.start, f.end)):
        if f.start < pos or f.end > len(text):
            continue  # overlapping or out-of-range spans are listed, not drawn
        out.append(escape(text[pos:f.start]))
        cls = status_of.get(f.pk, "")
        out.append(f'<mark class="fact {cls}" id="fact-{f.pk}" data-fact="{f.pk}" title="{escape(f.subject)}">'
                   f"{escape(text[f.start:f.end])}</mark>")
        pos = f.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


@login_required
def documents(request):
    plans = perms.visible_plans(request.user, Plan.objects.all())
    form = UploadForm()
    ingest = ingest_function()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        plan = plans.filter(code=request.POST.get("plan", "")).first()
        period_ok = True
        try:
            PeriodValue.parse(request.POST.get("period", ""))
        except ValueError:
            period_ok = False
        if ingest is None:
            messages.error(request, _("文档导入功能尚未安装(planwatch.extract.ingest),暂不能上传"))
        elif plan is None:
            form.add_error(None, _("请选择计划"))
        elif not period_ok:
            form.add_error("period", _("报告期格式如 2021H1、2021Q3、2021-06、2021"))
        elif form.is_valid():
            perms.require(perms.role_of(request.user) not in (None, perms.VIEWER), _("只读用户不能上传文档"))
            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.TemporaryDirectory() as tmp:
                # the stored document keeps the name it was uploaded under
                path = Path(tmp) / (Path(upload.name).name or f"upload{suffix}")
                with open(path, "wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    report = ingest(path, plan, form.cleaned_data["period"], actor=actions.Actor.of(request.user))
                    doc = report.document
                    for line in report.lines():
                        messages.info(request, line)
                except ValueError as exc:  # DocumentError names the file and the reason
                    form.add_error("file", str(exc))
                    doc = None
            if doc is not None:
                return redirect("web:document", doc.pk)
    docs = visible_documents(request.user).order_by("-created_at", "-id")
    return render(request, "web/documents.html", {"docs": docs, "form": form, "plans": plans,
                                                  "ingest_ready": ingest is not None})


def _proposals(doc):
    rows = []
    for kind, p in proposal_rows(doc):
        rows.append({"kind": kind, "p": p, "subject": name_of(p.indicator) if kind == "value" else p.task.title,
                     "unit": p.indicator.unit if kind == "value" else p.task.unit,
                     "org": name_of(p.org_unit) if kind == "value" else name_of(p.task.org_unit)})
    return rows


@login_required
def document(request, document_id):
    doc = visible_documents(request.user).filter(pk=document_id).first()
    if doc is None:
        raise Http404(_("没有这份文档,或无权查看"))
    proposals = _proposals(doc)
    status_of = {r["p"].fact_id: r["p"].status for r in proposals}
    facts = list(Fact.objects.filter(document=doc).select_related("indicator", "task"))
    return render(request, "web/document.html", {
        "doc": doc, "proposals": proposals, "facts": facts, "text": highlighted(doc.text, facts, status_of),
        "pending": sum(1 for r in proposals if r["p"].status == Status.PROPOSED),
    })


def _parse_number(raw: str | None):
    raw = (raw or "").strip()
    if not raw:
        return None
    value = float(raw)
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > 1e15:
        raise ValueError(raw)
    return value


@login_required
@require_POST
def decide(request, kind, proposal_id, decision):
    """Accept (optionally with corrected numbers) or reject one proposal."""
    model = DataValue if kind == "value" else TaskProgress
    p = model.objects.filter(pk=proposal_id, document__in=visible_documents(request.user)).first()
    if p is None:
        raise Http404(_("没有这条抽取值"))
    if kind == "value":
        perms.require(may_edit_value(request.user, p.indicator, p.org_unit), _("无权审核这个指标"))
    else:
        perms.require(perms.can_edit_task(request.user, p.task), _("无权审核这项任务"))
    error = ""
    actor = actions.Actor.of(request.user)
    if p.status != Status.PROPOSED:
        error = _("这条抽取值已处理(%(s)s)") % {"s": p.get_status_display()}
    elif decision == "reject":
        actions.reject_proposal(p, actor=actor, reason=request.POST.get("reason", "")[:500])
    else:
        fields = ("value", "yoy_pct", "progress_pct") if kind == "value" else ("quantity_done", "percent")
        try:
            overrides = {f: _parse_number(request.POST.get(f)) for f in fields if f in request.POST}
            overrides = {k: v for k, v in overrides.items() if v is not None}
            actions.accept_proposal(p, actor=actor, reason="文档审核采纳", **overrides)
        except ValueError:
            error = _("请输入有效的数字")
        except actions.StaleVersion as exc:
            error = str(exc)
    p.refresh_from_db()
    row = {"kind": kind, "p": p, "subject": name_of(p.indicator) if kind == "value" else p.task.title,
           "unit": p.indicator.unit if kind == "value" else p.task.unit,
           "org": name_of(p.org_unit) if kind == "value" else name_of(p.task.org_unit), "error": error}
    if request.htmx:
        return render(request, "web/_proposal.html", {"r": row, "doc": p.document})
    if error:
        messages.error(request, error)
    return redirect("web:document", p.document_id)
