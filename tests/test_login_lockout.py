"""Lockouts and the client address behind a proxy.

A lockout is per username and address together: one person mistyping locks out
only that username from that address. The address is the connection's own
unless TRUSTED_PROXY_COUNT says how many proxies append to X-Forwarded-For;
django-axes reads it through django-ipware with the settings that count maps to.
"""

import pytest
from axes.helpers import get_client_ip_address as client_address
from django.test import Client
from django.urls import reverse

from arportal.proxies import ipware_proxy_settings

PASSWORD = "a-long-password"


@pytest.fixture
def colleagues(django_user_model):
    for name in ("anna", "bo"):
        django_user_model.objects.create_user(name, password=PASSWORD, is_staff=True)


def log_in(username, password=PASSWORD, **headers):
    """A fresh browser each time, as a colleague's would be."""
    return Client().post(reverse("login"), {"username": username, "password": password}, **headers)


def trust_proxies(settings, count):
    """What TRUSTED_PROXY_COUNT=count in the environment sets."""
    settings.AXES_IPWARE_PROXY_COUNT, settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ipware_proxy_settings(count)


def lock_out(username, **headers):
    for _ in range(5):
        log_in(username, "guess", **headers)


def test_a_user_locked_out_at_an_address_cannot_log_in_there(colleagues):
    lock_out("anna", REMOTE_ADDR="192.0.2.10")
    response = log_in("anna", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_a_colleague_at_the_same_office_address_still_logs_in(colleagues):
    lock_out("anna", REMOTE_ADDR="192.0.2.10")
    assert log_in("bo", REMOTE_ADDR="192.0.2.10").status_code == 302


def test_the_locked_out_user_still_logs_in_from_another_address(colleagues):
    # What per-username-and-address implies: the lock holds the guesser at one
    # address, not the account everywhere.
    lock_out("anna", REMOTE_ADDR="192.0.2.10")
    assert log_in("anna", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_by_default_a_forged_forwarded_for_is_ignored(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert client_address(request) == "10.0.0.2"


def test_without_a_proxy_count_a_forged_forwarded_for_is_ignored(rf, settings):
    trust_proxies(settings, 0)
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert client_address(request) == "192.0.2.10"


def test_without_a_proxy_count_a_forged_public_forwarded_for_is_ignored_too(rf, settings):
    # Left to itself ipware prefers a public address from the header to a private connection.
    trust_proxies(settings, 0)
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert client_address(request) == "10.0.0.2"


def test_behind_one_proxy_the_address_it_appended_is_the_clients(rf, settings):
    trust_proxies(settings, 1)
    # The client forged the first entry; the proxy appended what it really saw.
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.10")
    assert client_address(request) == "192.0.2.10"


def test_behind_one_proxy_a_request_without_the_header_counts_as_the_proxys(rf, settings):
    trust_proxies(settings, 1)
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(garbage) == "10.0.0.2"


def test_behind_two_proxies_the_address_the_outer_one_appended_is_the_clients(rf, settings):
    trust_proxies(settings, 2)
    # The outer proxy appended the client, the inner one appended the outer proxy.
    request = rf.get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.10, 10.0.0.2")
    assert client_address(request) == "192.0.2.10"


def test_behind_two_proxies_requests_that_skipped_one_share_a_single_lockout(colleagues, settings):
    # Too few entries: the request did not come through both proxies, so no address
    # is vouched for, not even the connection's; all such requests count as one.
    trust_proxies(settings, 2)
    lock_out("anna", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert log_in("anna", REMOTE_ADDR="10.0.0.9").status_code == 429
    assert log_in("anna", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2").status_code == 302


def test_without_a_proxy_count_forging_the_header_does_not_escape_a_lockout(colleagues, settings):
    trust_proxies(settings, 0)
    lock_out("anna", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert log_in("anna", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429


def test_behind_a_proxy_lockouts_follow_the_client_not_the_proxy(colleagues, settings):
    trust_proxies(settings, 1)
    proxy = "10.0.0.2"
    lock_out("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert log_in("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 429
    # Anna at home comes through the same proxy from another address.
    assert log_in("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_behind_a_proxy_a_forged_first_entry_does_not_escape_a_lockout(colleagues, settings):
    trust_proxies(settings, 1)
    proxy = "10.0.0.2"
    lock_out("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.10")
    forged = log_in("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.10")
    assert forged.status_code == 429
