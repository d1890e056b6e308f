from django.apps import AppConfig


class LraCommissioningConfig(AppConfig):
    """The shared core: people and roles, financial years, audit, home pages."""

    name = "lra_commissioning"
    verbose_name = "LRA Commissioning"
