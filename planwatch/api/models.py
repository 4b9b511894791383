"""API tokens: a script or a statistics bureau's system reads and writes with a token, not a password.

Only a SHA-256 digest of the token is stored, so a copy of the database does not give access;
the token itself is shown once, when ``planwatch manage create_token USER`` makes it.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class TokenQuerySet(models.QuerySet):
    def issue(self, user, name: str = "") -> tuple["Token", str]:
        """A new token for ``user``: the row and the raw token (shown once, never stored)."""
        raw = "pw_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, key_digest=digest(raw), prefix=raw[:10])
        return token, raw

    def user_for(self, raw: str):
        """The active user a raw token belongs to, or None; records when it was last used."""
        if not raw:
            return None
        # the membership comes along: the role check of every endpoint reads it
        token = self.select_related("user", "user__membership").filter(key_digest=digest(raw), revoked=False).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            type(token).objects.filter(pk=token.pk).update(last_used=now)
        return token.user


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
