"""Our own `manage.py check --deploy` checks."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxies_configured(app_configs, **kwargs):
    """In production gunicorn sits behind a TLS proxy: say which one it is."""
    if settings.DEBUG or settings.TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "TRUSTED_PROXIES is empty, so the X-Forwarded-For and X-Forwarded-Proto "
            "headers of the TLS proxy are ignored: every visitor has the proxy's "
            "address (one sign-in lock-out and one comment limit for everyone) and "
            "no request looks like HTTPS.",
            hint="Set TRUSTED_PROXIES to the address of the proxy as gunicorn sees it "
            "(docker-compose.yml: 172.28.0.1). See README, 'Behind the TLS proxy'.",
            id="lra.W001",
        )
    ]
