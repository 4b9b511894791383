"""The one path by which data changes: each action runs in a transaction and writes its audit row.

The web views, the API, the CLI and the importers call these functions instead of saving models
themselves, so a value typed into a form and a value read out of a report are checked,
versioned and audited the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from planwatch.data.models import AuditEntry, DataValue, Document, Fact, Period, Source, Status, TaskProgress
from planwatch.plans.models import Indicator, OrgUnit, Task


class StaleVersion(Exception):
    """An edit was based on a version that someone else has since replaced."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            f"{current} 已被他人修改(当前版本 {current.version}),请刷新后再改"
        )


@dataclass
class Actor:
    """Who is acting: a user of the app, or a named process (cli, import, system)."""

    user: Any = None
    name: str = "system"

    @classmethod
    def of(cls, user=None, name: str | None = None) -> "Actor":
        if user is not None and getattr(user, "is_authenticated", False):
            return cls(user=user, name=user.get_username())
        return cls(user=None, name=name or "system")


SYSTEM = Actor()


def snapshot(obj, fields: list[str] | None = None) -> dict:
    """A JSON-able picture of a record for the audit trail."""
    data = model_to_dict(obj, fields=fields)
    return {k: (v if isinstance(v, (int, float, str, bool, type(None))) else str(v)) for k, v in data.items()}


def audit(action: str, obj, *, actor: Actor = SYSTEM, old: dict | None = None, new: dict | None = None,
          reason: str = "", model: str | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        user=actor.user,
        actor=actor.name,
        action=action,
        model=model or obj._meta.label_lower,
        object_id=str(getattr(obj, "pk", "") or ""),
        object_repr=str(obj)[:300],
        old=old,
        new=new,
        reason=reason[:500],
    )


VALUE_FIELDS = ["value", "decimals", "yoy_pct", "progress_pct", "source", "status", "document", "fact", "note", "version"]
PROGRESS_FIELDS = ["quantity_done", "percent", "narrative", "source", "status", "document", "fact", "note", "version"]


def _current(model, **cell):
    return model.objects.select_for_update().exclude(status__in=[Status.PROPOSED, Status.REJECTED, Status.ACCEPTED]).filter(**cell).first()


def _write_current(model, fields, cell: dict, numbers: dict, *, actor: Actor, reason: str, expected_version, action: str):
    """Create or update the current row of a cell; refuse an edit based on a stale version."""
    row = _current(model, **cell)
    if row is None:
        if expected_version not in (None, 0):
            raise model.DoesNotExist(f"no current value for {cell}")
        row = model(**cell, **numbers, created_by=actor.user, updated_by=actor.user)
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        audit(f"{action}.create", row, actor=actor, new=snapshot(row, fields), reason=reason)
        return row
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    old = snapshot(row, fields)
    for k, v in numbers.items():
        setattr(row, k, v)
    new = snapshot(row, fields)
    new["version"] = old["version"]
    if new == old:
        return row  # nothing changed: no new version, no audit noise (idempotent loads)
    row.version += 1
    row.updated_by = actor.user
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    audit(f"{action}.update", row, actor=actor, old=old, new=snapshot(row, fields), reason=reason)
    return row


@transaction.atomic
def record_value(indicator: Indicator, org_unit: OrgUnit, period: Period | str, *, value=None, yoy_pct=None,
                 progress_pct=None, decimals=None, source=Source.ENTERED, status=Status.DRAFT, note="",
                 document: Document | None = None, fact: Fact | None = None, actor: Actor = SYSTEM,
                 reason: str = "", expected_version: int | None = None) -> DataValue:
    """Set the current figure of an indicator for an org unit and period."""
    if isinstance(period, str):
        period = Period.get(period)
    cell = {"indicator": indicator, "org_unit": org_unit, "period": period}
    numbers = {"value": value, "yoy_pct": yoy_pct, "progress_pct": progress_pct, "decimals": decimals,
               "source": source, "status": status, "note": note, "document": document, "fact": fact}
    return _write_current(DataValue, VALUE_FIELDS, cell, numbers, actor=actor, reason=reason,
                          expected_version=expected_version, action="value")


@transaction.atomic
def record_task_progress(task: Task, period: Period | str, *, quantity_done=None, percent=None, narrative="",
                         source=Source.ENTERED, status=Status.DRAFT, note="", document=None, fact=None,
                         actor: Actor = SYSTEM, reason: str = "", expected_version: int | None = None) -> TaskProgress:
    """Set how far a key task has come by the end of a period."""
    if isinstance(period, str):
        period = Period.get(period)
    cell = {"task": task, "period": period}
    numbers = {"quantity_done": quantity_done, "percent": percent, "narrative": narrative, "source": source,
               "status": status, "note": note, "document": document, "fact": fact}
    return _write_current(TaskProgress, PROGRESS_FIELDS, cell, numbers, actor=actor, reason=reason,
                          expected_version=expected_version, action="progress")


