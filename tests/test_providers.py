"""The provider registry: what every provider offers, and what the app reads from it."""

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import get_template
from django.urls import reverse

from invoices import providers
from invoices.models import Customer, ProviderAccount
from invoices.providers import PdfProxy


def test_both_providers_are_registered_by_their_modules():
    assert list(providers.registry()) == ["fusebill", "qvickly"]
    assert ProviderAccount._meta.get_field("kind").choices == [("fusebill", "Fusebill"), ("qvickly", "Qvickly")]


@pytest.mark.parametrize("kind", ["fusebill", "qvickly"])
def test_every_provider_has_a_detail_template(kind):
    assert get_template(providers.provider(kind).detail_template)


@pytest.mark.parametrize("kind", ["fusebill", "qvickly"])
def test_a_provider_that_proxies_pdfs_has_a_client_that_can_fetch_them(kind, qvickly_account, fusebill_account):
    account = ProviderAccount.objects.get(kind=kind)
    assert isinstance(account.client(), PdfProxy) == account.provider.proxies_pdf


def test_a_bug_in_one_providers_search_is_that_providers_problem_not_a_500(
    staff_client, qvickly_account, fusebill_account, monkeypatch
):
    # A bug cannot be served by the sandbox: this stands in for one in the client's code.
    def broken(self, text):
        raise RuntimeError("a bug")

    monkeypatch.setattr("invoices.providers.fusebill.Client.find_customers", broken)
    response = staff_client.post(reverse("search"), {"q": "Andersson"})
    assert response.status_code == 200
    assert "<strong>Fusebill</strong> could not be asked: Fusebill: could not be read: an unexpected error" in (
        response.content.decode()
    )


def test_a_qvickly_account_needs_its_merchant_id(db, monkeypatch):
    monkeypatch.setenv("S", "secret")
    with pytest.raises(CommandError, match=r"merchant_id: A Qvickly account needs this\."):
        call_command(
            "set_provider_account",
            "--name",
            "Q",
            "--kind",
            "qvickly",
            "--base-url",
            "https://api.qvickly.io/",
            "--secret-env",
            "S",
        )
    assert not ProviderAccount.objects.exists()


def test_pages_answer_only_the_methods_they_serve(staff_client, db):
    customer = Customer.objects.create(name="Ada")
    assert staff_client.post(reverse("home")).status_code == 405
    assert staff_client.post(reverse("aging")).status_code == 405
    assert staff_client.delete(reverse("customer", args=[customer.pk])).status_code == 405
    assert staff_client.head(reverse("home")).status_code == 200


def test_pages_swapped_by_htmx_vary_on_the_htmx_header(staff_client, db):
    customer = Customer.objects.create(name="Ada")
    full = staff_client.get(reverse("customer", args=[customer.pk]))
    partial = staff_client.get(reverse("customer", args=[customer.pk]), headers={"HX-Request": "true"})
    assert "HX-Request" in full["Vary"] and "HX-Request" in partial["Vary"]
    assert b"<html" in full.content and b"<html" not in partial.content


def test_an_unknown_sort_or_provider_in_the_query_falls_back_without_an_error(staff_client, db):
    customer = Customer.objects.create(name="Ada")
    page = staff_client.get(reverse("customer", args=[customer.pk]), {"sort": "secret_column", "provider": "acme"})
    assert page.status_code == 200
    assert page.context["sort"] == "-issued" and page.context["provider"] == ""
    assert not page.context["filters"].errors


def test_an_account_of_a_kind_no_module_offers_names_the_account_and_the_kind():
    from django.core.exceptions import ImproperlyConfigured

    account = ProviderAccount(name="Old Acme", kind="acme")
    with pytest.raises(ImproperlyConfigured, match="'Old Acme' is of kind 'acme', which no module"):
        account.provider  # noqa: B018
