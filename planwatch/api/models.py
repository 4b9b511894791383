"""API tokens: a script or a statistics bureau's system reads and writes with a token, not a password.

Only a SHA-256 digest of the token is stored, so a copy of the database does not give access;
the token itself is shown once, when ``planwatch manage create_token USER`` makes it.
"""

import copy
import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class TokenQuerySet(models.QuerySet):
    def issue(self, user, name: str = "") -> tuple["Token", str]:
        """A new token for ``user``: the row and the raw token (shown once, never stored)."""
        raw = "pw_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_digest=digest(raw), prefix=raw[:10])
        return token, raw

    def user_for(self, raw: str):
        """The active user a raw token belongs to, or None; records when it was last used.

        Every request asks this. The user is built by the ORM once and kept per process beside
        its database rows (token, user, membership) read by one plain SQL statement; while those
        rows read the same, the kept user is handed out again (a copy): no ORM query to compile,
        and a revoked token, a deactivated account or a changed role tells at once, since the
        rows differ.
        """
        if not raw:
            return None
        key = digest(raw)
        with connection.cursor() as cur:
            cur.execute(_fingerprint_sql(), [key, False])
            row = cur.fetchone()
        if row is None:
            _KEPT_USERS.pop(key, None)
            return None
        token_id, last_used, rows = row[0], _aware(row[1]), tuple(row[2:])
        held = _KEPT_USERS.get(key)
        if held is not None and held[0] == rows:
            user = copy.copy(held[1])
        else:
            # the membership comes along: the role check of every endpoint reads it
            token = self.select_related("user", "user__membership").filter(key_digest=key, revoked=False).first()
            if token is None:
                return None
            user = token.user
            if len(_KEPT_USERS) >= 1024:
                _KEPT_USERS.clear()
            _KEPT_USERS[key] = (rows, copy.copy(user))
        if not user.is_active:
            return None
        now = timezone.now()
        if last_used is None or (now - last_used).total_seconds() > 60:
            self.model.objects.filter(pk=token_id).update(last_used=now)
        return user


def _aware(value):
    """A timestamp read by plain SQL: SQLite gives it naive in UTC (or as text), PostgreSQL aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


# digest → (the rows the user was built from, the user): see TokenQuerySet.user_for
_KEPT_USERS: dict[str, tuple[tuple, object]] = {}
_SQL: dict[str, str] = {}


def _fingerprint_sql() -> str:
    """One statement: a live token's id and last use, then every column of the token (but its
    last use), of its user and of the user's membership (NULLs when it has none)."""
    sql = _SQL.get(connection.vendor)
    if sql is None:
        from django.contrib.auth import get_user_model

        from planwatch.accounts.models import Membership

        q = connection.ops.quote_name
        User = get_user_model()

        def columns(model, alias, skip=()):
            return [f"{alias}.{q(f.column)}" for f in model._meta.concrete_fields if f.name not in skip]

        selected = [f"t.{q('id')}", f"t.{q('last_used')}", *columns(Token, "t", skip=("last_used",)),
                    *columns(User, "u"), *columns(Membership, "m")]
        sql = (f"SELECT {', '.join(selected)} FROM {q(Token._meta.db_table)} t "
               f"JOIN {q(User._meta.db_table)} u ON u.{q(User._meta.pk.column)} = t.{q('user_id')} "
               f"LEFT JOIN {q(Membership._meta.db_table)} m ON m.{q(Membership._meta.get_field('user').column)} "
               f"= u.{q(User._meta.pk.column)} "
               f"WHERE t.{q('key_digest')} = %s AND t.{q('revoked')} = %s")
        _SQL[connection.vendor] = sql
    return sql


class Token(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    key_digest = models.CharField("摘要", max_length=64, unique=True)
    prefix = models.CharField("前缀", max_length=12, help_text="令牌开头几位,便于辨认")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} {self.prefix}…"
