from lra_commissioning.models import User

from .expectations import EVERYONE, STAFF, A, Page, public

PAGES = {
    "public_home": public(),
    "accessibility": public(),
    "privacy": public(),
    "cookies": public(),
    "healthz": public(),
    "login": Page(allowed=frozenset({"anonymous"}), ok=200, denied=302),
    # A link that is not (or no longer) an invitation's explains itself to everyone.
    "invitation": public(kwargs=lambda: {"pk": 1, "token": "not-an-invitation-token"}),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(kwargs=lambda: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": public(),
    # Sign-out takes POST only: a GET is refused for everyone.
    "logout": Page(allowed=EVERYONE, ok=405),
    "home": Page(allowed=STAFF),
    # Each person's own notifications and e-mail choices.
    "notifications": Page(allowed=STAFF),
    "notification_settings": Page(allowed=STAFF),
    # Two-factor sign-in. With no sign-in in progress the code step sends a
    # visitor to sign in and a signed-in person with no app to set one up.
    "two_factor_verify": Page(allowed=EVERYONE, ok=302),
    "two_factor_setup": Page(allowed=STAFF),
    "two_factor_manage": Page(allowed=STAFF),
    # Changing an app or the recovery codes: the demo people have no app yet, so
    # they are sent to set one up (or back to the two-factor page).
    "two_factor_replace": Page(allowed=STAFF, ok=302),
    "two_factor_new_recovery_codes": Page(allowed=STAFF, ok=302),
    # The codes are shown once, straight after they are made; otherwise back
    # to the two-factor page.
    "two_factor_recovery_codes": Page(allowed=STAFF, ok=302, denied=302),
    "administration:people": Page(allowed=frozenset({A})),
    "administration:person_create": Page(allowed=frozenset({A})),
    "administration:person_edit": Page(
        allowed=frozenset({A}),
        kwargs=lambda: {"pk": User.objects.get(email="manager@example.org").pk},
    ),
    # Sending a new invitation takes POST only.
    "administration:person_invite": Page(
        allowed=frozenset({A}),
        ok=405,
        kwargs=lambda: {"pk": User.objects.get(email="manager@example.org").pk},
    ),
    "administration:financial_years": Page(allowed=frozenset({A})),
    "administration:data_export": Page(allowed=frozenset({A})),
}
