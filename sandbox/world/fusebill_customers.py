"""Which customers Fusebill knows: ids, billing currencies and how their number is written.

The customers with no Qvickly number exist only in Fusebill; BOTH_PROVIDERS of
the Qvickly customers (the "person" sample among them) exist in both under the
same identity number.
"""

import dataclasses
import random

from sandbox.world.records import Customer

# Qvickly customers who are Fusebill customers too; the "person" sample is one.
BOTH_PROVIDERS = 48
# Six-digit customer ids from here never meet the docs' customer 123456 or
# Qvickly's five-digit customer numbers.
FUSEBILL_IDS = range(510001, 530000)


def dashed(identity: str) -> str:
    """The written form with a dash: YYYYMMDD-NNNN for persons, NNNNNN-NNNN for companies."""
    return f"{identity[:-4]}-{identity[-4:]}"


def assign(rng: random.Random, customers: list[Customer], person: Customer) -> tuple[list[Customer], dict[str, str]]:
    """Fusebill ids, billing currencies and reference forms.

    Returns the customers (replaced where Fusebill knows them) and the
    identities of the Fusebill sample roles.
    """
    qvickly = [c for c in customers if c.qvickly_number and c.identity != person.identity]
    persons = [c for c in customers if not c.qvickly_number and not c.is_company]
    companies = [c for c in customers if not c.qvickly_number and c.is_company]
    both = [person, *rng.sample(qvickly, BOTH_PROVIDERS - 1)]
    roles = {
        "both": person.identity,
        "fusebill_only": persons[0].identity,
        "big": companies[0].identity,
        "huge": companies[1].identity,
    }
    # Scripted where a test or the demo needs it, drawn everywhere else.
    currencies = {
        persons[1].identity: "USD",
        persons[2].identity: "EUR",
        companies[2].identity: "EUR",
        companies[3].identity: "USD",
        companies[4].identity: "EUR",
    }
    written = {person.identity: "canonical", companies[0].identity: "canonical"}
    written |= {persons[0].identity: "dashed", companies[1].identity: "dashed"}
    fusebill = both + persons + companies
    also_qvickly = {c.identity for c in both}
    ids = sorted(rng.sample(FUSEBILL_IDS, len(fusebill)))
    updated = {}
    # Ids in a shuffled order: nothing may rely on id order matching anything else.
    for fusebill_id, customer in zip(ids, rng.sample(fusebill, len(fusebill)), strict=True):
        currency = currencies.get(customer.identity, "SEK")
        if customer.identity in also_qvickly and customer.is_company and rng.random() < 0.2:
            currency = "EUR"  # a Swedish company that Fusebill bills in euros
        form = written.get(customer.identity) or ("dashed" if rng.random() < 0.3 else "canonical")
        reference = dashed(customer.identity) if form == "dashed" else customer.identity
        updated[customer.identity] = dataclasses.replace(
            customer, fusebill_id=fusebill_id, currency=currency, fusebill_reference=reference
        )
    return [updated.get(c.identity, c) for c in customers], roles
