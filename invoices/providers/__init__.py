"""One module per provider; `client_for` picks the one an account speaks."""

from invoices.providers import fusebill, qvickly
from invoices.providers.base import CustomerRecord, InvoiceRecord, NotFound, ProviderError, shape_errors

__all__ = ["CustomerRecord", "InvoiceRecord", "NotFound", "ProviderError", "client_for", "present"]


def client_for(account):
    if account.kind == "qvickly":
        return qvickly.Client(
            account.base_url,
            account.merchant_id,
            account.secret,
            test_mode=account.test_mode,
            language=account.language,
            currency=account.currency,
        )
    if account.kind == "fusebill":
        return fusebill.Client(
            account.base_url, account.secret, identity_field=account.identity_field, currency=account.currency
        )
    raise ValueError(f"No client for provider kind {account.kind!r}")


def present(kind, raw):
    """A provider's full invoice as the detail template reads it; ProviderError if it cannot be read."""
    module = {"qvickly": qvickly, "fusebill": fusebill}[kind]
    return shape_errors(module.NAME)(module.detail)(raw)
