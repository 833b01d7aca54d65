"""Qvickly's errors as staff read them: which can be trusted, and whose fault each is.

Over real HTTP against the emulator, playing each way the docs allow an error to come.
"""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from invoices.models import Customer, CustomerLink, Invoice
from invoices.providers import CredentialsRejected, NotFound, ProviderError
from sandbox.world import world

# Valid, and held by nobody in the sandbox's world.
UNKNOWN = "195501011018"


def test_the_documented_top_level_error_is_never_taken_as_not_found(qvickly_client):
    # The top-level shape of docs/providers.md, verbatim: it carries no signature.
    top_level = {"code": "5201", "message": "Invoice number 12345 does not exist.", "logid": "1234567"}
    with pytest.raises(ProviderError) as caught:
        qvickly_client.unwrap(top_level)
    assert not isinstance(caught.value, NotFound)
    assert not caught.value.permanent
    assert caught.value.code == "5201"
    assert str(caught.value.message) == (
        "sent an unsigned error, which cannot be trusted: Invoice number 12345 does not exist."
    )


@pytest.mark.parametrize(
    ("body", "english", "swedish"),
    [
        (
            {"code": "5201", "message": "Kund 197001011234 finns inte."},
            "Qvickly: sent an unsigned error, which cannot be trusted: Kund 19700101-XXXX finns inte. (code 5201)",
            "Qvickly: skickade ett osignerat fel, som inte går att lita på: Kund 19700101-XXXX finns inte. (kod 5201)",
        ),
        (
            {"code": "5201"},
            "Qvickly: sent an unsigned error, which cannot be trusted: no message (code 5201)",
            "Qvickly: skickade ett osignerat fel, som inte går att lita på: inget meddelande (kod 5201)",
        ),
    ],
)
def test_an_error_kept_as_data_is_worded_in_the_readers_language_with_personal_numbers_masked(
    qvickly_client, body, english, swedish
):
    with translation.override("sv"), pytest.raises(ProviderError) as caught:
        qvickly_client.unwrap(body)
    # As the link keeps it: JSON, read back later by a page in any language.
    kept = json.loads(json.dumps(caught.value.as_data()))
    assert "197001011234" not in json.dumps(kept)
    for language, words in (("en", english), ("sv", swedish)):
        with translation.override(language):
            assert str(ProviderError.from_data(kept)) == words


@pytest.mark.parametrize("pno_match", ["any", "strict", "dashed"])
@pytest.mark.parametrize("answer", ["code", "empty"])
def test_a_signed_not_found_or_a_signed_empty_list_means_no_invoices(qvickly_client, reading, answer, pno_match):
    reading(qvickly_unknown_pno=answer, qvickly_pno_match=pno_match)
    assert qvickly_client.customer_invoices(UNKNOWN) is None


def test_an_unsigned_not_found_is_a_transport_error_and_not_no_invoices(qvickly_client, reading):
    reading(qvickly_unknown_pno="unsigned")
    with pytest.raises(ProviderError) as caught:
        qvickly_client.customer_invoices(UNKNOWN)
    assert type(caught.value) is ProviderError
    assert caught.value.code == "8010" and not caught.value.permanent


def test_a_lookup_answered_by_an_unsigned_not_found_names_the_problem_and_stores_nothing(
    staff_client, qvickly_account, reading
):
    reading(qvickly_unknown_pno="unsigned")
    text = staff_client.post(reverse("search"), {"q": UNKNOWN}).content.decode()
    assert "<strong>Qvickly SE</strong> could not be asked: Qvickly: sent an unsigned error" in text
    assert "(code 8010)" in text
    assert not Customer.objects.exists() and not CustomerLink.objects.exists()


@pytest.mark.parametrize("refusal", ["unsigned", "signed"])
def test_a_wrong_secret_is_rejected_credentials_however_the_refusal_is_signed(qvickly_account, reading, refusal):
    reading(qvickly_auth_error=refusal)
    qvickly_account.secret = "not-the-secret"
    with pytest.raises(CredentialsRejected) as caught:
        qvickly_account.client().account_info()
    assert caught.value.code == "9013" and caught.value.permanent
    assert caught.value.message == "Autentisering misslyckades."


def test_a_refusal_signed_with_the_real_secret_asks_staff_to_check_the_credentials(
    staff_client, qvickly_account, reading
):
    person = world().samples()["person"]
    customer_url = staff_client.post(reverse("search"), {"q": person}).url
    before = list(Invoice.objects.order_by("pk").values())
    reading(qvickly_auth_error="signed")
    qvickly_account.secret = "rotated-at-the-provider"
    qvickly_account.save()
    response = staff_client.post(reverse("customer-refresh", args=[before[0]["customer_id"]]), follow=True)
    assert response.redirect_chain[-1][0] == customer_url.removesuffix("?via=lookup")
    text = response.content.decode()
    said = "<strong>Qvickly SE</strong> rejected our credentials: Qvickly: Autentisering misslyckades. (code 9013)"
    assert said in text
    assert "Check the credentials of this account in the admin" in text
    assert "signature" not in text
    assert list(Invoice.objects.order_by("pk").values()) == before
