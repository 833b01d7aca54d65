"""The provider registry: every module in this package that defines `PROVIDER`.

Adding a provider means one module here (its client, its detail presenter and
its `PROVIDER` entry) and one detail template, `invoices/detail/<kind>.html`.
Models, views, templates and the sync engine ask the registry, never a kind.
"""

import importlib
import pkgutil
from functools import cache

from invoices.providers.base import (
    CredentialsRejected,
    CustomerRecord,
    InvoiceRecord,
    NotFound,
    PdfProxy,
    Provider,
    ProviderClient,
    ProviderError,
    Search,
    Wording,
)

__all__ = [
    "CredentialsRejected",
    "CustomerRecord",
    "InvoiceRecord",
    "NotFound",
    "PdfProxy",
    "Provider",
    "ProviderClient",
    "ProviderError",
    "Search",
    "Wording",
    "choices",
    "provider",
    "registry",
]


@cache
def registry() -> dict[str, Provider]:
    """Every provider by kind, in the order of their labels."""
    found = []
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if isinstance(entry := getattr(module, "PROVIDER", None), Provider):
            found.append(entry)
    return {entry.kind: entry for entry in sorted(found, key=lambda entry: entry.label)}


def provider(kind: str) -> Provider:
    """The registry's entry for a kind; KeyError for a kind no module provides."""
    return registry()[kind]


def choices() -> list[tuple[str, str]]:
    """ProviderAccount.kind's choices, read when a form or check needs them."""
    return [(entry.kind, entry.label) for entry in registry().values()]
