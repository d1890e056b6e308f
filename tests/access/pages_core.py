from lra_commissioning.models import User

from .expectations import EVERYONE, STAFF, A, Page, public

PAGES = {
    "public_home": public(),
    "accessibility": public(),
    "privacy": public(),
    "cookies": public(),
    "healthz": public(),
    "login": Page(allowed=frozenset({"anonymous"}), ok=200, denied=302),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(kwargs=lambda: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": public(),
    # Sign-out takes POST only: a GET is refused for everyone.
    "logout": Page(allowed=EVERYONE, ok=405),
    "home": Page(allowed=STAFF),
    "administration:people": Page(allowed=frozenset({A})),
    "administration:person_create": Page(allowed=frozenset({A})),
    "administration:person_edit": Page(
        allowed=frozenset({A}),
        kwargs=lambda: {"pk": User.objects.get(email="manager@example.org").pk},
    ),
    "administration:financial_years": Page(allowed=frozenset({A})),
}
