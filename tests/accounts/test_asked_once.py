"""asked_once(): the facts behind permission answers are read once per block, and only inside it."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planwatch.accounts import permissions as perm
from planwatch.plans.models import OrgUnit


def _edit_questions(world, user):
    """Every indicator × org unit of the plan, as a bulk import asks them."""
    return [perm.can_edit_value(user, ind, unit, world.plan)
            for ind in (world.revenue, world.housing_area) for unit in (world.district, world.street1, world.street2)]


@pytest.mark.parametrize("name", ["finance", "street1", "district_planner"])
def test_same_answers_and_no_repeated_queries_inside_the_block(world, name):
    user = world.users[name]
    user.membership  # noqa: B018 — the membership is loaded once per user object either way
    plain = _edit_questions(world, user)
    with CaptureQueriesContext(connection) as outside:
        _edit_questions(world, user)
    with perm.asked_once():
        with CaptureQueriesContext(connection) as first:
            inside = _edit_questions(world, user)
        with CaptureQueriesContext(connection) as again:
            _edit_questions(world, user)
    assert inside == plain
    assert len(again) == 0, [q["sql"] for q in again]
    assert len(first) < len(outside)


def test_task_questions_are_remembered_too(world):
    user = world.users["finance"]
    with perm.asked_once():
        answers = [perm.can_edit_task(user, t) for t in (world.task_finance, world.task_street1)]
        with CaptureQueriesContext(connection) as again:
            assert [perm.can_edit_task(user, t) for t in (world.task_finance, world.task_street1)] == answers
    assert answers == [True, False] and len(again) == 0


def test_nothing_is_remembered_outside_or_after_the_block(world):
    with perm.asked_once():
        before = perm.unit_and_below(world.district)
        assert isinstance(before, frozenset)  # shared inside the block, so it cannot be changed
        with perm.asked_once():  # nested blocks share the outer memory
            assert perm.unit_and_below(world.district) is before
    new = OrgUnit.objects.create(code="D1S3", name="三街道", level="subdistrict", parent=world.district)
    after = perm.unit_and_below(world.district)
    assert new.pk in after and new.pk not in before
    assert type(after) is set  # outside a block: a fresh set, as before
    after.add(-1)
    assert -1 not in perm.unit_and_below(world.district)
