"""Who is asking: the client's address and scheme behind the TLS proxy.

Behind the proxy every request arrives from the proxy's own address
(REMOTE_ADDR), and the proxy says who the client is in `X-Forwarded-For` and
whether it spoke HTTPS in `X-Forwarded-Proto`. Anyone can send those headers,
so they are believed only on a request that arrives from an address listed in
the `TRUSTED_PROXIES` setting (addresses or networks, comma-separated in the
environment). From anywhere else they are removed before any other code sees
them (`TrustedProxyMiddleware`, first in the chain), so Django's
`SECURE_PROXY_SSL_HEADER` cannot be fooled by a client that reaches gunicorn
directly.

`client_address(request)` is the one answer to "which address is this?":
django-axes counts failed sign-ins by it (`AXES_CLIENT_IP_CALLABLE`) and the
public comment limit counts comments by it. It walks `X-Forwarded-For` from
the right, skipping our own proxies, and takes the first address that is not
one: the leftmost entries were written by the client and prove nothing.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]):
    networks = []
    for entry in configured:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            # settings.py refuses such a value at start-up; a test's override may not.
            raise ImproperlyConfigured(f"TRUSTED_PROXIES holds {entry!r}: not an address") from None
    return tuple(networks)


def trusted_networks():
    """The configured proxies, parsed."""
    return _networks(tuple(e for e in settings.TRUSTED_PROXIES if e.strip()))


def _address(text: str):
    text = text.strip().strip('"')
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    if isinstance(address, str):
        address = _address(address)
    if address is None:
        return False
    return any(address in network for network in trusted_networks())


def client_address(request) -> str:
    """The address of whoever sent the request, as our own proxies saw it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    address = None
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Something we cannot read: believe nothing further left.
            return remote
        if not is_trusted_proxy(address):
            return str(address)
    # Every hop is one of ours (someone inside the proxies' network), or no header.
    return str(address) if address is not None else remote


class TrustedProxyMiddleware:
    """Remove the forwarding headers from any request that did not come from our proxy.

    First in MIDDLEWARE, so that SecurityMiddleware (HTTPS redirect, HSTS),
    `request.is_secure()` and everything after see `X-Forwarded-Proto` only
    when the proxy set it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDING_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
