"""makemessages, which also reads Wording("...") as a text to translate: our words for
provider problems are marked so, and translated only when a page shows them
(invoices.providers.base.Wording)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Wording"]
