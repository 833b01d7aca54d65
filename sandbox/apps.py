from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Provider sandbox"

    def ready(self):
        # The emulators answer anyone, without a login, and take orders to misbehave:
        # refused at startup (server, workers, every command), not only by `check --deploy`,
        # which a deployment may never run.
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "SANDBOX_ENABLED is on while DEBUG is off: the provider emulators and their fault control "
                "would be served without a login. Set SANDBOX_ENABLED=0 in production; the sandbox is for "
                "development (DEBUG=1) only."
            )
