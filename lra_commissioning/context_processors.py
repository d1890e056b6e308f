from django.conf import settings

from .navigation import navigation_for


def site(request):
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "navigation": navigation_for(request),
    }