@transaction.atomic
def propose_value(fact: Fact, indicator: Indicator, org_unit: OrgUnit, period: Period, *, actor: Actor = SYSTEM) -> DataValue:
    """Put a figure read from a document beside the current one, waiting for review.

    Proposing the same fact twice returns the existing proposal (re-ingesting changes nothing).
    """
    existing = DataValue.objects.filter(fact=fact, indicator=indicator, org_unit=org_unit, period=period).first()
    if existing:
        return existing
    row = DataValue.objects.create(
        indicator=indicator, org_unit=org_unit, period=period, value=fact.value, yoy_pct=fact.yoy_pct,
        progress_pct=fact.progress_pct, decimals=_decimals_of(fact.quote), source=Source.EXTRACTED,
        status=Status.PROPOSED, document=fact.document, fact=fact, created_by=actor.user, updated_by=actor.user,
    )
    audit("value.propose", row, actor=actor, new=snapshot(row, VALUE_FIELDS), reason=f"抽取自《{fact.document.name}》")
    return row


@transaction.atomic
def propose_task_progress(fact: Fact, task: Task, period: Period, *, actor: Actor = SYSTEM) -> TaskProgress:
    existing = TaskProgress.objects.filter(fact=fact, task=task, period=period).first()
    if existing:
        return existing
    unit_matches = fact.unit == task.unit
    row = TaskProgress.objects.create(
        task=task, period=period, quantity_done=fact.value if unit_matches else None,
        percent=fact.progress_pct if fact.progress_pct is not None else (fact.value if fact.unit == "%" else None),
        narrative=fact.quote, source=Source.EXTRACTED, status=Status.PROPOSED, document=fact.document, fact=fact,
        created_by=actor.user, updated_by=actor.user,
    )
    audit("progress.propose", row, actor=actor, new=snapshot(row, PROGRESS_FIELDS), reason=f"抽取自《{fact.document.name}》")
    return row


@transaction.atomic
def accept_proposal(proposal: DataValue | TaskProgress, *, actor: Actor = SYSTEM, status=Status.SUBMITTED,
                    reason: str = "", **overrides):
    """Take a proposal's numbers (optionally edited) into the current value; the proposal is kept."""
    proposal = type(proposal).objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Status.PROPOSED:
        raise ValueError(f"{proposal} 不是待审核的抽取值(状态:{proposal.get_status_display()})")
    if isinstance(proposal, DataValue):
        numbers = {"value": proposal.value, "yoy_pct": proposal.yoy_pct, "progress_pct": proposal.progress_pct,
                   "decimals": proposal.decimals}
        numbers.update(overrides)
        current = record_value(proposal.indicator, proposal.org_unit, proposal.period, source=Source.EXTRACTED,
                               status=status, document=proposal.document, fact=proposal.fact, actor=actor,
                               reason=reason or "采纳文档抽取值", **numbers)
    else:
        numbers = {"quantity_done": proposal.quantity_done, "percent": proposal.percent, "narrative": proposal.narrative}
        numbers.update(overrides)
        current = record_task_progress(proposal.task, proposal.period, source=Source.EXTRACTED, status=status,
                                       document=proposal.document, fact=proposal.fact, actor=actor,
                                       reason=reason or "采纳文档抽取值", **numbers)
    proposal.status = Status.ACCEPTED
    proposal.save(update_fields=["status", "updated_at"])
    audit("proposal.accept", proposal, actor=actor, old={"status": Status.PROPOSED}, new={"status": Status.ACCEPTED},
          reason=reason)
    return current


@transaction.atomic
def reject_proposal(proposal: DataValue | TaskProgress, *, actor: Actor = SYSTEM, reason: str = ""):
    proposal = type(proposal).objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Status.PROPOSED:
        raise ValueError(f"{proposal} 不是待审核的抽取值")
    proposal.status = Status.REJECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit("proposal.reject", proposal, actor=actor, old={"status": Status.PROPOSED}, new={"status": Status.REJECTED},
          reason=reason)
    return proposal


def _decimals_of(number_text: str) -> int | None:
    """Decimal places as written in a quote ('105.7亿元' -> 1), so reports print it the same way."""
    digits = "".join(ch for ch in number_text if ch.isdigit() or ch == ".")
    if "." in digits:
        return len(digits.split(".", 1)[1].rstrip("."))
    return 0 if digits else None
