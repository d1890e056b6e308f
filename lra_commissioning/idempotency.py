"""Exactly-once POSTs: a client sends the same key with every retry of one write.

`@idempotent` on a POST view: the key comes from the `Idempotency-Key` header
or an `idempotency_key` form field (put `{{ idempotency_key }}` in a hidden
input; `new_key()` makes one). The view runs inside a transaction that also
stores the key; the first response's status and redirect are kept. A retry
with the same key, by the same person, does not run the view again: it gets
the stored outcome (a redirect to the same place). If the database fails
mid-request (restarted, connection lost), neither the write nor the key is
saved, and the retry runs the write. Two simultaneous retries meet at the
unique key: one writes, the other gets the stored outcome.
"""

import re
import uuid
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect

from .models import IdempotencyKey

_VALID = re.compile(r"^[A-Za-z0-9_\-:.]{8,100}$")


def new_key() -> str:
    return uuid.uuid4().hex


def _scope(request, key):
    user = getattr(request, "user", None)
    owner = user.pk if user is not None and user.is_authenticated else "anon"
    return f"{owner}:{key}"


def _replay(record):
    if record.location:
        response = HttpResponseRedirect(record.location)
    else:
        response = HttpResponse(status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key") or request.POST.get("idempotency_key")
        if request.method != "POST" or not key or not _VALID.match(key):
            return view(request, *args, **kwargs)
        scope = _scope(request, key)
        done = IdempotencyKey.objects.filter(scope=scope).first()
        if done is not None:
            return _replay(done)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code < 400 and response.status_code != 200:
                    # Success that moves on (a redirect): remember it with the write.
                    IdempotencyKey.objects.create(
                        scope=scope,
                        path=request.path[:300],
                        status_code=response.status_code,
                        location=response.get("Location", "")[:500],
                    )
        except IntegrityError:
            done = IdempotencyKey.objects.filter(scope=scope).first()
            if done is None:
                raise
            return _replay(done)
        return response

    return wrapped
