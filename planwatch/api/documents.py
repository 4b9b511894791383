"""Documents read into planwatch, the facts found in them, and the values they propose.

Accepting a proposal copies its (possibly edited) numbers into the current figure with the
document and fact as its source; rejecting keeps it for the record. Both go through
``planwatch.data.actions``.
"""

from typing import Literal, Optional

from django.db.models import Count, Q
from django.http import Http404
from ninja import Path, Router
from ninja import Status as Reply
from ninja.errors import HttpError
from ninja.pagination import paginate

from planwatch.accounts import permissions as perms
from planwatch.api.lookups import MAX_ID, may_edit_value, plan_for
from planwatch.api.pagination import Pages
from planwatch.api.schemas import (AcceptIn, Code, DocumentOut, DocumentText, FactOut, Problem, ProgressOut,
                                   ProposalOut, RejectIn, ValueOut)
from planwatch.data import actions
from planwatch.data.models import DataValue, Document, Fact, Status, TaskProgress

router = Router(tags=["文档审核 documents"])
Kind = Literal["value", "progress"]


def visible_documents(user):
    """Documents of the plans a user may see, and those the user uploaded."""
    if perms.role_of(user) is None:
        return Document.objects.none()
    return Document.objects.filter(Q(plan__in=perms.visible_plans(user)) | Q(uploaded_by=user)).select_related(
        "plan", "period")


def document_for(user, document_id: int) -> Document:
    doc = visible_documents(user).filter(pk=document_id).first()
    if doc is None:
        raise Http404("没有这份文档(或无权查看)")
    return doc


def proposal_rows(doc: Document):
    """The values and progress a document proposes, each with the fact it came from."""
    rows = []
    for kind, model in (("value", DataValue), ("progress", TaskProgress)):
        for p in model.objects.filter(document=doc, fact__isnull=False).select_related("fact").order_by("fact__start", "id"):
            if p.status not in (Status.PROPOSED, Status.ACCEPTED, Status.REJECTED):
                continue
            rows.append((kind, p))
    return rows


def proposal_out(kind: str, p) -> dict:
    subject = p.indicator.name if kind == "value" else p.task.title
    return {"kind": kind, "id": p.pk, "fact_id": p.fact_id, "subject": subject,
            "value": p.value if kind == "value" else p.quantity_done,
            "yoy_pct": p.yoy_pct if kind == "value" else None,
            "progress_pct": p.progress_pct if kind == "value" else p.percent, "status": p.status}


@router.get("/documents", response=list[DocumentOut])
@paginate(Pages)
def list_documents(request, plan: Optional[Code] = None):
    qs = visible_documents(request.auth).annotate(n_facts=Count("facts"))
    if plan:
        qs = qs.filter(plan=plan_for(request.auth, plan))
    return qs.order_by("-created_at", "-id")


@router.get("/documents/{document_id}", response=DocumentText)
def get_document(request, document_id: int = Path(..., ge=1, le=MAX_ID)):
    """A document with its full text (fact offsets index into it)."""
    return document_for(request.auth, document_id)


@router.get("/documents/{document_id}/facts", response=list[FactOut])
def document_facts(request, document_id: int = Path(..., ge=1, le=MAX_ID)):
    doc = document_for(request.auth, document_id)
    return Fact.objects.filter(document=doc).select_related("indicator", "task").order_by("start")


@router.get("/documents/{document_id}/proposals", response=list[ProposalOut])
def document_proposals(request, document_id: int = Path(..., ge=1, le=MAX_ID)):
    """Values and task progress proposed from the document's facts, with their review status."""
    doc = document_for(request.auth, document_id)
    return [proposal_out(kind, p) for kind, p in proposal_rows(doc)]


def proposal_for(user, kind: str, proposal_id: int):
    model = DataValue if kind == "value" else TaskProgress
    p = model.objects.filter(pk=proposal_id, document__in=visible_documents(user)).first()
    if p is None:
        raise Http404("没有这条抽取值(或无权查看)")
    if kind == "value":
        perms.require(may_edit_value(user, p.indicator, p.org_unit), "无权审核这个指标")
    else:
        perms.require(perms.can_edit_task(user, p.task), "无权审核这项任务")
    if p.status != Status.PROPOSED:
        raise HttpError(409, f"这条抽取值已处理(状态:{p.get_status_display()})")
    return p


@router.post("/proposals/{kind}/{proposal_id}/accept",
             response={200: ValueOut | ProgressOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem})
def accept(request, kind: Kind, body: AcceptIn, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    """Take a proposal into the data, optionally with corrected numbers; returns the current record."""
    p = proposal_for(request.auth, kind, proposal_id)
    fields = ("value", "yoy_pct", "progress_pct") if kind == "value" else ("quantity_done", "percent")
    overrides = {f: getattr(body, f) for f in fields if getattr(body, f) is not None}
    try:
        current = actions.accept_proposal(p, actor=actions.Actor.of(request.auth), reason=body.reason, **overrides)
    except actions.StaleVersion as exc:
        raise HttpError(409, str(exc)) from None
    return Reply(200, current)


@router.post("/proposals/{kind}/{proposal_id}/reject", response={200: ProposalOut, 403: Problem, 404: Problem, 409: Problem})
def reject(request, kind: Kind, body: RejectIn, proposal_id: int = Path(..., ge=1, le=MAX_ID)):
    p = proposal_for(request.auth, kind, proposal_id)
    p = actions.reject_proposal(p, actor=actions.Actor.of(request.auth), reason=body.reason)
    return Reply(200, proposal_out(kind, p))
