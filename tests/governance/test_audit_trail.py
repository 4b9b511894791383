"""The audit trail is append-only in the app and, on PostgreSQL, in the database itself."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from planwatch.data.actions import Actor, record_value
from planwatch.data.admin import history_table
from planwatch.data.models import AuditEntry


def test_history_of_a_record_is_shown_escaped(world):
    v = record_value(world.revenue, world.district, "2021H1", value=1.0, reason="<script>alert(1)</script>")
    record_value(world.revenue, world.district, "2021H1", value=2.0, reason="第二次")
    html = history_table(v)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html.index("第二次") < html.index("&lt;script&gt;")  # newest first
    assert [e.action for e in AuditEntry.objects.for_object(v)] == ["value.update", "value.create"]


def test_deleting_a_user_keeps_their_entries(world):
    user = world.users["finance"]
    record_value(world.revenue, world.district, "2021H1", value=1.0, actor=Actor.of(user))
    user.delete()
    entry = AuditEntry.objects.get()
    assert entry.user is None and entry.actor == "finance"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only")
def test_database_refuses_to_rewrite_or_delete_entries(world):
    record_value(world.revenue, world.district, "2021H1", value=1.0)
    pk = AuditEntry.objects.get().pk
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE data_auditentry SET reason = 'rewritten' WHERE id = %s", [pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM data_auditentry WHERE id = %s", [pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE data_auditentry SET user_id = %s WHERE id = %s", [get_user_model().objects.first().pk, pk])
    assert AuditEntry.objects.get().reason == ""
