"""``planwatch extract``: print the facts of a report, score them, or match them to a plan."""
from __future__ import annotations

import json
import os
import sys

import click

from planwatch.extract.grammar import extract_facts
from planwatch.extract.matching import DEFAULT_THRESHOLD, Candidate, match_facts
from planwatch.extract.reader import DocumentError, read_document
from planwatch.extract.score import load_jsonl, score
from planwatch.extract.stream import stream_facts

# Text files above this size are streamed in chunks instead of read whole.
STREAM_ABOVE_BYTES = 8 << 20


def plan_candidates(plan_code: str) -> list[Candidate]:
    """The indicators and tasks of a stored plan, as matching candidates."""
    from planwatch.extract.ingest import plan_candidates as candidates_of

    return candidates_of(_plan(plan_code))


def _plan(plan_code: str):
    from planwatch.plans.models import Plan

    plan = Plan.objects.filter(code=plan_code).first()
    if plan is None:
        raise click.ClickException(f"计划 {plan_code!r} 不存在(先用 planwatch plan load 载入)")
    return plan


def _table(rows: list[dict]) -> str:
    head = ["start", "quote", "subject", "value", "unit", "yoy_pct", "progress_pct", "approx"]
    if rows and "match" in rows[0]:
        head += ["match", "confidence"]
    lines = ["\t".join(head)]
    for r in rows:
        lines.append("\t".join("" if r.get(h) is None else str(r.get(h)) for h in head))
    return "\n".join(lines)


def _print_score(figures: dict, fmt: str) -> None:
    if fmt == "jsonl":
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    click.echo(f"gold {figures['gold']}  predicted {figures['pred']}  matched {figures['matched']}")
    click.echo(f"precision         {figures['precision']:.4f}")
    click.echo(f"recall            {figures['recall']:.4f}")
    click.echo(f"F1                {figures['f1']:.4f}")
    click.echo(f"subject acc       {figures['subject_acc']:.4f}")
    for q in ("yoy_pct", "progress_pct"):
        acc = figures[q + "_acc"]
        click.echo(f"{q + ' acc':<18}{'n/a' if acc is None else format(acc, '.4f')}  (n={figures[q + '_n']})")
    if figures["missed_sample"]:
        click.echo("missed: " + "  ".join(figures["missed_sample"]))
    if figures["extra_sample"]:
        click.echo("extra:  " + "  ".join(figures["extra_sample"]))


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default=None,
              help="jsonl: one fact per line (the default); table: tab-separated columns. "
                   "With --score: the figures as one JSON object or as lines.")
@click.option("--score", "gold", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Compare with a gold facts file (JSON Lines) and print precision, recall, F1 and "
                   "the accuracy of subject, yoy_pct and progress_pct among matched facts.")
@click.option("--plan", "plan_code", default=None,
              help="Match each fact to an indicator or task of this stored plan, with a confidence.")
@click.option("--threshold", default=DEFAULT_THRESHOLD, show_default=True, type=float,
              help="Lowest confidence that counts as a match (with --plan).")
def extract(file, fmt, gold, plan_code, threshold):
    """Read FILE (.txt in UTF-8/GB18030/UTF-16, .docx, .pdf, .html) and print its quantity facts.

    Each fact gives the quote with its character offsets into the decoded text, the subject,
    value, unit, yoy change, completion progress and whether the number is hedged.
    """
    try:
        if gold is None and plan_code is None and file.lower().endswith(".txt") and _size(file) > STREAM_ABOVE_BYTES:
            _stream_out(file, fmt or "jsonl")
            return
        doc = read_document(file)
    except DocumentError as e:
        raise click.ClickException(str(e)) from e
    facts = extract_facts(doc.text)
    if gold is not None:
        _print_score(score(doc.text, load_jsonl(gold), [f.to_dict() for f in facts]), fmt or "table")
        return
    rows = [f.to_dict() for f in facts]
    if plan_code is not None:
        candidates = plan_candidates(plan_code)
        for row, m in zip(rows, match_facts(facts, candidates, threshold)):
            row["match"] = None if m.candidate is None else f"{m.candidate.kind}:{m.candidate.code}"
            row["confidence"] = m.confidence
    if (fmt or "jsonl") == "table":
        click.echo(_table(rows))
    else:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))


def _size(file: str) -> int:
    try:
        return os.path.getsize(file)
    except OSError:
        return 0


def _stream_out(file: str, fmt: str) -> None:
    out = sys.stdout
    if fmt == "table":
        click.echo(_table([]))
    for f in stream_facts(file):
        row = f.to_dict()
        out.write((json.dumps(row, ensure_ascii=False) if fmt == "jsonl" else _table([row]).split("\n", 1)[1]) + "\n")


@click.command("ingest")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--plan", "plan_code", required=True, help="Code of the stored plan the report is about.")
@click.option("--period", required=True, help="Reporting period of the report, e.g. 2021H1, 2021Q3, 2021-06.")
@click.option("--org-unit", "org_code", default=None,
              help="Code of the org unit the figures are for (default: the plan's own, e.g. the district).")
@click.option("--threshold", default=DEFAULT_THRESHOLD, show_default=True, type=float,
              help="Lowest confidence that counts as a match to an indicator or task.")
@click.option("--accept-confident", "accept", default=None, type=float, is_flag=False, flag_value=0.9,
              help="Accept at once (as submitted) the proposals matched with at least this confidence "
                   "(0.9 when given without a value); the rest wait for review.")
def ingest(file, plan_code, period, org_code, threshold, accept):
    """Store FILE, its text and its facts, and propose the figures it states for review.

    Each fact matched to an indicator or task of the plan becomes a proposed value or task
    progress beside the current one (one per indicator, the most confident). Ingesting the
    same file again changes nothing.
    """
    from django.core.exceptions import PermissionDenied

    from planwatch.cli import cli_actor
    from planwatch.data.actions import PeriodLocked
    from planwatch.extract.ingest import ingest_document
    from planwatch.periods import Period as PeriodValue
    from planwatch.plans.models import OrgUnit

    plan = _plan(plan_code)
    try:
        PeriodValue.parse(period)
    except ValueError as e:
        raise click.ClickException(f"--period {period!r}: {e}") from e
    org_unit = None
    if org_code is not None:
        org_unit = OrgUnit.objects.filter(code=org_code).first()
        if org_unit is None:
            raise click.ClickException(f"单位 {org_code!r} 不存在")
    try:
        report = ingest_document(file, plan, period, org_unit=org_unit, actor=cli_actor(),
                                 accept_confident=accept, threshold=threshold)
    except DocumentError as e:
        raise click.ClickException(str(e)) from e
    except (PeriodLocked, PermissionDenied) as e:
        raise click.ClickException(f"{file}: {e}(未导入任何内容)") from e
    for line in report.lines():
        click.echo(line)


COMMANDS = [extract, ingest]
