"""Every page needs a logged-in staff user, and roles decide who may refresh or reveal."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from invoices.models import Customer, ProviderAccount
from tests.conftest import cached_invoice

# The admin has its own login; the sandbox emulates provider APIs, not pages.
OUTSIDE = {"admin", "sandbox"}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            top = str(entry.pattern).strip("/^")
            if top.split("/")[0] not in OUTSIDE:
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry


# The language switch serves the login page too: it sets a cookie (and a logged-in
# user's own preference), shows nothing (tests/test_i18n.py).
PAGES = sorted(p.name for p in walk(get_resolver().url_patterns) if p.name not in {"login", "logout", "set_language"})


@pytest.fixture
def objects(db):
    account = ProviderAccount.objects.create(
        name="Q", kind="qvickly", base_url="http://127.0.0.1:9/", secret="s", active=False
    )
    customer = Customer.objects.create(name="Anna", identity_number="195501011018")
    cached_invoice(account, customer)
    return customer


def url_of(name, customer):
    pattern = next(p for p in walk(get_resolver().url_patterns) if p.name == name)
    return reverse(
        name,
        kwargs={"pk": customer.invoices.get().pk if "invoice" in name else customer.pk}
        if "pk" in pattern.pattern.converters
        else {},
    )


def test_the_walk_finds_every_page():
    assert {
        "home",
        "search",
        "aging",
        "aging-csv",
        "customer",
        "customer-refresh",
        "customer-reveal",
        "customer-csv",
        "invoice",
        "invoice-refresh",
        "invoice-pdf",
        "followup",
        "followup-assign",
        "followup-edit",
        "followup-note",
        "followup-promise",
        "followup-dispute",
    } <= set(PAGES)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, objects, name, method):
    response = getattr(client, method)(url_of(name, objects))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES)
def test_logged_in_users_who_are_not_staff_are_forbidden(client, django_user_model, objects, name, method):
    client.force_login(django_user_model.objects.create_user("clerk", password="pw"))
    assert getattr(client, method)(url_of(name, objects)).status_code == 403


@pytest.mark.parametrize("name", ["customer-refresh", "invoice-refresh"])
def test_a_read_only_user_cannot_trigger_a_refresh(read_only_client, objects, name):
    assert read_only_client.post(url_of(name, objects)).status_code == 403


def test_a_read_only_user_reads_every_page_without_a_refresh_button(read_only_client, objects):
    page = read_only_client.get(url_of("customer", objects)).content.decode()
    assert "Refresh from providers" not in page and "Anna" in page
    assert "Refresh detail" not in read_only_client.get(url_of("invoice", objects)).content.decode()


def test_only_users_allowed_to_reveal_see_the_reveal_button(staff_client, objects):
    assert "Reveal</button>" not in staff_client.get(url_of("customer", objects)).content.decode()
    assert staff_client.post(url_of("customer-reveal", objects)).status_code == 403


def test_the_login_page_logs_a_staff_user_in_and_logout_logs_out(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    response = client.post(reverse("login"), {"username": "anna", "password": "a-long-password"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    response = client.post(reverse("login"), {"username": "anna", "password": "nope"})
    assert "Your username and password didn't match" in response.content.decode()


def test_logins_are_locked_after_five_failures_for_that_username(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    for _ in range(5):
        client.post(reverse("login"), {"username": "anna", "password": "guess"})
    response = client.post(reverse("login"), {"username": "anna", "password": "a-long-password"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_failures_under_other_usernames_at_one_address_do_not_lock_a_colleague_out(client, django_user_model):
    # A lockout is per username and address together (tests/test_login_lockout.py).
    django_user_model.objects.create_user("bo", password="a-long-password", is_staff=True)
    for attempt in range(5):
        client.post(reverse("login"), {"username": f"user{attempt}", "password": "guess"})
    assert client.post(reverse("login"), {"username": "bo", "password": "a-long-password"}).status_code == 302


def test_every_post_needs_the_csrf_token_including_htmx_ones(django_user_model, objects):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    assert client.post(url_of("customer-refresh", objects), headers={"HX-Request": "true"}).status_code == 403
    page = client.get(url_of("customer", objects)).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
