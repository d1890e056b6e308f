"""Signing people in: Django's ModelBackend, reading a person's roles in the same query.

Every staff request loads the signed-in person and then asks for their roles
(`User.roles`). Both come from the database on every request, so that a
locked account or a removed role takes effect at once; reading them in one
query instead of two saves a round trip on every staff page.
"""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField

from .models import User
from .roles import Role


class RoleList(Aggregate):
    """A person's role names joined with commas (GROUP_CONCAT; STRING_AGG on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


class RolesModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            User._default_manager.filter(pk=user_id)
            .annotate(role_list=RoleList("role_grants__role"))
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # Fill User.roles (a cached_property) from the same row.
        names = [name for name in (user.role_list or "").split(",") if name]
        user.__dict__["roles"] = frozenset(Role(name) for name in names)
        return user
