"""View helpers that ask `permissions.can` on the server."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .permissions import can, permission_named


def require(user, permission, obj=None):
    """403 unless the user may do this (to this record)."""
    if not can(user, permission, obj):
        raise PermissionDenied
    return obj


def require_visible(user, permission, obj):
    """404 unless the user may see this record: existence is not revealed."""
    if obj is None or not can(user, permission, obj):
        raise Http404
    return obj


def permission_required(permission):
    """Decorator for function views: signed in and holding the permission.

    An unknown name fails as the view is defined (at import), not when it is opened."""
    permission_named(permission)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
