"""Walk every page of the URL matrix as every role: shared by the security tests."""

from django.urls import reverse

from lra_commissioning.models import User
from tests.access.expectations import ANONYMOUS, DEMO_PERSON, WHO, all_pages


def page_url(page, name):
    kwargs = page.kwargs() if page.kwargs else {}
    return reverse(name, kwargs=kwargs) + (f"?{page.query}" if page.query else "")


def every_response(client, *, only_ok=False):
    """Yield (who, url name, url, response) for every URL pattern as every role."""
    people = {who: User.objects.get(email=email) for who, email in DEMO_PERSON.items()}
    pages = sorted(all_pages().items())
    for who in WHO:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(people[who])
        for name, page in pages:
            if only_ok and page.expected_status(who) != page.ok:
                continue
            url = page_url(page, name)
            yield who, name, url, client.get(url)
