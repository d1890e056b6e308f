import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "celery_worker: starts a real in-process Celery worker on Redis (fast)"
    )


@pytest.fixture
def quiet_tasks(settings):
    """Tasks queued on commit do not run: the test drives the services itself."""
    from unittest import mock

    with (
        mock.patch("cycle.tasks.send_reminder.delay_on_commit"),
        mock.patch("cycle.tasks.render_annual_report.delay_on_commit"),
    ):
        yield
