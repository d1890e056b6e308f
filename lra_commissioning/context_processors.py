from django.conf import settings

from .navigation import navigation_for


def site(request):
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "navigation": navigation_for(request),
        "unread_notifications": UnreadCount(request),
        "demo_installation": DemoInstallation(),
    }


DEMO_CACHE_KEY = "demo-installation"


class DemoInstallation:
    """Whether this installation holds the demo story (the banner on every page).

    Asked only when a page renders the banner's test; the answer is kept in the
    cache for five minutes, so a page costs no query for it.
    """

    def __bool__(self):
        decided = settings.DEMO_BANNER
        if decided is not None:
            return bool(decided)
        from django.core.cache import cache

        found = cache.get(DEMO_CACHE_KEY)
        if found is None:
            from .models import DemoStory

            found = DemoStory.objects.exists()
            cache.set(DEMO_CACHE_KEY, found, 300)
        return found


class UnreadCount:
    """The person's unread notifications (the header's count), counted on first use:
    one query on a page that shows it, none on one that does not."""

    def __init__(self, request):
        self._request = request
        self._value = None

    @property
    def value(self) -> int:
        if self._value is None:
            user = getattr(self._request, "user", None)
            if user is None or not user.is_authenticated or not user.roles:
                self._value = 0
            else:
                from .notifications import unread_count

                self._value = unread_count(user)
        return self._value

    def __int__(self):
        return self.value

    __index__ = __int__

    def __float__(self):
        return float(self.value)

    def __bool__(self):
        return self.value > 0

    def __eq__(self, other):
        return self.value == other

    def __hash__(self):
        return hash(self.value)

    def __str__(self):
        return str(self.value)
