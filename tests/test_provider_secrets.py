"""A provider secret is checked when saved: printable ASCII, nothing else, or nothing is saved."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from invoices.models import ProviderAccount
from sandbox.world import QVICKLY_MERCHANTS

MESSAGE = "A secret is printable ASCII only"
EID, SECRET = next(iter(QVICKLY_MERCHANTS.items()))


@pytest.fixture
def admin_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    return client


def account_form(sandbox_url, secret):
    return {
        "name": "Qvickly SE",
        "kind": "qvickly",
        "active": "on",
        "base_url": sandbox_url + "qvickly/",
        "merchant_id": EID,
        "secret": secret,
        "currency": "SEK",
        "identity_field": "reference",
        "language": "en",
    }


@pytest.mark.parametrize(
    "secret",
    [
        SECRET + "\r\nX-Injected: 1",  # a header of its own, were it sent as one
        SECRET + "\n",  # a line break pasted with it
        "\t" + SECRET,
        SECRET + " ",
        "hemlig\x1bnyckel",
        "hemlig–nyckel",  # an en dash from a word processor
    ],
)
def test_a_new_account_with_a_malformed_secret_is_refused_and_not_saved(admin_client, sandbox_url, secret):
    response = admin_client.post(reverse("admin:invoices_provideraccount_add"), account_form(sandbox_url, secret))
    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGE in page
    assert "X-Injected" not in page and "nyckel" not in page  # the secret is not shown back
    assert not ProviderAccount.objects.exists()


def test_a_malformed_new_secret_leaves_the_account_as_it_was(admin_client, qvickly_account, sandbox_url):
    response = admin_client.post(
        reverse("admin:invoices_provideraccount_change", args=[qvickly_account.pk]),
        {**account_form(sandbox_url, "new\r\nsecret"), "name": "Renamed"},
    )
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    qvickly_account.refresh_from_db()
    assert qvickly_account.secret == SECRET and qvickly_account.name == "Qvickly SE"


def test_a_well_formed_secret_is_saved(admin_client, sandbox_url):
    response = admin_client.post(reverse("admin:invoices_provideraccount_add"), account_form(sandbox_url, SECRET))
    assert response.status_code == 302
    assert ProviderAccount.objects.get().secret == SECRET


def test_the_command_refuses_a_malformed_secret_with_the_reason(db, monkeypatch):
    monkeypatch.setenv("FUSEBILL_KEY", "key-with-a-break\n")
    with pytest.raises(CommandError, match=MESSAGE):
        call_command(
            "set_provider_account",
            *("--name", "X", "--kind", "fusebill", "--base-url", "https://x.example/v1"),
            *("--secret-env", "FUSEBILL_KEY"),
        )
    assert not ProviderAccount.objects.exists()
