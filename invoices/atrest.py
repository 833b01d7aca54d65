"""Personal numbers and provider secrets at rest.

Secrets and numbers are Fernet-encrypted (django-fernet-encrypted-fields, keys
derived from SECRET_KEY and FIELD_ENCRYPTION_KEY). Numbers are found again by a
blind index: an HMAC-SHA256 of the canonical number under IDENTITY_INDEX_KEY, so
a lookup never needs to decrypt the table.

The library hands back the ciphertext itself when no key decrypts a value, which
would then be sent to a provider as a secret or shown as a number: StrictEncrypted
fields raise instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField

# Keys of cached provider payloads that hold the customer's personal or
# organisation number: Qvickly's pno (getInvoicesByPno rows, Customer.pno in full
# invoices), Fusebill's reference fields (the account chooses which one holds it).
NUMBER_KEYS = frozenset({"pno", "reference", "customerreference", "customerreferencevalue"})


class UndecryptableError(Exception):
    """A stored value no configured key decrypts: a key is missing or wrong."""


def number_index(number: str) -> str:
    """The blind index of a canonical number (invoices.identity)."""
    key = settings.IDENTITY_INDEX_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _fernet(secret_keys: tuple[str, ...], salt_keys: tuple[str, ...]) -> MultiFernet:
    # The library's derivation, so values it wrote stay readable; cached per key set
    # (PBKDF2 is slow on purpose) and read from settings each time, so a key added or
    # removed is seen without a restart of the field.
    keys = []
    for secret_key in secret_keys:
        for salt_key in salt_keys:
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt_key.encode(), iterations=100_000)
            keys.append(Fernet(base64.urlsafe_b64encode(kdf.derive(secret_key.encode()))))
    return MultiFernet(keys)


def fernet() -> MultiFernet:
    """Encrypts with the first key (SECRET_KEY with the first FIELD_ENCRYPTION_KEY), decrypts with any."""
    salt = settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _fernet(tuple(secrets), tuple(salt))


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError):
        raise UndecryptableError(
            "A stored value does not decrypt: check FIELD_ENCRYPTION_KEY and SECRET_KEY."
        ) from None


class StrictEncryptedMixin:
    """Raises UndecryptableError where the library would return the ciphertext."""

    name: str  # the field's, set by Django

    @property
    def f(self) -> MultiFernet:
        return fernet()

    def get_lookup(self, lookup_name: str) -> Any:
        # Fernet tokens differ on every encryption: comparing them in SQL never matches,
        # so say so instead of finding nobody. Numbers are found by their blind index.
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} is encrypted and cannot be compared in the database: "
                "find customers with Customer.objects.with_number()."
            )
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def from_db_value(self, value: Any, expression: object, connection: object) -> Any:
        return decrypt(value) if isinstance(value, str) and value else value

    def to_python(self, value: Any) -> Any:
        # Values from code and forms are clear text: only what the database holds is
        # decrypted (the library tries every value, and passes on what fails).
        return value if value is None or isinstance(value, str) else str(value)


# models.TextField / CharField again, after the library's untyped classes, so the
# type checker knows the fields hold text.
class StrictEncryptedTextField(StrictEncryptedMixin, EncryptedTextField, models.TextField):
    pass


class StrictEncryptedCharField(StrictEncryptedMixin, EncryptedCharField, models.CharField):
    pass


def without_numbers(data: Any) -> Any:
    """A provider payload without the fields that carry personal numbers: the
    number is kept once, encrypted, on the Customer."""
    if isinstance(data, dict):
        return {k: without_numbers(v) for k, v in data.items() if str(k).casefold() not in NUMBER_KEYS}
    if isinstance(data, list):
        return [without_numbers(item) for item in data]
    return data


class PayloadField(models.JSONField):
    """A cached provider payload, stored without_numbers however it is written
    (save, update, bulk_create): pages read the number from the Customer."""

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(without_numbers(value))
