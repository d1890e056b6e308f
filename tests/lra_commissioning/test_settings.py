"""Configuration from the environment, checked in a fresh process each time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "lra.example.gov.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://user:secret@smtp.example.gov.uk:587",
    "TRUSTED_PROXIES": "172.28.0.1",
}


# Every variable the settings read (see .env.example): the child starts from none.
CONFIGURATION = {
    line.split("=", 1)[0]
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
}


def _manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in CONFIGURATION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_value(expr, **env):
    result = _manage("shell", "-c", f"from django.conf import settings; print({expr})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_with_only_debug_on_the_site_runs_for_a_first_look():
    assert _settings_value("settings.DATABASES['default']['ENGINE']", DEBUG="true") == (
        "django.db.backends.sqlite3"
    )
    assert _settings_value("settings.CELERY_TASK_ALWAYS_EAGER", DEBUG="true") == "True"
    assert _settings_value("settings.EMAIL_BACKEND", DEBUG="true") == (
        "django.core.mail.backends.console.EmailBackend"
    )
    assert _settings_value("settings.DEBUG", DEBUG="true") == "True"


def test_debug_is_off_when_unset_so_a_forgotten_variable_stops_start_up():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr
    env = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    assert _settings_value("settings.DEBUG", **env) == "False"
    assert _settings_value("settings.OTP_REQUIRED", **env) == "True"


def test_the_makefile_turns_debug_on_only_for_development_commands():
    makefile = (ROOT / "Makefile").read_text()
    assert "DEV_ENV := DEBUG=true" in makefile
    for line in ("$(DEV_ENV) $(MANAGE) runserver", "$(DEV_ENV) $(MANAGE) load_demo"):
        assert line in makefile
    assert "TEST_ENV := LRA_TESTING=true DEBUG=true" in makefile


def test_service_urls_select_postgres_redis_and_smtp():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("DEBUG",)}
    # Django's PostgreSQL backend, with the health check that asks the page cache's question.
    assert _settings_value("settings.DATABASES['default']['ENGINE']", **env) == (
        "lra_commissioning.postgresql"
    )
    assert _settings_value("settings.CELERY_BROKER_URL", **env) == "redis://127.0.0.1:6379/0"
    assert _settings_value("settings.CELERY_TASK_ALWAYS_EAGER", **env) == "False"
    assert "RedisCache" in _settings_value("settings.CACHES['default']['BACKEND']", **env)
    assert _settings_value("settings.EMAIL_BACKEND", **env) == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    assert _settings_value("settings.EMAIL_HOST", **env) == "smtp.example.gov.uk"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"])
def test_production_start_up_refuses_a_missing_secret_and_says_how_to_fix_it(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} is not set and DEBUG is off" in result.stderr
    assert "Set " + missing in result.stderr


def test_check_deploy_passes_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_no_trusted_proxy_is_set():
    env = {k: v for k, v in PRODUCTION.items() if k != "TRUSTED_PROXIES"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "lra.W001" in result.stderr and "TRUSTED_PROXIES is empty" in result.stderr


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up():
    result = _manage("check", **{**PRODUCTION, "TRUSTED_PROXIES": "proxy.example.gov.uk"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES holds 'proxy.example.gov.uk'" in result.stderr


def test_load_demo_refuses_to_run_with_debug_off():
    result = _manage("load_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "refuses to run with DEBUG off" in result.stderr


def test_every_scheduled_task_is_a_registered_celery_task(settings):
    from lra_commissioning.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "slas.tasks.bring_due_slas_into_force" in scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_production_start_up_refuses_to_go_without_a_shared_cache():
    # Without REDIS_URL each process would keep its own cache: pages kept in one
    # would be served for PAGE_CACHE_SECONDS after a write made in another.
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "REDIS_URL is not set and DEBUG is off" in result.stderr
    assert "every web process and worker share" in result.stderr


def test_the_readme_lists_every_setting_of_env_example():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Every production setting", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in CONFIGURATION if f"`{name}`" not in table)
    assert missing == [], f"add these to the README's table of settings: {missing}"
