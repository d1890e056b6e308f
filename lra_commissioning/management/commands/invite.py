from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from lra_commissioning import services
from lra_commissioning.models import User
from lra_commissioning.workflow import DomainError


class Command(BaseCommand):
    help = (
        "Send a person an invitation to set their password and two-factor sign-in, and "
        "print its link (for the first administrator, before e-mail works)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(
                f"Nobody has the address {email}. Create the account first "
                "(python manage.py createsuperuser)."
            )
        try:
            invitation = services.invitation_send(user=user, by=None)
        except DomainError as error:
            raise CommandError(str(error)) from None
        link = settings.SITE_URL.rstrip("/") + reverse(
            "invitation", kwargs={"pk": invitation.pk, "token": invitation.token()}
        )
        self.stdout.write(
            f"Invitation for {user.full_name or user.email}, e-mailed to {user.email} and "
            f"working once until {invitation.expires_at:%Y-%m-%d %H:%M %Z}:\n{link}"
        )
