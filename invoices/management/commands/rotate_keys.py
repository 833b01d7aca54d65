"""Re-encrypts every provider secret and personal number under the first of the
configured keys, and recomputes the numbers' blind index (README: rotating keys)."""

from django.core.management.base import BaseCommand, CommandError

from invoices.atrest import UndecryptableError
from invoices.keys import rotate


class Command(BaseCommand):
    help = "Re-encrypt provider secrets and personal numbers under the first FIELD_ENCRYPTION_KEY."
    # The checks would refuse to run with the very keys this is here to repair.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        try:
            counts = rotate()
        except UndecryptableError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        self.stdout.write(
            f"Re-encrypted {counts['secrets']} provider secrets and {counts['numbers']} personal numbers."
        )
