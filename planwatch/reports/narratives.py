"""Setting a planner's report text, audited like every other change of state."""
from __future__ import annotations

from django.db import transaction

from planwatch.data.actions import SYSTEM, Actor, StaleVersion, audit
from planwatch.data.models import Period
from planwatch.reports.models import Narrative
from planwatch.reports.text import clean


@transaction.atomic
def set_narrative(plan, period: Period | str, text: str, *, part: str = Narrative.Part.EXECUTION, area=None,
                  task=None, actor: Actor = SYSTEM, reason: str = "", expected_version: int | None = None) -> Narrative | None:
    """Write (or, with empty text, remove) the text for one place of a report.

    The text is stored as typed, after removing characters no document format can hold; the
    renderers escape it for their format.
    """
    if part not in Narrative.Part.values:
        raise ValueError(f"报告部分应为 {Narrative.Part.values} 之一,而不是 {part!r}")
    if isinstance(period, str):
        period = Period.get(period)
    text = clean(text).strip()
    # order by pk: the model's default ordering joins areas and tasks (outer joins), and
    # PostgreSQL cannot lock the nullable side of an outer join
    row = (Narrative.objects.select_for_update()
           .filter(plan=plan, period=period, part=part, area=area, task=task).order_by("pk").first())
    if row is not None and expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    if row is None:
        if not text:
            return None
        row = Narrative(plan=plan, period=period, part=part, area=area, task=task, text=text, updated_by=actor.user)
        row.full_clean()
        row.save()
        audit("narrative.create", row, actor=actor, new={"text": text}, reason=reason)
        return row
    if not text:
        audit("narrative.delete", row, actor=actor, old={"text": row.text}, reason=reason)
        row.delete()
        return None
    if text == row.text:
        return row
    old = row.text
    row.text, row.version, row.updated_by = text, row.version + 1, actor.user
    row.full_clean()
    row.save()
    audit("narrative.update", row, actor=actor, old={"text": old}, new={"text": text}, reason=reason)
    return row
