"""How the Qvickly emulator reads personal and organisation numbers, on its own."""

import pytest

from sandbox.qvickly.identity import InvalidNumber, Number, read_number
from sandbox.world import world


def test_every_written_form_of_a_world_number_reads_as_its_canonical_form():
    for customer in world().customers:
        forms = {customer.identity, customer.short_identity, customer.short_identity.replace("-", "")}
        if not customer.is_company:
            forms.add(f"{customer.identity[:8]}-{customer.identity[8:]}")
        for form in forms:
            assert read_number(form) == Number(customer.identity, customer.is_company), form


def test_an_organisation_number_may_carry_the_16_prefix():
    assert read_number("16556762-5586") == Number("5567625586", is_company=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "5501011019",  # wrong check digit
        "19550101-101",  # a digit short
        "550101-A018",  # an interim number: no provider issues them
        "165501011018",  # 16 prefixes organisations only
        "551301-1014",  # no 13th month
    ],
)
def test_a_number_that_is_not_valid_is_refused(text):
    with pytest.raises(InvalidNumber):
        read_number(text)
