"""Shared pages: home pages, styled errors, health, no-store on staff pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lra_commissioning import dates
from tests.factories import make_user
from tests.specifications.factories import published_version

pytestmark = pytest.mark.django_db


def test_public_home_page_needs_no_sign_in_and_is_honest_when_nothing_is_published(client):
    body = client.get(reverse("public_home")).content.decode()
    assert "No specification has been published yet" in body
    assert "No annual report has been published yet" in body


def test_public_home_page_says_which_specification_is_in_force(
    client, commissioner, board_member, head_of_service
):
    """The core's home page hears it from specifications, which registers in its ready()."""
    today = timezone.localdate()
    version = published_version(
        commissioner,
        board_member,
        head_of_service,
        start_year=dates.financial_year_of(today),
        starts_on=today,
    )
    body = client.get(reverse("public_home")).content.decode()
    assert f"(version {version.number}) has been in force since" in body
    assert "No specification has been published yet" not in body


def test_unknown_urls_get_the_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-footer" in response.content.decode()


def test_staff_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_signed_in_person_without_a_role_gets_a_clear_page(client):
    person = make_user()
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "You have no role yet" in response.content.decode()


def test_staff_pages_are_never_stored_by_browsers(client, commissioner):
    client.force_login(commissioner)
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"


def test_navigation_shows_each_role_what_it_may_use(client, commissioner, administrator):
    client.force_login(administrator)
    body = client.get(reverse("home")).content.decode()
    assert reverse("administration:people") in body
    client.force_login(commissioner)
    body = client.get(reverse("home")).content.decode()
    assert reverse("administration:people") not in body


def test_healthz_reports_database_and_redis(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["redis"] in ("ok", "not configured")


def test_healthz_answers_503_when_redis_is_down(client, settings):
    # Nothing listens on port 1: the cache (Redis) is down.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "lra_commissioning.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["redis"].startswith("down")
    assert response.json()["checks"]["database"] == "ok"


def test_a_role_without_permission_gets_the_styled_403(client, commissioner):
    client.force_login(commissioner)
    response = client.get(reverse("administration:people"))
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.content.decode()


def test_a_server_error_gets_the_styled_500_without_touching_the_database(rf):
    from lra_commissioning.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_styled_403(commissioner):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(commissioner)
    response = browser.post(reverse("cycle:reports"), {"start_year": "2016", "kind": "annual"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page
    assert "Nothing you entered on it has been saved" in page
    assert 'class="govuk-template__body"' in page  # the house layout and its stylesheet
    assert "<style" not in page and "style=" not in page  # nothing the CSP would refuse
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
