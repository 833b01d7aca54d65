"""Every provider fault, for each provider: the page still answers, names the provider and
the problem, and the cached rows of that provider are exactly as they were."""

import pytest
import requests
from django.urls import reverse

from invoices.audit import reached
from invoices.models import Customer, CustomerLink, Invoice
from sandbox.world import world

# fault -> what the notice says, per provider ("Name: message (code N)" as the page shows it)
EXPECTED = {
    "timeout": {"qvickly": "Qvickly: did not answer in time", "fusebill": "Fusebill: did not answer in time"},
    "reset": {"qvickly": "Qvickly: dropped the connection", "fusebill": "Fusebill: dropped the connection"},
    "http_500": {"qvickly": "Qvickly: answered HTTP 500 (code 500)", "fusebill": "(code 500)"},
    "http_502": {"qvickly": "Qvickly: answered HTTP 502 (code 502)", "fusebill": "(code 502)"},
    "http_503": {"qvickly": "Qvickly: answered HTTP 503 (code 503)", "fusebill": "(code 503)"},
    "rate_limit": {"qvickly": "Qvickly: is rate limiting us (code 429)", "fusebill": "(code 429)"},
    "malformed_json": {
        "qvickly": "Qvickly: sent a reply that is not JSON",
        "fusebill": "Fusebill: sent a reply that is not JSON",
    },
    "html_error": {
        "qvickly": "Qvickly: answered HTTP 502 (code 502)",
        "fusebill": "Fusebill: answered HTTP 502 (code 502)",
    },
    "bad_signature": {"qvickly": "Qvickly: sent a reply whose signature does not match; it was not used (code 9511)"},
    "reject_credentials": {"qvickly": "(code 9013)", "fusebill": "Fusebill: rejected the API key"},
}
# Waiting out a rate limit or a timeout takes real seconds.
WAITS = {"timeout", "rate_limit"}
MATRIX = [
    pytest.param(provider, fault, marks=[pytest.mark.slow] if fault in WAITS else [])
    for fault, per_provider in EXPECTED.items()
    for provider in per_provider
]
ACCOUNT_NAMES = {"qvickly": "Qvickly SE", "fusebill": "Fusebill"}


@pytest.fixture
def cached_customer(staff_client, qvickly_account, fusebill_account, settings):
    settings.PROVIDER_READ_TIMEOUT = 0.3  # the timeout fault sleeps longer than this
    settings.PROVIDER_RETRIES = 1
    response = staff_client.post(reverse("search"), {"q": world().samples()["both"]})
    customer = Customer.objects.get()
    assert response.url == reached(customer, "lookup")
    assert {link.account.kind for link in customer.links.all() if link.fetched_at} == {"qvickly", "fusebill"}
    return customer


def rows(provider):
    return list(Invoice.objects.filter(account__kind=provider).order_by("pk").values())


@pytest.mark.parametrize("provider,kind", MATRIX)
def test_a_provider_fault_keeps_the_page_and_the_cache(staff_client, cached_customer, fault, provider, kind):
    before = rows(provider)
    extra = {"delay": 1.0} if kind == "timeout" else {}
    fault(provider=provider, fault=kind, **extra)
    response = staff_client.post(reverse("customer-refresh", args=[cached_customer.pk]), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    # Retrying cannot fix rejected credentials: staff are told to correct them, not to wait.
    said = "rejected our credentials: " if kind == "reject_credentials" else "could not be refreshed: "
    notice = f"<strong>{ACCOUNT_NAMES[provider]}</strong> {said}"
    assert notice in text, text[:3000]
    message = text.split(notice, 1)[1].split("</p>", 1)[0]
    assert EXPECTED[kind][provider] in message
    assert ("Check the credentials of this account" in message) == (kind == "reject_credentials")
    assert rows(provider) == before
    other = "fusebill" if provider == "qvickly" else "qvickly"
    assert f"<strong>{ACCOUNT_NAMES[other]}</strong> could not be refreshed" not in text


def test_a_failure_part_way_through_a_paged_listing_keeps_that_customers_cache(
    staff_client, qvickly_account, fusebill_account, fault, settings
):
    settings.PROVIDER_RETRIES = 1
    staff_client.post(reverse("search"), {"q": world().samples()["big"]})
    before = rows("fusebill")
    assert len(before) > 250
    # The customer, then page 0 of the invoices, then 503 for page 1 onwards.
    fault(provider="fusebill", fault="http_503", after=2)
    response = staff_client.post(reverse("customer-refresh", args=[Customer.objects.get().pk]), follow=True)
    assert "<strong>Fusebill</strong> could not be refreshed" in response.content.decode()
    assert rows("fusebill") == before


@pytest.mark.parametrize("provider", ["qvickly", "fusebill"])
@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(f, marks=[pytest.mark.slow] if f in WAITS else [])
        for f in ("timeout", "reset", "http_503", "rate_limit")
    ],
)
def test_a_fault_that_clears_after_one_attempt_is_retried_and_the_refresh_succeeds(
    staff_client, cached_customer, fault, provider, kind
):
    extra = {"delay": 1.0} if kind == "timeout" else {}
    fault(provider=provider, fault=kind, times=1, **extra)
    response = staff_client.post(reverse("customer-refresh", args=[cached_customer.pk]), follow=True)
    assert "could not be refreshed" not in response.content.decode()
    assert not CustomerLink.objects.exclude(error="").exists()


def test_a_slow_provider_within_the_timeout_is_simply_slower(staff_client, cached_customer, fault, settings):
    settings.PROVIDER_READ_TIMEOUT = 3
    fault(provider="qvickly", fault="slow", delay=0.5)
    response = staff_client.post(reverse("customer-refresh", args=[cached_customer.pk]), follow=True)
    assert "could not be refreshed" not in response.content.decode()


@pytest.mark.parametrize("kind", ["bad_signature", "reject_credentials"])
def test_errors_a_retry_cannot_fix_are_not_retried(staff_client, cached_customer, fault, sandbox_url, kind, settings):
    settings.PROVIDER_RETRIES = 3
    fault(provider="qvickly", fault=kind)
    staff_client.post(reverse("customer-refresh", args=[cached_customer.pk]))
    [active] = requests.get(sandbox_url + "faults/", timeout=5).json()
    assert active["used"] == 1
