import pytest
from django.core.management import call_command

from lra_commissioning import demo
from lra_commissioning.models import FinancialYear, User
from lra_commissioning.roles import Role
from slas.models import SupportService

pytestmark = pytest.mark.django_db


def test_load_demo_is_safe_to_run_twice_and_prints_the_logins(settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "a-demo-password-for-tests"
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "commissioner@example.org" in out and "a-demo-password-for-tests" in out
    for email in demo.DEMO_PEOPLE:
        assert User.objects.filter(email=email[0]).count() == 1
    assert FinancialYear.objects.filter(start_year=2016).exists()
    assert SupportService.objects.count() == 8
    manager = User.objects.get(email="manager@example.org")
    assert manager.is_head_of_service and manager.has_role(Role.SERVICE_MANAGER)
    assert manager.check_password("a-demo-password-for-tests")


def test_load_demo_generates_and_prints_a_password_when_none_is_set(settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = ""
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "The password was generated" in out
