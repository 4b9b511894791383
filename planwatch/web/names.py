"""Names of indicators and org units in the page's language.

Indicators and org units carry an optional English name (``name_en``, from the plan file); the
English UI shows it and falls back to the Chinese name where a plan gives none.  Key tasks,
departments and areas have Chinese names only (their text comes from the plan file).  The
engine's explanations are Chinese sentences meant for reports; the English UI shows the same
statement in English (``explain_en``) with the Chinese one as its tooltip.
"""
from __future__ import annotations

from django.utils.translation import get_language

from planwatch.plans.models import Indicator, OrgUnit


def english() -> bool:
    return (get_language() or "").lower().startswith("en")


def name_of(obj) -> str:
    """The name of an Indicator or OrgUnit (or anything with ``name``/``name_en``) to show."""
    if obj is None:
        return ""
    if english():
        return getattr(obj, "name_en", "") or obj.name
    return obj.name


def indicator_names(codes) -> dict[str, str]:
    """code → shown name, for indicators known only by code (the dashboard's cached rows)."""
    if not english():
        return {}
    return {code: en for code, en in Indicator.objects.filter(code__in=list(codes)).exclude(name_en="")
            .values_list("code", "name_en")}


def org_unit_names(codes) -> dict[str, str]:
    """code → shown name of org units (only the English names that exist; callers fall back)."""
    if not english():
        return {}
    return {code: en for code, en in OrgUnit.objects.filter(code__in=list(codes)).exclude(name_en="")
            .values_list("code", "name_en")}


def localize_overview(ov):
    """Show the dashboard's indicator names in the page's language (the cards and board rows are
    built fresh for each request, so renaming them here changes nothing cached)."""
    if not english():
        return ov
    codes = {c.code for c in ov.cards} | {i.code for items in ov.board.values() for i in items if i.kind == "indicator"}
    shown = indicator_names(codes)
    for c in ov.cards:
        c.name = shown.get(c.code, c.name)
    for items in ov.board.values():
        for i in items:
            if i.kind == "indicator":
                i.name = shown.get(i.code, i.name)
    return ov
