from django.apps import AppConfig


class ChangesConfig(AppConfig):
    """Change requests (minor variations and fundamental changes) and service ideas."""

    name = "changes"

    def ready(self):
        from . import links, obligations

        links.register()
        # What the records say about each obligation's deadline.
        obligations.register()
