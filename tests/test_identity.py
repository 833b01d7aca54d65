import pytest

from invoices import identity


@pytest.mark.parametrize(
    "text",
    ["550101-1018", "5501011018", "19550101-1018", "195501011018", " 550101 - 1018 "],
)
def test_every_common_form_of_a_personnummer_gives_the_same_canonical_number(text):
    assert identity.parse(text) == identity.Identity("195501011018", is_company=False)


def test_a_plus_sign_means_the_person_is_a_hundred_or_older():
    assert identity.parse("121212+1212").number == "191212121212"
    assert identity.parse("19121212-1212").number == "191212121212"


def test_a_samordningsnummer_has_sixty_added_to_the_day():
    assert identity.parse("701063-2391").number == "197010632391"


@pytest.mark.parametrize("text", ["556036-0793", "5560360793", "16556036-0793", "165560360793"])
def test_an_organisationsnummer_is_kept_as_ten_digits(text):
    assert identity.parse(text) == identity.Identity("5560360793", is_company=True)


def test_a_wrong_check_digit_says_so():
    with pytest.raises(identity.InvalidIdentity, match="check digit"):
        identity.parse("550101-1019")


def test_an_impossible_birth_date_says_so():
    # 19550230 has a valid check digit but February has no 30th.
    with pytest.raises(identity.InvalidIdentity, match="birth date"):
        identity.parse("550230-1038")


@pytest.mark.parametrize("text,count", [("5501011", 7), ("55010110181", 11)])
def test_the_wrong_number_of_digits_says_how_many_there_are(text, count):
    with pytest.raises(identity.InvalidIdentity, match=f"10 or 12 digits; this has {count}"):
        identity.parse(text)


def test_an_error_message_never_repeats_the_number():
    with pytest.raises(identity.InvalidIdentity) as caught:
        identity.parse("550101-1019")
    assert "550101" not in str(caught.value)


def test_personal_numbers_are_masked_and_organisation_numbers_are_not():
    assert identity.mask("195501011018") == "19550101-XXXX"
    assert identity.mask("5560360793") == "556036-0793"


@pytest.mark.parametrize(
    "text,expected",
    [("550101-1018", True), ("195501011018", True), ("12345", False), ("Anna Svensson", False), ("a@b.se", False)],
)
def test_short_digit_strings_and_words_are_not_taken_for_personal_numbers(text, expected):
    assert identity.looks_like_identity(text) is expected


def test_digits_of_other_scripts_are_refused_rather_than_stored_as_a_different_number():
    with pytest.raises(identity.InvalidIdentity, match="only digits"):
        identity.parse("٥٥٠١٠١١٠١٨")


@pytest.mark.parametrize(
    "text",
    [
        "19121212–1212",  # en dash, as word processors write it
        "19121212—1212",  # em dash
        "19121212−1212",  # minus sign
        "19121212.1212",
        "1912 1212 1212",
        "19121212\u00a01212",  # a non-breaking space from a pasted letter
        "19 12 12 12 - 12 12",
    ],
)
def test_dashes_dots_and_spaces_between_the_parts_are_read_as_the_number(text):
    assert identity.looks_like_identity(text)
    assert identity.parse(text) == identity.Identity("191212121212", is_company=False)


def test_a_plus_sign_still_counts_beside_dots_and_spaces():
    assert identity.parse("121212 + 1212").number == "191212121212"
    # Without a +, ten digits are someone under 100: the dot reads as the hyphen.
    assert identity.parse("121212.1212").number == identity.parse("121212-1212").number == "201212121212"


def test_an_en_dash_does_not_make_a_wrong_check_digit_right():
    with pytest.raises(identity.InvalidIdentity, match="check digit"):
        identity.parse("550101–1019")
