"""Factories for the shared records. Each app keeps its own in tests/<app>/factories.py."""

import factory

from lra_commissioning.models import FinancialYear, User, UserRole
from lra_commissioning.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class FinancialYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialYear
        django_get_or_create = ["start_year"]

    start_year = 2016


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                UserRole.objects.get_or_create(user=self, role=Role(role))
            self.forget_roles()
        if create:
            self.save()


def make_user(*roles, head_of_service=False, **kwargs):
    return UserFactory(roles=list(roles), is_head_of_service=head_of_service, **kwargs)


def force_login_verified(client, user):
    """Sign `user` in on the test client as if they had passed two-factor sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return device
