"""Edits made in the admin leave the same trail as edits made anywhere else."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from planwatch.data.models import AuditEntry
from planwatch.plans import demo
from planwatch.plans.models import Target, Task
from planwatch.plans.planfile import load_plan_file


@pytest.fixture
def admin_client(client, db):
    load_plan_file(demo.plan_file())
    user = get_user_model().objects.create_superuser("boss", "", "a-long-password-1")
    client.force_login(user)
    return client


def _form(obj, **changes):
    data = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name == "version":
            continue
        value = getattr(obj, field.attname)
        data[field.name] = "" if value is None else value
    for m2m in obj._meta.many_to_many:
        data[m2m.name] = [o.pk for o in getattr(obj, m2m.name).all()]
    data.update(changes)
    return data


def test_target_edit_goes_through_the_target_action(admin_client):
    target = Target.objects.get(indicator__code="revenue")
    response = admin_client.post(f"/admin/plans/target/{target.pk}/change/", _form(target, value=200.0))
    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert target.value == 200.0 and target.version == 2
    entry = AuditEntry.objects.get(action="target.update")
    assert (entry.old["value"], entry.new["value"], entry.actor) == (190.5, 200.0, "boss")


def test_task_edit_is_audited_and_versioned(admin_client):
    task = Task.objects.get(code="elderly-beds")
    response = admin_client.post(f"/admin/plans/task/{task.pk}/change/", _form(task, target_quantity=450))
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.target_quantity == 450 and task.version == 2
    entry = AuditEntry.objects.get(action="admin.update", model="plans.task")
    assert (entry.old["target_quantity"], entry.new["target_quantity"]) == (400.0, 450.0)


def test_target_delete_in_admin_is_audited(admin_client):
    target = Target.objects.get(indicator__code="pm25")
    response = admin_client.post(f"/admin/plans/target/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    assert AuditEntry.objects.filter(action="target.delete", object_id=str(target.pk)).exists()
