"""The bulk path's row maker builds the instance Django's positional constructor would.

(make() always built rows positionally, as from_db does, with the related objects in hand put in
the cache; these tests hold the direct construction to that constructor.)"""
from __future__ import annotations

from django.db.models import signals

from planwatch.data import actions
from planwatch.data.models import DataValue, Status, TaskProgress
from tests.governance.world import make_world


def _state(row) -> dict:
    d = {k: v for k, v in row.__dict__.items() if k != "_state"}
    return {"attrs": d, "adding": row._state.adding, "db": row._state.db,
            "cached": dict(row._state.fields_cache)}


def test_row_maker_builds_what_the_constructor_builds(db):
    w = make_world()
    period = actions._period_getter()("2021H1")
    kwargs = {"indicator": w.revenue, "org_unit": w.street1, "period": period, "value": 1.5, "yoy_pct": None,
              "progress_pct": 2.0, "decimals": 1, "source": "imported", "status": Status.SUBMITTED, "note": "说明",
              "document": None, "fact": None, "created_by": w.users["finance"], "updated_by": w.users["finance"]}
    task_kwargs = {"task": w.task_finance, "period": period, "quantity_done": 3.0, "narrative": "过半"}
    for model, given in ((DataValue, kwargs), (TaskProgress, task_kwargs)):
        maker = actions._RowMaker(model, list(given))
        assert not maker.signalled
        fast = maker.make(dict(given))
        maker.signalled = True  # what make() does with a receiver connected: model(*vals)
        slow = maker.make(dict(given))
        assert _state(fast) == _state(slow)
        assert str(fast) == str(slow)
    assert fast.task is w.task_finance and fast.period_id == period.pk


def test_row_maker_uses_the_constructor_when_someone_listens(db):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=DataValue)
    try:
        maker = actions._RowMaker(DataValue, ["value"])
        row = maker.make({"value": 2.5})
    finally:
        signals.post_init.disconnect(receiver, sender=DataValue)
    assert maker.signalled and seen == [row]
