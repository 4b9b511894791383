"""Login throttling that only counts logins over HTTP.

django-axes refuses to authenticate without a request, but scripts (the CLI, management
commands, the test client's ``login()``) authenticate without one and are not exposed to
password guessing from the network.  This backend lets those through to the next backend and
applies axes' lockout to every real web login (the login page, the admin, the API).
"""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
