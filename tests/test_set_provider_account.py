"""Operators script provider accounts; the secret comes from the environment, never an argument."""

import pytest
from django.core.management import CommandError, call_command

from invoices.models import ProviderAccount


def test_it_creates_then_updates_the_account_called_name(db, monkeypatch):
    monkeypatch.setenv("QVICKLY_SECRET", "first-secret")
    call_command(
        "set_provider_account",
        "--name",
        "Qvickly SE",
        "--kind",
        "qvickly",
        "--base-url",
        "https://api.qvickly.io/",
        "--merchant-id",
        "12345",
        "--secret-env",
        "QVICKLY_SECRET",
        "--test-mode",
    )
    monkeypatch.setenv("QVICKLY_SECRET", "rotated-secret")
    call_command(
        "set_provider_account",
        "--name",
        "Qvickly SE",
        "--kind",
        "qvickly",
        "--base-url",
        "https://api.qvickly.io/",
        "--merchant-id",
        "12345",
        "--secret-env",
        "QVICKLY_SECRET",
        "--inactive",
    )
    account = ProviderAccount.objects.get()
    assert (account.secret, account.merchant_id, account.active, account.test_mode) == (
        "rotated-secret",
        "12345",
        False,
        False,
    )


def test_a_fusebill_account_takes_its_identity_field(db, monkeypatch):
    monkeypatch.setenv("FUSEBILL_KEY", "MDpkYjg4")
    call_command(
        "set_provider_account",
        "--name",
        "Fusebill",
        "--kind",
        "fusebill",
        "--base-url",
        "https://secure.fusebill.com/v1",
        "--secret-env",
        "FUSEBILL_KEY",
        "--identity-field",
        "customerReference.reference1",
    )
    assert ProviderAccount.objects.get().identity_field == "customerReference.reference1"


def test_an_empty_secret_variable_changes_nothing(db, monkeypatch):
    monkeypatch.delenv("MISSING_SECRET", raising=False)
    with pytest.raises(CommandError, match="MISSING_SECRET is empty or not set"):
        call_command(
            "set_provider_account",
            "--name",
            "X",
            "--kind",
            "fusebill",
            "--base-url",
            "https://x.example/v1",
            "--secret-env",
            "MISSING_SECRET",
        )
    assert not ProviderAccount.objects.exists()


def test_a_bad_base_url_is_refused_with_the_reason(db, monkeypatch):
    monkeypatch.setenv("S", "secret")
    with pytest.raises(CommandError, match="base_url"):
        call_command(
            "set_provider_account", "--name", "X", "--kind", "fusebill", "--base-url", "not a url", "--secret-env", "S"
        )
