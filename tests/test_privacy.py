"""Secrets stay encrypted and unseen; personal number lookups are audited; headers harden every page."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from invoices.models import Customer, LookupAudit, ProviderAccount
from sandbox.world import QVICKLY_MERCHANTS, world

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def admin_client(django_user_model):
    """A superuser's own browser, beside the staff member's."""
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    return client


@pytest.fixture
def added_account(admin_client, sandbox_url):
    eid, secret = next(iter(QVICKLY_MERCHANTS.items()))
    response = admin_client.post(
        reverse("admin:invoices_provideraccount_add"),
        {
            "name": "Qvickly SE",
            "kind": "qvickly",
            "active": "on",
            "base_url": sandbox_url + "qvickly/",
            "merchant_id": eid,
            "secret": secret,
            "currency": "SEK",
            "identity_field": "reference",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ProviderAccount.objects.get(name="Qvickly SE"), secret


def test_a_secret_is_in_no_admin_page_no_log_line_and_not_in_the_database_column(admin_client, added_account, caplog):
    account, secret = added_account
    caplog.set_level(logging.DEBUG)
    pages = [
        reverse("admin:invoices_provideraccount_changelist"),
        reverse("admin:invoices_provideraccount_change", args=[account.pk]),
        reverse("admin:invoices_provideraccount_history", args=[account.pk]),
        reverse("admin:invoices_provideraccount_delete", args=[account.pk]),
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200
        assert secret not in response.content.decode(), page
    admin_client.post(
        reverse("admin:invoices_provideraccount_changelist"),
        {"action": "test_connection", "_selected_action": [account.pk]},
    )
    assert secret not in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM invoices_provideraccount WHERE id = %s", [account.pk])
        [stored] = cursor.fetchone()
    assert stored != secret and secret not in stored
    assert ProviderAccount.objects.get().secret == secret


def test_saving_with_a_blank_secret_keeps_the_current_one(admin_client, added_account):
    account, secret = added_account
    admin_client.post(
        reverse("admin:invoices_provideraccount_change", args=[account.pk]),
        {
            "name": "Renamed",
            "kind": "qvickly",
            "active": "on",
            "base_url": account.base_url,
            "merchant_id": account.merchant_id,
            "secret": "",
            "currency": "SEK",
            "identity_field": "reference",
            "language": "sv",
        },
    )
    account.refresh_from_db()
    assert (account.name, account.secret) == ("Renamed", secret)


def test_test_connection_reports_success_or_the_providers_own_message(admin_client, added_account):
    account, _ = added_account
    broken = ProviderAccount.objects.create(
        name="Wrong secret",
        kind="qvickly",
        base_url=account.base_url,
        merchant_id=account.merchant_id,
        secret="nope",
        language="en",
    )
    response = admin_client.post(
        reverse("admin:invoices_provideraccount_changelist"),
        {"action": "test_connection", "_selected_action": [account.pk, broken.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Qvickly SE: the connection works." in text
    assert "Wrong secret: Qvickly: Authentication failed. (code 9013)" in text


def test_staff_who_are_not_superusers_cannot_see_credentials(client, django_user_model, added_account):
    user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    assert client.get(reverse("admin:invoices_provideraccount_changelist")).status_code == 403


def test_every_lookup_by_number_is_audited_without_storing_the_number(staff_client, qvickly_account):
    person = world().samples()["person"]
    staff_client.post(reverse("search"), {"q": person})
    staff_client.post(reverse("search"), {"q": f"{person[2:8]}-{person[8:]}"})
    staff_client.post(reverse("search"), {"q": "550101-1018"})  # nobody has it
    first, second = LookupAudit.objects.of_number(person).order_by("pk")
    customer = Customer.objects.with_number(person).get()
    assert (first.user.username, first.masked_number, first.customer, first.source) == (
        "staff",
        f"{person[:8]}-XXXX",
        customer,
        "provider",
    )
    assert first.result_count == second.result_count == customer.invoices.count() > 0
    assert second.source == "cache"
    assert LookupAudit.objects.of_number("195501011018").get().result_count == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM invoices_lookupaudit")
        assert not any(person in str(value) or person[2:] in str(value) for row in cursor.fetchall() for value in row)


def test_the_audit_log_finds_every_lookup_of_a_number_by_post_and_cannot_be_edited(
    admin_client, staff_client, qvickly_account
):
    person = world().samples()["person"]
    staff_client.post(reverse("search"), {"q": person})
    entry = LookupAudit.objects.get()
    found = admin_client.post(reverse("admin:invoices_lookupaudit_find"), {"number": f"{person[2:8]}-{person[8:]}"})
    assert "1 lookup of" in found.content.decode() and person not in found.content.decode()
    assert admin_client.get(reverse("admin:invoices_lookupaudit_find")).status_code == 405
    assert (
        admin_client.post(reverse("admin:invoices_lookupaudit_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(reverse("admin:invoices_lookupaudit_change", args=[entry.pk]), {"masked_number": "x"})
    assert LookupAudit.objects.get().masked_number == entry.masked_number


def test_revealing_a_number_needs_the_permission_and_is_audited(client, django_user_model, qvickly_account):
    user = django_user_model.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    client.force_login(user)
    person = world().samples()["person"]
    page = client.get(client.post(reverse("search"), {"q": person}).url).content.decode()
    assert "Reveal</button>" in page and person[8:] not in page.split("<main")[1].split("Invoices")[0]
    customer = Customer.objects.get()
    revealed = client.post(
        reverse("customer-reveal", args=[customer.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert f"{person[:8]}-{person[8:]}" in revealed
    assert LookupAudit.objects.filter(action="reveal", user=user, customer=customer).count() == 1


@pytest.mark.parametrize("url", ["/login/", "/", "/aging/", "/admin/login/"])
def test_every_response_carries_the_hardening_headers(staff_client, url):
    response = staff_client.get(url, secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_session_and_csrf_cookies_are_secure_and_http_only(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "anna", "password": "a-long-password"})
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies.get(name) or client.cookies[name]
        assert cookie["secure"] and cookie["httponly"], name


def test_the_pages_carry_no_inline_script_or_style(staff_client, qvickly_account):
    staff_client.post(reverse("search"), {"q": world().samples()["person"]})
    for url in ["/", "/aging/", Customer.objects.get().get_absolute_url()]:
        page = staff_client.get(url).content.decode()
        assert "<style" not in page and " style=" not in page
        assert all('src="' in tag.split(">")[0] for tag in page.split("<script")[1:])


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "arportal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x7#k2!" * 12,
        "FIELD_ENCRYPTION_KEY": "another-long-random-value",
        "AUDIT_HASH_KEY": "a-third-long-random-value",
        "IDENTITY_INDEX_KEY": "a-fourth-long-random-value",
        "ALLOWED_HOSTS": "arportal.example.se",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "/admin/invoices/customer/?identity_number=195501011018",
        "/admin/invoices/customer/?identity_number__startswith=1955",
        "/admin/invoices/invoice/?raw__icontains=5501011018",
        "/admin/invoices/invoice/?customer__identity_number=195501011018",
    ],
)
def test_the_admin_refuses_filters_that_would_search_personal_numbers(read_only_client, url):
    assert read_only_client.get(url).status_code == 400


def manage_check_with_the_sandbox(**env):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "arportal.settings",
        "SECRET_KEY": "x7#k2!" * 12,
        "FIELD_ENCRYPTION_KEY": "k" * 40,
        "AUDIT_HASH_KEY": "a" * 40,
        "IDENTITY_INDEX_KEY": "i" * 40,
        "ALLOWED_HOSTS": "arportal.example.se",
        "DATABASE_URL": "sqlite:///:memory:",
        "SANDBOX_ENABLED": "1",
        **env,
    }
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_sandbox_refuses_to_start_when_debug_is_off():
    result = manage_check_with_the_sandbox()  # DEBUG unset: off
    assert result.returncode != 0
    assert "SANDBOX_ENABLED is on while DEBUG is off" in result.stderr


def test_the_sandbox_starts_while_developing():
    result = manage_check_with_the_sandbox(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_provider_texts_are_masked_before_they_reach_a_page_or_a_log():
    from invoices.providers import ProviderError

    error = ProviderError(
        "Fusebill", "No customer 19830510-7529 here", detail="GET /customers?query=reference%3A198305107529"
    )
    assert "7529" not in str(error) and "7529" not in error.detail
