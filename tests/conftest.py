import os
import shutil

import pytest
from django.core.cache import cache

from lra_commissioning.roles import Role

from .demo_database import demo_copy, demo_database, demo_world, django_db_setup  # noqa: F401
from .factories import make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_configure(config):
    """Under pytest-xdist each worker gets its own Redis database for the cache,
    so one worker's cache.clear() never empties another's rate limits."""
    from django.conf import settings
    from django.core.cache import caches

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    location = settings.CACHES["default"].get("LOCATION", "")
    if worker.startswith("gw") and location.startswith("redis://"):
        base, _, number = location.rpartition("/")
        n = (int(number or 0) + int(worker[2:])) % 16
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{base}/{n}"}}
        caches.__dict__.pop("settings", None)
        caches._settings = None


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits, throttles and kept pages live in the cache, kept people in the
    process: each test starts clean, with the cache and the broker taken to be
    reachable (as a new process does)."""
    from lra_commissioning.auth import forget_kept_people
    from lra_commissioning.cache import cache_outage
    from lra_commissioning.celery import broker_outage
    from lra_commissioning.page_cache import forget_local_pages

    cache.clear()
    forget_local_pages()
    forget_kept_people()
    cache_outage.since = broker_outage.since = None
    yield
    cache.clear()
    forget_local_pages()
    forget_kept_people()
    cache_outage.since = broker_outage.since = None


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own (never the shared one), stopped afterwards."""
    from .brokers import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def commissioner(db):
    return make_user(Role.COMMISSIONER, email="c@example.org", full_name="Carol Commissioner")


@pytest.fixture
def service_manager(db):
    return make_user(Role.SERVICE_MANAGER, email="sm@example.org", full_name="Sam Manager")


@pytest.fixture
def head_of_service(db):
    return make_user(
        Role.SERVICE_MANAGER, head_of_service=True, email="hos@example.org", full_name="Hana Head"
    )


@pytest.fixture
def board_member(db):
    return make_user(Role.BOARD_MEMBER, email="b@example.org", full_name="Bill Board")


@pytest.fixture
def support_lead(db):
    return make_user(Role.SUPPORT_LEAD, email="sl@example.org", full_name="Sue Support")


@pytest.fixture
def administrator(db):
    return make_user(Role.ADMINISTRATOR, email="a@example.org", full_name="Ada Admin")


# Browser tests ---------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright. Missing Chromium is a failure, not a skip."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium`.")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # expect(...) waits for what a page shows after a click, as long as the
    # pages' own timeout on a busy machine.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def read_whole_pages(page):
    """page.content() reads the page once it is parsed.

    A click waits for the navigation it starts to commit, not for the new page to
    be parsed: on a busy machine content() read straight after a click can see a
    page cut short at its first blocking script.
    """
    content = page.content

    def parsed_content():
        page.wait_for_load_state("domcontentloaded")
        return content()

    page.content = parsed_content


@pytest.fixture
def page_for(browser, live_server, client):
    """page_for(user) gives a Playwright page signed in as `user` (None: anonymous)."""
    contexts = []

    def open_page(user=None):
        context = browser.new_context(base_url=live_server.url)
        if user is not None:
            # A client of its own per page: signing a shared client in as someone
            # else would end the session of a page opened earlier.
            from django.test import Client

            own = Client()
            own.force_login(user)
            cookie = own.cookies["sessionid"]
            context.add_cookies(
                [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
            )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        read_whole_pages(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe (WCAG 2.2 A and AA) on the page and fail with the report on any violation."""

    def check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, (
            f"axe found {results.violations_count} violation(s) on {page.url}:\n"
            + results.generate_report()
        )
        return results

    return check


# In CI a skipped test is a failure: a skipped browser test proves nothing.


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
        if skipped:
            session.exitstatus = 1
            print(f"\nCI: {skipped} test(s) were skipped; skipped tests fail CI.")
