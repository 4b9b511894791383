"""Ingest a report: keep the document and its facts, and put the matched figures up for review.

A report read into planwatch must stay checkable: the document's text is kept, every fact points
at its span of that text, and what the facts say about the plan's indicators and tasks arrives
as *proposals* beside the current figures, so an extraction never overwrites a reviewed number
by itself.  A reviewer (or ``accept_confident`` for matches above a threshold) accepts them.

The whole ingestion is one transaction: a document that cannot be read, or a proposal that
cannot be accepted (a locked period), leaves nothing behind.  A document is known by the SHA-256
of its bytes, so ingesting the same file again changes nothing.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from planwatch.extract.grammar import extract_facts
from planwatch.extract.matching import DEFAULT_THRESHOLD, Candidate, match_facts
from planwatch.extract.reader import read_document


@dataclass
class IngestReport:
    """What an ingestion did, in words a reviewer can read."""

    document: object  # the stored planwatch.data.models.Document
    created: bool  # False: the same bytes were ingested before and nothing changed
    facts: int = 0
    matched: int = 0
    proposals: list = field(default_factory=list)  # DataValue / TaskProgress rows, status proposed
    accepted: list = field(default_factory=list)  # the current rows that accepted proposals wrote
    superseded: list = field(default_factory=list)  # (fact, better fact) pairs not proposed
    goals: list = field(default_factory=list)  # task facts that restate the task's goal, not proposed
    confidences: list = field(default_factory=list)  # (fact, target code or None, confidence)

    def lines(self) -> list[str]:
        doc = self.document
        if not self.created:
            where = f"{doc.plan.code if doc.plan else '-'} {doc.period.code if doc.period else '-'}"
            return [f"《{doc.name}》已于 {doc.created_at:%Y-%m-%d %H:%M} 导入({where}),内容未变,未做任何改动"]
        out = [f"《{doc.name}》:事实 {self.facts} 条,匹配到计划 {self.matched} 条,"
               f"待审核建议 {len(self.proposals)} 条,自动采纳 {len(self.accepted)} 条"]
        for fact, better in self.superseded:
            out.append(f"  同一指标或任务已有更可信的事实「{better.quote}」,未为「{fact.quote}」({fact.subject})生成建议")
        for fact in self.goals:
            out.append(f"  「{fact.quote}」({fact.subject})重申任务目标,不是进展,未生成建议")
        return out


def plan_candidates(plan) -> list[Candidate]:
    """The indicators and tasks of a plan, as matching candidates (names, aliases, units)."""
    from planwatch.plans.models import Task

    out = []
    for pi in plan.plan_indicators.select_related("indicator"):
        ind = pi.indicator
        out.append(Candidate(ind.code, ind.name, ind.unit, "indicator", list(ind.aliases or []), ref=ind))
    for task in Task.objects.filter(plan=plan):
        out.append(Candidate(task.code, task.title, task.unit, "task", [], ref=task))
    return out


def _growth_only(fact) -> bool:
    """A percentage that only says how much its subject grew ("同比增长7.7%")."""
    return fact.unit == "%" and fact.yoy_pct is not None and abs(abs(fact.yoy_pct) - fact.value) < 1e-9


# Words that put a sentence in the future: a plan for the rest of the year, not what was done.
_FUTURE = re.compile(r"全年|年内|年底前|下半年|力争|确保|计划|将|至少|预计|推动|开展|启动")
# Words right before a number that say it is done ("完成95处", "已建成2处").
_DONE_BEFORE = re.compile(r"(?:已|完成|建成|累计|共)[^,;。]{0,2}$")


def restates_goal(text: str, fact, task) -> bool:
    """A task's own goal quoted again ("全年完成205户个案帮扶") is no progress towards it.

    Reports restate their tasks' targets, above all in the plan for the second half; such a
    number equals the target in the task's unit.  It counts as progress only when the words
    right before it say it is done and nothing in its sentence points ahead.
    """
    if task.target_quantity is None or fact.value != task.target_quantity or (fact.unit or "") != (task.unit or ""):
        return False
    sentence = _sentence(text, fact.start, fact.end)
    before = text[max(0, fact.start - 6):fact.start]
    return bool(_FUTURE.search(sentence)) or not _DONE_BEFORE.search(before)


def ingest_document(path, plan, period, *, org_unit=None, actor=None, accept_confident: float | None = None,
                    threshold: float = DEFAULT_THRESHOLD, accept_status: str | None = None,
                    reason: str = "") -> IngestReport:
    """Store a report, its text and its facts; propose what they say about the plan.

    ``period`` is a Period or its code; ``org_unit`` defaults to the plan's own.  With
    ``accept_confident`` the proposals whose match confidence reaches it are accepted at once,
    as ``accept_status`` (default submitted: the planning office still approves them).
    Raises ``reader.DocumentError`` (naming the file) when the document cannot be read.
    """
    from planwatch.data import actions
    from planwatch.data.models import Document, Fact, Period, Status

    actor = actor or actions.SYSTEM
    accept_status = accept_status or Status.SUBMITTED
    path = Path(path)
    read = read_document(path)  # before the transaction: an unreadable file touches nothing
    with transaction.atomic():
        existing = Document.objects.filter(sha256=read.sha256).first()
        if existing is not None:
            return IngestReport(document=existing, created=False)
        if isinstance(period, str):
            period = Period.get(period)
        org_unit = org_unit or plan.org_unit

        doc = Document.objects.create(
            sha256=read.sha256, name=read.name[:300], format=read.format, encoding=read.encoding or "",
            size=read.size, text=read.text, plan=plan, period=period, uploaded_by=actor.user,
        )
        facts = extract_facts(read.text)
        matches = match_facts(facts, plan_candidates(plan), threshold)
        report = IngestReport(document=doc, created=True, facts=len(facts))
        stored = []
        for f, m in zip(facts, matches):
            c = m.candidate
            row = Fact.objects.create(
                document=doc, start=f.start, end=f.end, quote=f.quote[:200], subject=(f.subject or "")[:200],
                value=f.value, unit=(f.unit or "")[:32], yoy_pct=f.yoy_pct, progress_pct=f.progress_pct,
                approx=f.approx, confidence=m.confidence,
                indicator=c.ref if c is not None and c.kind == "indicator" else None,
                task=c.ref if c is not None and c.kind == "task" else None,
            )
            stored.append(row)
            report.confidences.append((row, None if c is None else f"{c.kind}:{c.code}", m.confidence))

        # One proposal per indicator × org unit × period (or per task): the surest fact, then the first.
        best: dict = {}
        for row in stored:
            key = ("indicator", row.indicator_id) if row.indicator_id else ("task", row.task_id) if row.task_id else None
            if key is None:
                continue
            report.matched += 1
            if row.task_id and restates_goal(doc.text, row, row.task):
                report.goals.append(row)
                continue
            held = best.get(key)
            if held is None or row.confidence > held.confidence:
                if held is not None:
                    report.superseded.append((held, row))
                best[key] = row
            else:
                report.superseded.append((row, held))

        actions.audit("document.ingest", doc, actor=actor, reason=reason or f"导入《{doc.name}》",
                      new={"facts": len(stored), "matched": report.matched, "proposals": len(best),
                           "plan": plan.code, "period": period.code, "org_unit": org_unit.code})

        for row in sorted(best.values(), key=lambda r: r.start):
            if row.indicator_id:
                proposal = _propose_value(actions, row, org_unit, period, actor)
            else:
                proposal = actions.propose_task_progress(row, row.task, period, actor=actor)
            report.proposals.append(proposal)
            if accept_confident is not None and row.confidence >= accept_confident:
                # A task's progress reads better as the sentence that states it than as "10项".
                extra = {} if row.indicator_id else {"narrative": _sentence(doc.text, row.start, row.end)}
                report.accepted.append(actions.accept_proposal(
                    proposal, actor=actor, status=accept_status,
                    reason=reason or f"匹配置信度 {row.confidence:.2f} ≥ {accept_confident:.2f},自动采纳", **extra))
    return report


def _propose_value(actions, fact, org_unit, period, actor):
    """Propose a fact's figures; a growth rate alone of a flow indicator proposes only its yoy.

    "零售额同比增长21.5%" says nothing about the amount: its 21.5 is the change, and storing it
    as the value would put a rate where the 亿元 belong.  The proposal action takes its numbers
    from the fact, so it is handed a copy whose value is left out (the stored fact keeps 21.5).
    """
    if _growth_only(fact) and fact.indicator.kind == "flow":
        shown = copy.copy(fact)
        shown.value = None
        return actions.propose_value(shown, fact.indicator, org_unit, period, actor=actor)
    return actions.propose_value(fact, fact.indicator, org_unit, period, actor=actor)


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of the text around a span, without its closing mark."""
    stops = "。;!?\n"
    left = max(text.rfind(ch, 0, start) for ch in stops) + 1
    rights = [i for i in (text.find(ch, end) for ch in stops) if i >= 0]
    return text[left:min(rights) if rights else len(text)].strip()
