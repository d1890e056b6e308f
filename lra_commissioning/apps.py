from django.apps import AppConfig


class LraCommissioningConfig(AppConfig):
    """The shared core: people and roles, financial years, audit, home pages."""

    name = "lra_commissioning"
    verbose_name = "LRA Commissioning"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks, page_cache  # noqa: F401 - checks registers itself

        # Kept pages go stale on every write to the service's data, and after
        # a migration (a deploy).
        connection_created.connect(page_cache.install, dispatch_uid="lra-page-cache")
        post_migrate.connect(
            lambda **kwargs: page_cache.bump_content_generation(),
            sender=self,
            weak=False,
            dispatch_uid="lra-page-cache-migrate",
        )
