"""Pages with personal data are never stored by a browser or a proxy."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_access import PAGES, objects, url_of  # noqa: F401  (objects is a fixture)


@pytest.fixture
def superuser_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    return client


def assert_not_stored(response):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, (response.status_code, response.get("Cache-Control"))


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_and_every_answer_to_a_form_is_sent_no_store(superuser_client, objects, name, method):  # noqa: F811
    # Customer, invoice, statement, exports, follow-up, search: whatever the status.
    assert_not_stored(getattr(superuser_client, method)(url_of(name, objects)))


def test_the_customer_pages_fragments_are_sent_no_store(superuser_client, objects):  # noqa: F811
    response = superuser_client.get(url_of("customer", objects), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert_not_stored(response)


def test_search_results_are_sent_no_store(superuser_client, objects):  # noqa: F811
    response = superuser_client.post(reverse("search"), {"q": "Ann"})
    assert response.status_code in (200, 302)
    assert_not_stored(response)


def test_the_exports_and_the_statement_download_are_sent_no_store(superuser_client, objects):  # noqa: F811
    for name in ("customer-csv", "customer-xlsx", "customer-statement-pdf", "overdue-csv", "aging-xlsx"):
        response = superuser_client.get(url_of(name, objects))
        assert response.status_code == 200, name
        assert_not_stored(response)


def test_the_admins_customer_pages_are_sent_no_store(superuser_client, objects):  # noqa: F811
    for url in (
        reverse("admin:invoices_customer_changelist"),
        reverse("admin:invoices_customer_change", args=[objects.pk]),
    ):
        response = superuser_client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response)


def test_the_login_page_is_sent_no_store(client):
    assert_not_stored(client.get(reverse("login")))


def test_static_files_carry_nothing_personal_and_stay_cacheable(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_htmx_keeps_no_copy_of_a_page_in_the_browsers_storage(superuser_client, objects):  # noqa: F811
    # htmx snapshots pages into localStorage for the back button (the follow-up list
    # pushes its URL); with no cache it asks the server again, with a full reload.
    page = superuser_client.get(reverse("followup")).content.decode()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']*)\'', page).group(1))
    assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True
