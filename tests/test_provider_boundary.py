"""The provider boundary over real HTTP: redirects, slow and huge replies, hostile JSON,
control characters, and invoices that leave a provider's listing."""

import time
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from invoices.models import Customer, Invoice, ProviderAccount
from invoices.providers import ProviderError
from sandbox.world import world
from tests.conftest import cached_invoice


@pytest.fixture
def customer(staff_client, qvickly_account, fusebill_account, settings):
    """A person both providers know, looked up once so the cache holds their invoices."""
    settings.PROVIDER_RETRIES = 0
    staff_client.post(reverse("search"), {"q": world().samples()["both"]})
    return Customer.objects.get()


def refresh(staff_client, customer):
    response = staff_client.post(reverse("customer-refresh", args=[customer.pk]), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def rows(kind):
    return list(Invoice.objects.filter(account__kind=kind).order_by("pk").values())


@pytest.mark.parametrize("provider", ["qvickly", "fusebill"])
def test_a_redirect_is_an_error_naming_the_provider_and_is_never_followed(staff_client, customer, fault, provider):
    before = rows(provider)
    # Followed once, the redirect would reach the emulator again and succeed.
    fault(provider=provider, fault="redirect", times=1)
    text = refresh(staff_client, customer)
    name = {"qvickly": "Qvickly", "fusebill": "Fusebill"}[provider]
    assert f"{name}: answered with a redirect, which was not followed (code 302)" in text
    assert rows(provider) == before


def test_the_pdf_proxy_does_not_follow_a_redirect_either(staff_client, customer, fault):
    invoice = Invoice.objects.filter(account__kind="fusebill").first()
    fault(provider="fusebill", fault="redirect", times=1)
    response = staff_client.get(reverse("invoice-pdf", args=[invoice.pk]))
    assert response.status_code == 302 and response.url == invoice.get_absolute_url()
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert (
        message == "The PDF could not be fetched: Fusebill: answered with a redirect, which was not followed (code 302)"
    )


@pytest.mark.parametrize("provider", ["qvickly", "fusebill"])
def test_a_reply_trickling_a_byte_at_a_time_ends_at_the_deadline(customer, fault, settings, provider):
    settings.PROVIDER_CALL_DEADLINE = 0.5
    settings.PROVIDER_READ_TIMEOUT = 5  # each byte comes well within it
    fault(provider=provider, fault="trickle", delay=0.05)
    account = ProviderAccount.objects.get(kind=provider)
    started = time.monotonic()
    with pytest.raises(ProviderError, match=r"did not finish its reply within 0\.5 seconds"):
        account.client().customer_invoices(identity=customer.identity_number)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("provider", ["qvickly", "fusebill"])
def test_a_reply_over_the_size_cap_is_refused_whether_announced_or_streamed(customer, fault, settings, provider):
    account = ProviderAccount.objects.get(kind=provider)
    settings.PROVIDER_MAX_REPLY_BYTES = 400
    # Announced: the normal reply carries a Content-Length over the cap.
    with pytest.raises(ProviderError, match="sent a reply larger than the 400 bytes allowed"):
        account.client().customer_invoices(identity=customer.identity_number)
    # Streamed: no Content-Length, so the cap holds while reading.
    fault(provider=provider, fault="trickle", delay=0.0005)
    with pytest.raises(ProviderError, match="sent a reply larger than the 400 bytes allowed"):
        account.client().customer_invoices(identity=customer.identity_number)


@pytest.mark.parametrize("provider", ["qvickly", "fusebill"])
def test_json_nested_beyond_reason_is_the_providers_error_on_the_page(staff_client, customer, fault, provider):
    before = rows(provider)
    fault(provider=provider, fault="deep_json")
    text = refresh(staff_client, customer)
    name = {"qvickly": "Qvickly", "fusebill": "Fusebill"}[provider]
    assert f"{name}: sent a reply nested too deeply to read" in text
    assert rows(provider) == before


def test_the_admins_connection_test_reports_unreadable_json_instead_of_failing(
    client, django_user_model, qvickly_account, fusebill_account, fault
):
    client.force_login(django_user_model.objects.create_superuser("admin", password="pw"))
    fault(provider="fusebill", fault="deep_json")
    response = client.post(
        reverse("admin:invoices_provideraccount_changelist"),
        {"action": "test_connection", "_selected_action": [fusebill_account.pk, qvickly_account.pk]},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Fusebill: Fusebill: sent a reply nested too deeply to read" in text
    assert "Qvickly SE: the connection works." in text


def test_control_characters_from_a_provider_never_reach_the_cache(staff_client, customer, fault):
    fault(provider="fusebill", fault="control_characters")
    text = refresh(staff_client, customer)
    assert "could not be refreshed" not in text
    stored = Invoice.objects.filter(account__kind="fusebill")
    assert stored.exists()
    for invoice in stored:
        assert "\x00" not in invoice.provider_status and "\x07" not in invoice.provider_status
        assert "\x00" not in str(invoice.raw) and "\x1b" not in str(invoice.raw) and "\ud800" not in str(invoice.raw)
    assert "\x00" not in (Customer.objects.get().name + Customer.objects.get().email)


def test_only_web_links_from_provider_data_are_kept():
    from invoices.providers.base import web_url

    assert web_url("https://documents.example/x.pdf") == "https://documents.example/x.pdf"
    assert web_url(" http://a.example/ ") == "http://a.example/"
    for hostile in ("javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd", "//no-scheme", "https:"):
        assert web_url(hostile) == ""


@pytest.mark.parametrize("debug,sandbox,allowed", [(False, False, False), (True, False, True), (False, True, True)])
def test_an_accounts_base_url_must_be_https_outside_development_and_the_sandbox(db, settings, debug, sandbox, allowed):
    settings.DEBUG, settings.SANDBOX_ENABLED = debug, sandbox
    account = ProviderAccount(name="F", kind="fusebill", base_url="http://secure.fusebill.com/v1", secret="k")
    if allowed:
        account.full_clean()
    else:
        with pytest.raises(ValidationError, match="must start with https://"):
            account.full_clean()


# Invoices that leave the provider -------------------------------------------------------


@pytest.fixture
def departed(customer, fusebill_account):
    """A cached Fusebill invoice of the customer that the provider no longer lists."""
    return cached_invoice(fusebill_account, customer, "999999001", "700.00", due_date=timezone.localdate())


def test_an_invoice_a_complete_listing_no_longer_returns_is_kept_marked_and_left_out_of_totals(
    staff_client, customer, departed
):
    before = {row["currency"]: row["owed"] for row in customer.invoices.totals(aging_today())}
    refresh(staff_client, customer)
    departed.refresh_from_db()
    assert departed.gone_at is not None
    assert Invoice.objects.filter(account__kind="fusebill", gone_at__isnull=True).count() > 0
    after = {row["currency"]: row["owed"] for row in customer.invoices.totals(aging_today())}
    assert after["SEK"] == before["SEK"] - Decimal("700.00")
    page = staff_client.get(customer.get_absolute_url(), {"sort": "-total"}).content.decode()
    assert "No longer at the provider" in page and ">999999001</a>" in page


def test_a_listing_that_fails_part_way_marks_nothing_as_gone(staff_client, qvickly_account, fusebill_account, fault):
    staff_client.post(reverse("search"), {"q": world().samples()["big"]})  # hundreds of invoices, several pages
    big = Customer.objects.get()
    gone = Invoice.objects.filter(account=fusebill_account, customer=big).first()
    gone.pk, gone.provider_id, gone.number = None, "999999002", "999999002"
    gone.save()
    # The customer and the first page of invoices, then 503 for the rest.
    fault(provider="fusebill", fault="http_503", after=2)
    refresh(staff_client, big)
    assert not Invoice.objects.filter(gone_at__isnull=False).exists()


def aging_today():
    from invoices.aging import Aging

    return Aging.today()


def test_control_characters_in_a_providers_error_message_never_reach_the_page_or_the_cache(
    staff_client, customer, qvickly_account, reading
):
    # Signed errors are verified over the text as sent, so they are read before any
    # cleaning; the error itself must still come out clean (PostgreSQL refuses NUL).
    reading(qvickly_error_text="control", qvickly_auth_error="signed")
    qvickly_account.secret = "rotated"
    qvickly_account.save()
    text = refresh(staff_client, customer)
    link = customer.links.get(account=qvickly_account)
    assert link.credentials_rejected and "(code 9013)" in link.error
    assert not any(c in link.error for c in "\x00\x07")
    assert "\x00" not in text


def test_a_listing_that_comes_back_shorter_than_counted_is_not_used(
    staff_client, qvickly_account, fusebill_account, reading
):
    staff_client.post(reverse("search"), {"q": world().samples()["big"]})  # hundreds of invoices
    big = Customer.objects.get()
    before = rows("fusebill")
    # The emulator serves 50 where 100 were asked for: the first page looks like the last.
    reading(fusebill_max_page_size="50")
    text = refresh(staff_client, big)
    assert "Fusebill: listed 50 of the" in text and "the listing was not used" in text
    assert rows("fusebill") == before and not Invoice.objects.filter(gone_at__isnull=False).exists()


def test_a_customer_number_search_never_takes_the_persons_other_invoices_for_gone(
    staff_client, customer, qvickly_account
):
    link = customer.links.get(account=qvickly_account)
    elsewhere = cached_invoice(qvickly_account, customer, "888888001", "100.00")
    staff_client.post(reverse("search"), {"q": link.provider_customer_id})
    elsewhere.refresh_from_db()
    assert elsewhere.gone_at is None


def test_rows_written_after_a_listing_was_asked_for_are_not_taken_for_gone(customer, fusebill_account):
    from invoices import sync
    from invoices.providers import CustomerRecord

    link = customer.links.get(account=fusebill_account)
    asked_at = timezone.now()
    newer = cached_invoice(fusebill_account, customer, "777777001", "50.00")  # written by another refresh since
    sync.write_invoices(link, CustomerRecord(link.provider_customer_id), complete_since=asked_at)
    newer.refresh_from_db()
    assert newer.gone_at is None


def test_an_invoice_found_gone_still_counts_in_totals_as_of_days_before(customer, departed):
    from datetime import timedelta

    from invoices.aging import Aging

    departed.gone_at = timezone.now()
    departed.save()
    yesterday = Aging(as_of=timezone.localdate() - timedelta(days=1))
    numbers = customer.invoices.as_of(yesterday.as_of).values_list("number", flat=True)
    assert "999999001" in numbers
    assert "999999001" not in customer.invoices.as_of(timezone.localdate()).values_list("number", flat=True)


def test_an_account_saved_with_a_plain_http_url_is_not_called_outside_development(customer, fusebill_account, settings):
    settings.DEBUG, settings.SANDBOX_ENABLED = False, False
    assert fusebill_account.base_url.startswith("http://")  # saved while the sandbox was on
    with pytest.raises(ProviderError, match="is set up with a URL that is not https"):
        fusebill_account.client()


def test_a_cached_link_that_is_not_a_web_address_is_never_rendered(staff_client, customer):
    invoice = Invoice.objects.filter(account__kind="qvickly").first()
    Invoice.objects.filter(pk=invoice.pk).update(pdf_url="javascript:alert(1)")
    page = staff_client.get(invoice.get_absolute_url()).content.decode()
    assert "javascript:" not in page
    assert staff_client.get(reverse("invoice-pdf", args=[invoice.pk])).status_code == 404


@pytest.fixture
def trickling_headers():
    """A server on loopback that sends its status line and headers a byte every
    50 ms, as no emulator can (the WSGI server writes headers at once)."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 200:
                if done.is_set():
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    done.set()
    listener.close()


def test_a_reply_trickling_its_headers_ends_at_the_deadline_too(trickling_headers, settings):
    from invoices.providers.base import Session

    settings.PROVIDER_CALL_DEADLINE = 0.5
    settings.PROVIDER_READ_TIMEOUT = 5  # each byte comes well within it
    started = time.monotonic()
    with pytest.raises(ProviderError, match=r"did not finish its reply within 0\.5 seconds"):
        Session("Provider").request("GET", trickling_headers)
    assert time.monotonic() - started < 1.5
