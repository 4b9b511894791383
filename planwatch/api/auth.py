"""Who is calling: a script with ``Authorization: Bearer <token>``, or the browser's session.

Session calls that change data need Django's CSRF token (ninja's SessionAuth checks it), so a
page on another site cannot post values on a logged-in planner's behalf.
"""

from ninja.security import HttpBearer, django_auth

from planwatch.api.models import Token


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = Token.objects.user_for(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()
AUTH = [bearer, django_auth]
