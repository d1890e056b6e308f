from django.apps import AppConfig


class LraCommissioningConfig(AppConfig):
    """The shared core: people and roles, financial years, audit, home pages."""

    name = "lra_commissioning"
    verbose_name = "LRA Commissioning"

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks, page_cache  # noqa: F401 - checks registers itself

        # Kept pages go stale on every write to the service's data, and after
        # a migration (a deploy).
        connection_created.connect(page_cache.install, dispatch_uid="lra-page-cache")
        # The generation read with a request's session serves that request only.
        forget = page_cache.forget_generation_read_with_session
        request_started.connect(forget, dispatch_uid="lra-forget-generation-at-start")
        request_finished.connect(forget, dispatch_uid="lra-forget-generation-at-end")
        post_migrate.connect(
            lambda **kwargs: page_cache.bump_content_generation(),
            sender=self,
            weak=False,
            dispatch_uid="lra-page-cache-migrate",
        )
