"""The single write path: versions, stale edits, proposals beside the current value, the audit trail."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from planwatch.data.actions import (Actor, StaleVersion, accept_proposal, propose_value, record_value,
                                    reject_proposal)
from planwatch.data.models import AuditEntry, DataValue, Document, Fact, Period, Status
from planwatch.plans.models import Indicator, OrgUnit


@pytest.fixture
def cell(db):
    ind = Indicator.objects.create(code="revenue", name="一般公共预算收入", unit="亿元")
    org = OrgUnit.objects.create(code="T1", name="测试区", level="district")
    return ind, org, Period.get("2021H1")


def test_record_creates_then_versions(cell):
    ind, org, period = cell
    v = record_value(ind, org, period, value=100.0, actor=Actor(name="alice"))
    assert v.version == 1
    v2 = record_value(ind, org, period, value=105.7, expected_version=1, reason="更正")
    assert v2.pk == v.pk and v2.version == 2 and v2.value == 105.7
    entry = AuditEntry.objects.filter(action="value.update").get()
    assert (entry.old["value"], entry.new["value"], entry.reason) == (100.0, 105.7, "更正")


def test_stale_edit_is_refused_and_value_unchanged(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=100.0)
    record_value(ind, org, period, value=101.0, expected_version=1)
    with pytest.raises(StaleVersion) as info:
        record_value(ind, org, period, value=999.0, expected_version=1)
    assert info.value.current.value == 101.0
    assert DataValue.objects.get().value == 101.0


def test_unchanged_value_writes_no_new_version(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=100.0)
    record_value(ind, org, period, value=100.0)
    assert DataValue.objects.get().version == 1
    assert AuditEntry.objects.count() == 1


def test_database_allows_only_one_current_value(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=100.0)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataValue.objects.create(indicator=ind, org_unit=org, period=period, value=1.0, status=Status.SUBMITTED)


def _fact(value=105.7):
    doc, _ = Document.objects.get_or_create(sha256="0" * 64, defaults={"name": "报告.txt", "format": "txt", "text": "收入105.7亿元"})
    return Fact.objects.create(document=doc, start=2, end=9, quote="105.7亿元", subject="收入", value=value, unit="亿元")


def test_proposals_wait_beside_the_current_value(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=100.0, status=Status.APPROVED)
    fact = _fact()
    proposal = propose_value(fact, ind, org, period)
    assert propose_value(fact, ind, org, period).pk == proposal.pk  # re-ingesting changes nothing
    assert DataValue.objects.exclude(status__in=[Status.PROPOSED]).get().value == 100.0
    current = accept_proposal(proposal, reason="核对无误")
    assert current.value == 105.7 and current.source == "extracted" and current.fact_id == fact.pk
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    with pytest.raises(ValueError):
        accept_proposal(proposal)


def test_rejected_proposal_leaves_current_value(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=100.0)
    proposal = propose_value(_fact(50.0), ind, org, period)
    reject_proposal(proposal, reason="口径不同")
    assert DataValue.objects.get(status=Status.DRAFT).value == 100.0
    assert AuditEntry.objects.filter(action="proposal.reject", reason="口径不同").exists()


def test_audit_entries_are_append_only(cell):
    ind, org, period = cell
    record_value(ind, org, period, value=1.0)
    entry = AuditEntry.objects.get()
    entry.reason = "改写历史"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
