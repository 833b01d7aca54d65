from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Provider sandbox"

    def ready(self):
        checks.register(sandbox_in_production, checks.Tags.security, deploy=True)


def sandbox_in_production(app_configs, **kwargs):
    """The emulators answer anyone, without a login: never in production."""
    if settings.DEBUG:
        return []
    return [
        checks.Error(
            "SANDBOX_ENABLED is on: the provider emulators and their fault control are served without a login.",
            hint="Set SANDBOX_ENABLED=0 in production.",
            id="sandbox.E001",
        )
    ]
