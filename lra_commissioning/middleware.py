"""Our own middleware: HEAD requests, idle sessions, no-store staff pages, the second factor."""

import time

from django.conf import settings
from django_otp import middleware as otp_middleware

from . import auth

SESSION_TOUCHED = "_touched"


class HeadAsGetMiddleware:
    """Answer HEAD exactly as GET, without the body.

    Uptime checks and link checkers use HEAD; our views take GET
    (`require_GET`), and a GET only reads, so a HEAD request runs the view as
    a GET. The headers are the GET's; the body is dropped by the server
    (gunicorn and runserver send none for HEAD) and by the test client.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            return self.get_response(request)
        finally:
            # What comes after (the server, the test client) sees a HEAD again.
            request.method = "HEAD"


class SessionIdleExpiryMiddleware:
    """Sessions end after SESSION_COOKIE_AGE idle seconds (30 minutes).

    Saving the session on every request would write to the database on every
    page. Instead a request moves the session's expiry on only when the last
    move was SESSION_TOUCH_SECONDS (a minute) ago or more, so a session ends
    between 29 and 30 idle minutes after the last request. Placed just after
    SessionMiddleware, which then saves the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and session.session_key:
            now = int(time.time())
            touched = session.get(SESSION_TOUCHED, 0)
            if not session.is_empty() and now - touched >= settings.SESSION_TOUCH_SECONDS:
                session[SESSION_TOUCHED] = now
        return response


class StaffPagesNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware (`request.user.otp_device`, `is_verified()`), the
    session's device taken from what this process keeps (`auth.cached_device`).

    django-otp reads the device from the database on every request: with two-factor
    sign-in on, that was a second query on every staff page (a kept page's one
    query is the pending-move question), and staff pages fell from about 0.53 to
    0.40 of a trivial view. The kept device follows the content generation, as
    the kept person does: a removed or replaced app counts at the next request.
    `_device_from_persistent_id` is django-otp's own hook for that lookup (private:
    the tests that count a staff page's device reads fail if an upgrade renames it).
    """

    def _device_from_persistent_id(self, persistent_id: str):
        return auth.cached_device(self._normalize_persistent_id(persistent_id))


class SecondFactorRequiredMiddleware:
    """With OTP_REQUIRED on, a session that has not passed the code step is not signed in.

    Sessions normally only start after the code (see two_factor.py); this
    catches any other way in (an old session from before the setting was on,
    a session started by another tool). Such a person is treated as a visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.OTP_REQUIRED:
            from django.contrib.auth.models import AnonymousUser
            from django.utils.functional import SimpleLazyObject

            user = request.user

            def effective_user():
                if user.is_authenticated and not user.is_verified():
                    visitor = AnonymousUser()
                    visitor.is_verified = lambda: False
                    return visitor
                return user

            request.user = SimpleLazyObject(effective_user)
        return self.get_response(request)
