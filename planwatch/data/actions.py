"""The one path by which data changes: each action runs in a transaction and writes its audit row.

The web views, the API, the CLI and the importers call these functions instead of saving models
themselves, so a value typed into a form and a value read out of a report are checked,
versioned and audited the same way.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.forms.models import model_to_dict
from django.utils import timezone

from planwatch.data.models import (NOT_CURRENT, AuditEntry, DataValue, Document, Fact, Period, PeriodLock,
                                   ReportingDeadline, Source, Status, TaskProgress)
from planwatch.plans.models import Department, Indicator, OrgUnit, Plan, PlanIndicator, Target, Task


class StaleVersion(Exception):
    """An edit was based on a version that someone else has since replaced."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            f"{current} 已被他人修改(当前版本 {current.version}),请刷新后再改"
        )


class PeriodLocked(ValidationError):
    """A write into a period a planner has locked; it must be reopened (with a reason) first.

    A ValidationError, so a web form shows it as a form error and the API answers 422 with the
    message, without each caller having to know about locks.
    """

    def __init__(self, lock: PeriodLock):
        self.lock = lock
        super().__init__(
            f"{lock.plan.name} {lock.period.value.zh_name} 已锁定,不能修改;如需更正请由计划编制部门说明理由后重新开放",
            code="period_locked",
        )

    def __str__(self):
        return self.message


class InvalidTransition(ValidationError, ValueError):
    """A workflow step that does not apply to the record's current status (also a ValueError)."""

    def __init__(self, message: str):
        super().__init__(message, code="invalid_transition")

    def __str__(self):
        return self.message


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
    # ordered by pk: the default ordering joins period, indicator and org unit, and FOR UPDATE
    # would then lock those shared rows too, serialising writers of unrelated cells
    return (model.objects.select_for_update().exclude(status__in=[Status.PROPOSED, Status.REJECTED, Status.ACCEPTED])
            .filter(**cell).order_by("pk").first())


def _write_current(model, fields, cell: dict, numbers: dict, *, actor: Actor, reason: str, expected_version, action: str):
    """Create or update the current row of a cell; refuse an edit based on a stale version."""
    _refuse_if_locked(model, cell)
    _require_edit(actor, model, cell)
    if numbers.get("status") == Status.APPROVED:
        _require_approve(actor, model, cell)
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
    _refuse_reporter_edit_after_submit(actor, row)
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


# -- many figures at once (imports) -----------------------------------------------------------
#
# An import of 50,000 figures through record_value costs ~9 ms each: a plan query, a lock query,
# permission queries, a row lock, full_clean's foreign-key look-ups, a save and an audit insert
# per figure.  record_values applies the very same rules to every item, but asks the database
# once per distinct question (the plans of an indicator, the locks of a period, the permission
# on an indicator × org unit, the existence of a foreign key) and writes with bulk inserts.

_VALUE_ITEM_KEYS = {"indicator", "org_unit", "period", "value", "yoy_pct", "progress_pct", "decimals", "note",
                    "document", "fact", "expected_version"}
_TASK_ITEM_KEYS = {"task", "period", "quantity_done", "percent", "narrative", "note", "document", "fact",
                   "expected_version"}
_CHUNK = 500  # ids per IN list, well under every database's parameter limit


def _at_item(exc: BaseException, index: int) -> BaseException:
    """Mark which item a refusal belongs to, so an importer can point at the cell it came from."""
    exc.item_index = index
    return exc


