"""Every page needs a logged-in staff user."""

import pytest
from django.urls import reverse

PAGES = [
    ("get", "/"),
    ("get", "/search/"),
    ("post", "/search/"),
    ("get", "/customers/1/"),
    ("post", "/customers/1/refresh/"),
]


@pytest.mark.parametrize("method,url", PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method,url", PAGES)
def test_logged_in_users_who_are_not_staff_are_forbidden(client, django_user_model, method, url):
    client.force_login(django_user_model.objects.create_user("clerk", password="pw"))
    assert getattr(client, method)(url).status_code == 403


def test_the_login_page_logs_a_staff_user_in_and_logout_logs_out(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    response = client.post(reverse("login"), {"username": "anna", "password": "a-long-password"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Customers" in response.content
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_says_so(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-password", is_staff=True)
    response = client.post(reverse("login"), {"username": "anna", "password": "nope"})
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