def _chunks(ids, size: int = _CHUNK):
    ids = sorted(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _snapshot_plan(model, fields: list[str]) -> tuple:
    """The fields snapshot() keeps, in the order model_to_dict yields them: (names, getter of their values)."""
    opts = model._meta
    from itertools import chain

    chosen = [f for f in chain(opts.concrete_fields, opts.private_fields, opts.many_to_many)
              if getattr(f, "editable", False) and f.name in fields]
    getter = attrgetter(*[f.attname for f in chosen])  # what value_from_object reads for these concrete fields
    return [f.name for f in chosen], (getter if len(chosen) > 1 else (lambda obj: (getter(obj),)))


def _fast_snapshot(obj, plan: tuple) -> dict:
    """snapshot() without model_to_dict's per-call field walk; the same dict."""
    names, values_of = plan
    out = dict(zip(names, values_of(obj)))
    for k, v in out.items():
        if v is not None and type(v) not in _PLAIN_TYPES and not isinstance(v, _PLAIN):
            out[k] = str(v)
    return out


_PLAIN = (int, float, str, bool)
_PLAIN_TYPES = frozenset(_PLAIN)


class _RowMaker:
    """``model(**kwargs)`` through Django's positional constructor (the one from_db uses).

    The keyword constructor runs a descriptor per foreign key; here ids go straight into the
    field list and the related objects into the instance's cache, as assigning them would.
    An object of the wrong model takes the keyword path, which refuses it with Django's message.
    """

    def __init__(self, model, names: list[str]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.dynamic = [(i, f) for i, f in enumerate(self.fields) if f.has_default() and callable(f.default)]
        self.defaults = [f.get_default() for f in self.fields]
        self.varying = [f for f in self.fields if f.name in set(names)]
        self.attnames = [f.attname for f in self.fields]
        # name -> (position, field, related model for a relation)
        self.places = {f.name: (i, f, f.remote_field.model if f.is_relation else None) for i, f in enumerate(self.fields)}
        # model(*vals) is needed when receivers listen, or when a field's attribute has a setter
        # that does more than store the value (a file field); a foreign key id's setter only
        # drops a cached object, which a fresh instance does not have
        self.signalled = (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
                          or any(_special_setter(model, a) for a in self.attnames))

    def make(self, kwargs: dict):
        vals = list(self.defaults)
        for i, f in self.dynamic:
            vals[i] = f.get_default()
        cached = []
        places = self.places
        for name, v in kwargs.items():
            i, f, remote = places[name]
            if remote is not None and v is not None:
                if not isinstance(v, remote):
                    return self.model(**kwargs)
                vals[i] = v.pk
                cached.append((f, v))
            else:
                vals[i] = v
        row = self._new(vals)
        for f, v in cached:
            f.set_cached_value(row, v)
        return row

    def _new(self, vals: list):
        """``model(*vals)``: without pre_init/post_init receivers that constructor only sets each
        attname on a fresh instance with a fresh ModelState, which is done here directly."""
        model = self.model
        if self.signalled:
            return model(*vals)
        row = model.__new__(model)
        row._state = ModelState()
        row.__dict__.update(zip(self.attnames, vals))
        return row


def _special_setter(model, attname: str) -> bool:
    descriptor = inspect.getattr_static(model, attname, None)
    return hasattr(type(descriptor), "__set__") and not isinstance(descriptor, ForeignKeyDeferredAttribute)


class _RowCleaner:
    """full_clean(validate_unique=False, validate_constraints=False) plus the model's check constraints.

    Field cleaning is a function of the raw value (a foreign key's check is whether the id
    exists), so each distinct value of a field is cleaned once.  The check constraints, which
    the single path leaves to the database, are tested in Python so a violation names its item
    instead of failing a whole bulk insert.
    """

    def __init__(self, model):
        self.model = model
        self.fields = [f for f in model._meta.fields if not getattr(f, "generated", False)]
        self.cache: dict[tuple, tuple[bool, Any]] = {}
        self.checks = [c for c in model._meta.constraints if c.name in _ROW_CHECKS]
        self._plans: dict[int, tuple[list, list]] = {}  # by id() of the field list, which it keeps
        self._all = [self._step(f) for f in self.fields]

    def clean(self, row, only: list | None = None) -> None:
        """Clean every field, or ``only`` those (when the others hold defaults already cleaned)."""
        errors = {}
        values = row.__dict__  # what getattr gives for a concrete field that is loaded
        cache = self.cache
        for f, attname, blank, empty, direct in (self._plan(only) if only else self._all):
            raw = values[attname] if attname in values else getattr(row, attname)
            if blank and raw in empty:
                continue
            try:
                key = (attname, type(raw), raw)
                hit = cache.get(key)
            except TypeError:  # unhashable
                key = hit = None
            if hit is None:
                try:
                    hit = (True, f.clean(raw, row))
                except ValidationError as e:
                    hit = (False, e.error_list)
                if key is not None:
                    cache[key] = hit
            ok, result = hit
            if ok:
                if result is not raw:  # setting the very same object changes nothing
                    if direct:
                        values[attname] = result
                    else:
                        setattr(row, attname, result)
            else:
                errors[f.name] = result
        if errors:
            raise ValidationError(errors)
        for c in self.checks:
            if not _ROW_CHECKS[c.name](row):
                raise ValidationError(c.get_violation_error_message(), code=c.violation_error_code)

    def _plan(self, fields: list) -> list[tuple]:
        known = self._plans.get(id(fields))
        if known is None or known[0] is not fields:
            known = self._plans[id(fields)] = (fields, [self._step(f) for f in fields])
        return known[1]

    def _step(self, f) -> tuple:
        """(field, attname, blank, empty values, whether the attribute is a plain instance attribute)."""
        descriptor = inspect.getattr_static(self.model, f.attname, None)
        return (f, f.attname, f.blank, f.empty_values, not hasattr(type(descriptor), "__set__"))

    def know_existing(self, model_fields: list, rows_values: dict[str, set]) -> None:
        """Ask once per foreign key field which of the ids about to be cleaned exist.

        ForeignKey.clean of an int id is the id itself when the row exists (to_python of an
        integer key, then an exists() query), so each existing id is entered in the cache as
        cleaned; a missing id is left for clean() to refuse with Django's own message.
        """
        for f in model_fields:
            ids = {v for v in rows_values.get(f.attname, ()) if type(v) is int}
            target = getattr(f, "target_field", None)
            if (not ids or not f.many_to_one or f.validators or f.get_limit_choices_to() or settings.DATABASE_ROUTERS
                    or not isinstance(target, (models.AutoField, models.BigAutoField, models.IntegerField))):
                continue
            remote = f.remote_field
            name = remote.field_name
            found = set()
            for chunk in _chunks(ids):
                found.update(remote.model._base_manager.using(router.db_for_read(remote.model))
                             .filter(**{f"{name}__in": chunk}).values_list(name, flat=True))
            for v in ids & found:
                self.cache[(f.attname, int, v)] = (True, v)


# The model check constraints, as Python predicates (tests/data/test_bulk.py checks that every
# CheckConstraint of DataValue and TaskProgress has one here).
_ROW_CHECKS = {
    "value_says_something": lambda r: r.value is not None or r.yoy_pct is not None or r.progress_pct is not None,
    "progress_quantity_not_negative": lambda r: r.quantity_done is None or r.quantity_done >= 0,
}


def _value_plans(cells: list[dict]) -> dict[tuple[int, int], list[Plan]]:
    """plans_of_value_cell for every distinct indicator × org unit, in one query per chunk of indicators."""
    from planwatch.accounts.permissions import unit_and_above

    ind_ids = {c["indicator"].pk for c in cells}
    plan_ids_of: dict[int, set[int]] = {}
    for chunk in _chunks(ind_ids):
        for ind_id, plan_id in PlanIndicator.objects.filter(indicator_id__in=chunk).values_list("indicator_id", "plan_id"):
            plan_ids_of.setdefault(ind_id, set()).add(plan_id)
    plans = Plan.objects.in_bulk({p for ids in plan_ids_of.values() for p in ids})
    order = {pk: i for i, pk in enumerate(Plan.objects.filter(pk__in=list(plans)).values_list("pk", flat=True))}
    above: dict[int, set[int]] = {}
    out: dict[tuple[int, int], list[Plan]] = {}
    ids_of = {ind_id: tuple(sorted(ids)) for ind_id, ids in plan_ids_of.items()}
    shared: dict[tuple, list[Plan]] = {}  # indicators measured by the same plans share the answer per unit
    for c in cells:
        ind, unit = c["indicator"], c["org_unit"]
        key = (ind.pk, unit.pk)
        if key in out:
            continue
        if unit.pk not in above:
            above[unit.pk] = unit_and_above(unit)
        candidates = ids_of.get(ind.pk, ())
        answer = shared.get((candidates, unit.pk))
        if answer is None:
            ids = [p for p in candidates if plans[p].org_unit_id in above[unit.pk]]
            answer = shared[(candidates, unit.pk)] = [plans[p] for p in sorted(ids, key=order.__getitem__)]
        out[key] = answer  # read only
    return out


def _task_plans(cells: list[dict]) -> dict[int, list[Plan]]:
    plans = Plan.objects.in_bulk({c["task"].plan_id for c in cells})
    return {c["task"].pk: [plans[c["task"].plan_id]] for c in cells}


def _current_rows(model, cells: list[dict], period_ids: set[int]) -> dict[tuple, Any]:
    """The current row of every cell, locked for update: per period, chunked IN lists."""
    found = {}
    base = model.objects.select_for_update().exclude(status__in=NOT_CURRENT).order_by()  # no joins: lock only these rows
    for period_id in sorted(period_ids):
        mine = [c for c in cells if c["period"].pk == period_id]
        if model is TaskProgress:
            for chunk in _chunks({c["task"].pk for c in mine}):
                for row in base.filter(period_id=period_id, task_id__in=chunk):
                    found[(row.task_id, row.period_id)] = row
            continue
        units = {c["org_unit"].pk for c in mine}
        for ind_chunk in _chunks({c["indicator"].pk for c in mine}):
            for unit_chunk in _chunks(units):
                for row in base.filter(period_id=period_id, indicator_id__in=ind_chunk, org_unit_id__in=unit_chunk):
                    found[(row.indicator_id, row.org_unit_id, row.period_id)] = row
    return found


def _related_ids(work: list[tuple[dict, dict, Any]], relations: list, actor: Actor) -> dict[str, set]:
    """attname -> ids of the model objects the items name for these foreign keys (what they will be cleaned with)."""
    names = {f.name for f in relations}
    cell_names = [n for n in work[0][0] if n in names]
    number_names = [n for n in work[0][1] if n in names]
    objects: dict[str, dict[int, Any]] = {n: {} for n in cell_names + number_names}
    for cell, numbers, _ in work:
        for n in cell_names:
            v = cell[n]
            objects[n][id(v)] = v
        for n in number_names:
            v = numbers.get(n)
            if v is not None:
                objects[n][id(v)] = v
    ids = {f"{n}_id": {v.pk for v in found.values() if isinstance(v, models.Model)} for n, found in objects.items()}
    if actor.user is not None:
        ids.setdefault("created_by_id", set()).add(actor.user.pk)
        ids.setdefault("updated_by_id", set()).add(actor.user.pk)
    return ids


def _cell_key(model, cell: dict) -> tuple:
    if model is TaskProgress:
        return (cell["task"].pk, cell["period"].pk)
    return (cell["indicator"].pk, cell["org_unit"].pk, cell["period"].pk)


def _write_many(model, fields, action: str, work: list[tuple[dict, dict, Any]], *, actor: Actor, reason: str,
                status) -> list:
    """_write_current for many cells: the same checks in the same order per item, bulk writes at the end.

    A refusal is raised as the single path raises it (same type, same message) with
    ``item_index`` set to the position of the item it concerns; nothing is written then.
    The permission rules are asked per item, their org-unit and responsibility facts once.
    """
    from planwatch.accounts.permissions import asked_once

    with asked_once():
        return _write_many_now(model, fields, action, work, actor=actor, reason=reason, status=status)


def _write_many_now(model, fields, action: str, work: list[tuple[dict, dict, Any]], *, actor: Actor, reason: str,
                    status) -> list:
    cells = [cell for cell, _, _ in work]
    keys = [_cell_key(model, c) for c in cells]
    seen: dict[tuple, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            raise _at_item(ValueError(f"第 {i + 1} 项与第 {seen[k] + 1} 项是同一单元格,一次写入中只能出现一次"), i)
        seen[k] = i
    plans_of = _task_plans(cells) if model is TaskProgress else _value_plans(cells)
    task_model = model is TaskProgress
    period_ids = {c["period"].pk for c in cells}
    plan_ids = {p.pk for ps in plans_of.values() for p in ps}
    locked = set(PeriodLock.objects.filter(plan_id__in=plan_ids, period_id__in=period_ids, locked=True)
                 .values_list("plan_id", "period_id")) if plan_ids else set()
    current = _current_rows(model, cells, period_ids)
    cleaner = _RowCleaner(model)
    maker = _RowMaker(model, list(cells[0]) + list(work[0][1]) + ["created_by", "updated_by"])
    relations = [f for f in maker.varying if f.is_relation]
    cleaner.know_existing(relations, _related_ids(work, relations, actor))
    snap = _snapshot_plan(model, fields)
    now = timezone.now()
    checked: set = set()
    creates, updates, results = [], [], []
    for i, ((cell, numbers, expected_version), key) in enumerate(zip(work, keys)):
        try:
            pk_ = key[0] if task_model else key[:2]  # the task, or the indicator × org unit
            plans = plans_of[pk_]
            if locked and any((p.pk, cell["period"].pk) in locked for p in plans):
                _refuse_if_locked(model, cell)  # raises the single path's PeriodLocked
            if pk_ not in checked:
                _require_edit(actor, model, cell, plans)
                if status == Status.APPROVED:
                    _require_approve(actor, model, cell, plans)
                checked.add(pk_)
            row = current.get(key)
            if row is None:
                if expected_version not in (None, 0):
                    raise model.DoesNotExist(f"no current value for {cell}")
                row = maker.make({**cell, **numbers, "created_by": actor.user, "updated_by": actor.user})
                cleaner.clean(row, only=maker.varying if creates else None)
                creates.append(row)
                results.append((row, None))
                continue
            for k, v in cell.items():  # the objects in hand, so str(row) costs no query
                setattr(row, k, v)
            if expected_version is not None and expected_version != row.version:
                raise StaleVersion(row)
            _refuse_reporter_edit_after_submit(actor, row)
            old = _fast_snapshot(row, snap)
            for k, v in numbers.items():
                setattr(row, k, v)
            new = _fast_snapshot(row, snap)
            new["version"] = old["version"]
            if new == old:
                results.append((row, False))
                continue
            row.version += 1
            row.updated_by = actor.user
            row.updated_at = now
            cleaner.clean(row)
            updates.append(row)
            results.append((row, old))
        except Exception as exc:
            raise _at_item(exc, i)
    if creates:
        for row in creates:
            row.created_at = row.updated_at = now  # what save() and bulk_create() stamp
        _insert(model, [f for f in model._meta.concrete_fields if not f.primary_key], creates)
        _read_back_ids(model, creates)
    if updates:
        changed = list(dict.fromkeys(list(work[0][1]) + ["version", "updated_by", "updated_at"]))
        model.objects.bulk_update(updates, changed, batch_size=_CHUNK)
    label, user_id, reason = model._meta.label_lower, getattr(actor.user, "pk", None), reason[:500]
    verbs = {True: f"{action}.create", False: f"{action}.update"}
    entries = [(now, user_id, actor.name, verbs[old is None], label, str(row.pk), str(row)[:300], old,
                _fast_snapshot(row, snap), reason)
               for row, old in results if old is not False]
    _insert(AuditEntry, [AuditEntry._meta.get_field(n) for n in _AUDIT_COLUMNS], entries, tuples=True)
    return [row for row, _ in results]


_AUDIT_COLUMNS = ["at", "user", "actor", "action", "model", "object_id", "object_repr", "old", "new", "reason"]
_PASS_THROUGH = (models.FloatField, models.IntegerField, models.CharField, models.TextField)


def _prep(field, connection):
    """The database form of a cleaned value; plain numbers, text and ids go as they are."""
    if isinstance(field, _PASS_THROUGH) or (field.is_relation and isinstance(field.target_field, models.AutoField)):
        return None
    if isinstance(field, models.DateTimeField):
        cache = {}

        def prep_time(v):
            if v not in cache:
                cache[v] = field.get_db_prep_save(v, connection=connection)
            return cache[v]

        return prep_time
    return lambda v: field.get_db_prep_save(v, connection=connection)


def _insert(model, fields: list, rows: list, *, tuples: bool = False) -> None:
    """bulk_create's INSERT without the ORM assembling SQL per value: one statement, executemany.

    ``rows`` are model instances (cleaned, auto_now fields stamped) or, with ``tuples``, plain
    tuples in the order of ``fields``.  Ids are not returned (see _read_back_ids).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    preps = [(i, p) for i, p in enumerate(_prep(f, connection) for f in fields) if p is not None]
    if not tuples:
        values_of = attrgetter(*[f.attname for f in fields])
        rows = [values_of(r) for r in rows] if len(fields) > 1 else [(values_of(r),) for r in rows]
    if preps:
        def prepared(r):
            r = list(r)
            for i, p in preps:
                if r[i] is not None:
                    r[i] = p(r[i])
            return r

        rows = [prepared(r) for r in rows]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i:i + 5000])


def _read_back_ids(model, rows: list) -> None:
    """Give freshly inserted current rows their ids: one current row per cell, so the cell finds it."""
    key_cols = ("task_id", "period_id") if model is TaskProgress else ("indicator_id", "org_unit_id", "period_id")
    key_of = attrgetter(*key_cols)
    by_key = {key_of(r): r for r in rows}  # the cell's ids, as _cell_key gives them
    for period_id in sorted({k[-1] for k in by_key}):
        mine = [k for k in by_key if k[-1] == period_id]
        base = model.objects.exclude(status__in=NOT_CURRENT).filter(period_id=period_id)
        if model is TaskProgress:
            queries = [base.filter(task_id__in=chunk) for chunk in _chunks({k[0] for k in mine})]
        else:
            units = {k[1] for k in mine}
            queries = [base.filter(indicator_id__in=ic, org_unit_id__in=uc)
                       for ic in _chunks({k[0] for k in mine}) for uc in _chunks(units)]
        for q in queries:
            db = q.db
            for *key, pk in q.values_list(*key_cols, "pk"):
                row = by_key.get(tuple(key))
                if row is not None:
                    row.pk = pk
                    row._state.adding, row._state.db = False, db
    missing = [r for r in rows if r.pk is None]
    if missing:
        raise RuntimeError(f"{len(missing)} inserted rows not found again, e.g. {missing[0]}")


def _items(items, allowed: set[str], what: str) -> list[dict]:
    out = []
    for i, item in enumerate(items):
        unknown = set(item) - allowed
        if unknown:
            raise _at_item(TypeError(f"{what}第 {i + 1} 项有未知字段:{', '.join(sorted(unknown))}"), i)
        out.append(item)
    return out


def _period_getter():
    cache: dict[str, Period] = {}

    def get(period):
        if isinstance(period, str):
            if period not in cache:
                cache[period] = Period.get(period)
            return cache[period]
        return period

    return get


@transaction.atomic
def record_values(items, *, actor: Actor = SYSTEM, source=Source.ENTERED, status=Status.DRAFT,
                  reason: str = "") -> list[DataValue]:
    """record_value for many figures in one transaction: the same checks, refusals and audit rows.

    Each item is a mapping with ``indicator``, ``org_unit``, ``period`` (a Period or its code) and
    any of record_value's ``value``, ``yoy_pct``, ``progress_pct``, ``decimals``, ``note``,
    ``document``, ``fact``, ``expected_version``.  All items are written or none: the first
    refused item raises what record_value would raise for it, with ``item_index`` set.
    A cell may appear only once.  Returns the current rows in item order.
    """
    period_of = _period_getter()
    work = []
    for item in _items(items, _VALUE_ITEM_KEYS, "指标数据"):
        cell = {"indicator": item["indicator"], "org_unit": item["org_unit"], "period": period_of(item["period"])}
        numbers = {"value": item.get("value"), "yoy_pct": item.get("yoy_pct"), "progress_pct": item.get("progress_pct"),
                   "decimals": item.get("decimals"), "source": source, "status": status, "note": item.get("note", ""),
                   "document": item.get("document"), "fact": item.get("fact")}
        work.append((cell, numbers, item.get("expected_version")))
    if not work:
        return []
    return _write_many(DataValue, VALUE_FIELDS, "value", work, actor=actor, reason=reason, status=status)


@transaction.atomic
def record_task_progresses(items, *, actor: Actor = SYSTEM, source=Source.ENTERED, status=Status.DRAFT,
                           reason: str = "") -> list[TaskProgress]:
    """record_task_progress for many tasks in one transaction (see record_values).

    Each item is a mapping with ``task``, ``period`` and any of ``quantity_done``, ``percent``,
    ``narrative``, ``note``, ``document``, ``fact``, ``expected_version``.
    """
    period_of = _period_getter()
    work = []
    for item in _items(items, _TASK_ITEM_KEYS, "任务进展"):
        cell = {"task": item["task"], "period": period_of(item["period"])}
        numbers = {"quantity_done": item.get("quantity_done"), "percent": item.get("percent"),
                   "narrative": item.get("narrative", ""), "source": source, "status": status,
                   "note": item.get("note", ""), "document": item.get("document"), "fact": item.get("fact")}
        work.append((cell, numbers, item.get("expected_version")))
    if not work:
        return []
    return _write_many(TaskProgress, PROGRESS_FIELDS, "progress", work, actor=actor, reason=reason, status=status)


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


# -- which plans a record belongs to ----------------------------------------------------------

def plans_of_value_cell(indicator, org_unit) -> list[Plan]:
    """The plans that measure this indicator and cover this org unit (a district plan covers its 街道)."""
    from planwatch.accounts.permissions import unit_and_above

    return list(Plan.objects.filter(plan_indicators__indicator=indicator,
                                    org_unit_id__in=unit_and_above(org_unit)).distinct())


def _plans_of(model, cell: dict) -> list[Plan]:
    if model is TaskProgress:
        return [cell["task"].plan]
    return plans_of_value_cell(cell["indicator"], cell["org_unit"])


def _cell_of(row) -> dict:
    if isinstance(row, TaskProgress):
        return {"task": row.task, "period": row.period}
    return {"indicator": row.indicator, "org_unit": row.org_unit, "period": row.period}


# -- locks ------------------------------------------------------------------------------------

def _refuse_if_locked(model, cell: dict) -> None:
    plans = _plans_of(model, cell)
    lock = PeriodLock.objects.filter(plan__in=plans, period=cell["period"], locked=True).select_related("plan", "period").first()
    if lock is not None:
        raise PeriodLocked(lock)


def is_locked(plan: Plan, period: Period | str) -> bool:
    if isinstance(period, str):
        period = Period.get(period)
    return PeriodLock.objects.filter(plan=plan, period=period, locked=True).exists()


def _refuse_if_plan_year_locked(plan: Plan) -> None:
    lock = PeriodLock.objects.filter(plan=plan, period__code=str(plan.year), locked=True).select_related("plan", "period").first()
    if lock is not None:
        raise PeriodLocked(lock)


@transaction.atomic
def lock_period(plan: Plan, period: Period | str, *, actor: Actor = SYSTEM, reason: str = "") -> PeriodLock:
    """Seal a period of a plan: from now on its values and progress are refused until reopened."""
    if isinstance(period, str):
        period = Period.get(period)
    _require_lock(actor, plan)
    lock = PeriodLock.objects.select_for_update().filter(plan=plan, period=period).first()
    if lock is not None and lock.locked:
        return lock
    was = None if lock is None else False
    if lock is None:
        lock = PeriodLock(plan=plan, period=period)
    lock.locked, lock.changed_by, lock.reason = True, actor.user, reason[:500]
    lock.save()
    audit("period.lock", lock, actor=actor, old=None if was is None else {"locked": was}, new={"locked": True},
          reason=reason)
    return lock


@transaction.atomic
def reopen_period(plan: Plan, period: Period | str, *, actor: Actor = SYSTEM, reason: str) -> PeriodLock:
    """Open a locked period again; the reason is required and goes into the audit trail."""
    if isinstance(period, str):
        period = Period.get(period)
    if not (reason or "").strip():
        raise ValueError("重新开放已锁定的报告期必须说明理由")
    _require_lock(actor, plan)
    lock = PeriodLock.objects.select_for_update().filter(plan=plan, period=period, locked=True).first()
    if lock is None:
        raise InvalidTransition(f"{plan.name} {period.value.zh_name} 未锁定,无需重新开放")
    lock.locked, lock.changed_by, lock.reason = False, actor.user, reason[:500]
    lock.save()
    audit("period.reopen", lock, actor=actor, old={"locked": True}, new={"locked": False}, reason=reason)
    return lock


# -- permissions inside the actions (defence in depth: views check first) ---------------------

def _require_edit(actor: Actor, model, cell: dict, plans: list[Plan] | None = None) -> None:
    """A signed-in user may only write what its role allows; CLI and system actors are trusted.

    ``plans`` may be passed when the caller already knows the cell's plans (the bulk path).
    """
    if actor.user is None:
        return
    from planwatch.accounts import permissions as perm

    plans = _plans_of(model, cell) if plans is None else plans
    if model is TaskProgress:
        allowed = perm.can_edit_task(actor.user, cell["task"])
    elif plans:
        allowed = any(perm.can_edit_value(actor.user, cell["indicator"], cell["org_unit"], p) for p in plans)
    else:  # a value outside every plan: only the planning office and administrators
        allowed = perm.role_of(actor.user) == perm.ADMIN or (
            perm.role_of(actor.user) == perm.PLANNER and perm.membership_of(actor.user).org_unit_id is None)
    if not allowed:
        raise PermissionDenied(f"{actor.name} 无权填报该数据")


def _refuse_reporter_edit_after_submit(actor: Actor, row) -> None:
    """Once handed in, a reporter's figure changes only after the planning office returns it."""
    if actor.user is None or row.status not in (Status.SUBMITTED, Status.APPROVED):
        return
    from planwatch.accounts import permissions as perm

    if perm.role_of(actor.user) in perm.REPORTERS:
        raise InvalidTransition(f"{row}:{row.get_status_display()},须经退回后才能修改")


def _require_approve(actor: Actor, model, cell: dict, plans: list[Plan] | None = None) -> None:
    if actor.user is None:
        return
    from planwatch.accounts import permissions as perm

    plans = _plans_of(model, cell) if plans is None else plans
    allowed = any(perm.can_approve(actor.user, p) for p in plans) if plans else perm.role_of(actor.user) == perm.ADMIN
    if not allowed:
        raise PermissionDenied(f"{actor.name} 无权审核该数据")


def _require_lock(actor: Actor, plan: Plan) -> None:
    if actor.user is None:
        return
    from planwatch.accounts import permissions as perm

    if not perm.can_lock(actor.user, plan):
        raise PermissionDenied(f"{actor.name} 无权锁定或重新开放 {plan.name} 的报告期")


def _require_manage(actor: Actor, plan: Plan) -> None:
    if actor.user is None:
        return
    from planwatch.accounts import permissions as perm

    if not perm.can_manage_plan(actor.user, plan):
        raise PermissionDenied(f"{actor.name} 无权修改 {plan.name}")


# -- workflow: draft → submitted → approved, or back to the reporter -------------------------

def _fields_of(row) -> list[str]:
    return PROGRESS_FIELDS if isinstance(row, TaskProgress) else VALUE_FIELDS


def _prefix(row) -> str:
    return "progress" if isinstance(row, TaskProgress) else "value"


def _move(row, to: str, allowed_from: set[str], *, actor: Actor, expected_version, reason: str, check, step: str,
          **stamps):
    """One workflow step: fresh row under lock, version and period checks, status change, audit."""
    model = type(row)
    row = model.objects.select_for_update().get(pk=row.pk)
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    cell = _cell_of(row)
    _refuse_if_locked(model, cell)
    check(actor, model, cell)
    if row.status not in allowed_from:
        names = "、".join(Status(s).label for s in sorted(allowed_from))
        raise InvalidTransition(f"{row} 当前状态为「{row.get_status_display()}」,只有「{names}」的数据可以{step}")
    fields = _fields_of(row) + ["review_comment"]
    old = snapshot(row, fields)
    row.status = to
    for k, v in stamps.items():
        setattr(row, k, v)
    row.version += 1
    row.updated_by = actor.user
    row.save()
    audit(f"{_prefix(row)}.{to}", row, actor=actor, old=old, new=snapshot(row, fields), reason=reason)
    return row


@transaction.atomic
def submit(row: DataValue | TaskProgress, *, actor: Actor = SYSTEM, expected_version: int | None = None,
           reason: str = ""):
    """The reporter hands a draft (or a returned record) to the planning office."""
    return _move(row, Status.SUBMITTED, {Status.DRAFT, Status.RETURNED}, actor=actor,
                 expected_version=expected_version, reason=reason, check=_require_edit, step="报送",
                 submitted_by=actor.user, submitted_at=timezone.now(), review_comment="")


@transaction.atomic
def approve(row: DataValue | TaskProgress, *, actor: Actor = SYSTEM, expected_version: int | None = None,
            reason: str = ""):
    """The planning office accepts a submitted figure as official."""
    return _move(row, Status.APPROVED, {Status.SUBMITTED}, actor=actor, expected_version=expected_version,
                 reason=reason, check=_require_approve, step="审核通过",
                 reviewed_by=actor.user, reviewed_at=timezone.now())


@transaction.atomic
def return_to_reporter(row: DataValue | TaskProgress, *, actor: Actor = SYSTEM, comment: str,
                       expected_version: int | None = None):
    """Send a submitted (or approved) figure back to its reporter with a comment saying what to fix."""
    if not (comment or "").strip():
        raise ValueError("退回时必须填写审核意见")
    return _move(row, Status.RETURNED, {Status.SUBMITTED, Status.APPROVED}, actor=actor,
                 expected_version=expected_version, reason=comment, check=_require_approve, step="退回",
                 reviewed_by=actor.user, reviewed_at=timezone.now(), review_comment=comment[:500])


@transaction.atomic
def delete_record(row: DataValue | TaskProgress, *, actor: Actor = SYSTEM, reason: str,
                  expected_version: int | None = None) -> None:
    """Remove a value or progress record; its last state stays in the audit trail."""
    if not (reason or "").strip():
        raise ValueError("删除数据必须说明理由")
    model = type(row)
    row = model.objects.select_for_update().get(pk=row.pk)
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    cell = _cell_of(row)
    _refuse_if_locked(model, cell)
    _require_edit(actor, model, cell)
    old = snapshot(row, _fields_of(row))
    pk, text = row.pk, str(row)
    row.delete()
    row.pk = pk
    AuditEntry.objects.create(user=actor.user, actor=actor.name, action=f"{_prefix(row)}.delete",
                              model=model._meta.label_lower, object_id=str(pk), object_repr=text[:300],
                              old=old, new=None, reason=reason[:500])


# -- targets ----------------------------------------------------------------------------------

TARGET_FIELDS = ["value", "growth_pct", "note", "version"]
_UNSET = object()


@transaction.atomic
def set_target(plan: Plan, indicator: Indicator, org_unit: OrgUnit, *, value=_UNSET, growth_pct=_UNSET,
               note=_UNSET, actor: Actor = SYSTEM, reason: str = "", expected_version: int | None = None) -> Target:
    """Create or change a target (planning office only), with the same version check as values."""
    _require_manage(actor, plan)
    _refuse_if_plan_year_locked(plan)
    changes = {k: v for k, v in {"value": value, "growth_pct": growth_pct, "note": note}.items() if v is not _UNSET}
    row = Target.objects.select_for_update().filter(plan=plan, indicator=indicator, org_unit=org_unit).order_by("pk").first()
    if row is None:
        if expected_version not in (None, 0):
            raise Target.DoesNotExist(f"{plan.code} 没有 {indicator.name} {org_unit.name} 的目标")
        row = Target(plan=plan, indicator=indicator, org_unit=org_unit, **changes)
        row.full_clean(validate_unique=False, validate_constraints=False)
        row.save()
        audit("target.create", row, actor=actor, new=snapshot(row, TARGET_FIELDS), reason=reason)
        return row
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    old = snapshot(row, TARGET_FIELDS)
    for k, v in changes.items():
        setattr(row, k, v)
    new = snapshot(row, TARGET_FIELDS)
    if new == old:
        return row
    row.version += 1
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    audit("target.update", row, actor=actor, old=old, new=snapshot(row, TARGET_FIELDS), reason=reason)
    return row


@transaction.atomic
def delete_target(target: Target, *, actor: Actor = SYSTEM, reason: str, expected_version: int | None = None) -> None:
    if not (reason or "").strip():
        raise ValueError("删除目标必须说明理由")
    row = Target.objects.select_for_update().get(pk=target.pk)
    _require_manage(actor, row.plan)
    _refuse_if_plan_year_locked(row.plan)
    if expected_version is not None and expected_version != row.version:
        raise StaleVersion(row)
    old, pk, text = snapshot(row, TARGET_FIELDS), row.pk, str(row)
    row.delete()
    AuditEntry.objects.create(user=actor.user, actor=actor.name, action="target.delete", model="plans.target",
                              object_id=str(pk), object_repr=text[:300], old=old, new=None, reason=reason[:500])


# -- reporting calendar -----------------------------------------------------------------------

@transaction.atomic
def set_deadline(plan: Plan, period: Period | str, due, *, department: Department | None = None,
                 org_unit: OrgUnit | None = None, actor: Actor = SYSTEM, reason: str = "") -> ReportingDeadline:
    """When one department or one org unit owes its figures for a period of a plan."""
    if isinstance(period, str):
        period = Period.get(period)
    if (department is None) == (org_unit is None):
        raise ValueError("报送期限须且只须指定一个责任部门或一个报送单位")
    _require_manage(actor, plan)
    row = ReportingDeadline.objects.select_for_update().filter(
        plan=plan, period=period, department=department, org_unit=org_unit).first()
    if row is None:
        row = ReportingDeadline.objects.create(plan=plan, period=period, department=department, org_unit=org_unit, due=due)
        audit("deadline.create", row, actor=actor, new={"due": str(due)}, reason=reason)
        return row
    if row.due != due:
        old = {"due": str(row.due)}
        row.due = due
        row.save()
        audit("deadline.update", row, actor=actor, old=old, new={"due": str(due)}, reason=reason)
    return row
