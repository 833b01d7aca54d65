"""Customers: Swedish people and companies with valid, unique numbers, names and addresses.

Names carry å, ä and ö, as Swedish names do: every encoding on the way has to
keep them.
"""

import dataclasses
import datetime
import random

from localflavor.se.utils import id_number_checksum

from sandbox.world.records import Customer

FEMALE_NAMES = (
    "Anna",
    "Maria",
    "Karin",
    "Eva",
    "Lena",
    "Kerstin",
    "Ingrid",
    "Birgitta",
    "Åsa",
    "Märta",
    "Sofia",
    "Elin",
    "Linnéa",
    "Ebba",
    "Maja",
    "Astrid",
    "Göta",
    "Signe",
    "Sölve",
    "Agnes",
    "Ylva",
    "Frida",
    "Britt-Marie",
    "Märit",
)
MALE_NAMES = (
    "Lars",
    "Erik",
    "Anders",
    "Johan",
    "Per",
    "Karl",
    "Nils",
    "Björn",
    "Göran",
    "Håkan",
    "Jörgen",
    "Åke",
    "Mattias",
    "Olof",
    "Sören",
    "Pär",
    "Gösta",
    "Stig",
    "Oskar",
    "Axel",
    "Måns",
    "Tore",
    "Ville",
    "Östen",
)
LAST_NAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Lindqvist",
    "Åberg",
    "Öberg",
    "Ängström",
    "Sjöström",
    "Björklund",
    "Hägglund",
    "Löfgren",
    "Nordström",
    "Bäckström",
    "Strömberg",
    "Åkesson",
    "Söderberg",
    "Höglund",
    "Blomqvist",
    "Ek",
    "Lundgren",
    "Forsén",
    "Wåhlin",
    "Dahlström",
)
COMPANY_WORDS = (
    "Norrsken",
    "Fjällbacka",
    "Östgöta",
    "Sjöbris",
    "Älvdal",
    "Skärgårds",
    "Göta",
    "Mälardalens",
    "Björk",
    "Lövsta",
    "Hälsinge",
    "Vänerns",
    "Råsunda",
    "Kärrtorps",
    "Ängsö",
    "Bäckby",
    "Åre",
    "Söder",
    "Strömsholms",
    "Högbo",
)
COMPANY_TRADES = (
    "Bygg",
    "Måleri",
    "Konsult",
    "Elteknik",
    "Redovisning",
    "Städservice",
    "Trädgård",
    "Bageri",
    "Rörmokeri",
    "Design",
    "Transport",
    "Fastigheter",
    "Kafé",
    "Snickeri",
    "VVS",
    "Kök & Bar",
)
# (suffix, first two digits, lowest third and fourth digits): the group digit
# (2, 5, 7, 8, 9) and third/fourth digits >= 20 are what make it an
# organisation number rather than a personnummer. Repeats weight the draw.
COMPANY_FORMS = (
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("AB", "55", 60),
    ("HB", "96", 20),
    ("Ekonomisk förening", "76", 20),
    ("Ideell förening", "80", 20),
)
STREETS = (
    "Storgatan",
    "Kungsgatan",
    "Drottninggatan",
    "Vasagatan",
    "Östra Hamngatan",
    "Sörbyvägen",
    "Björkvägen",
    "Ängsvägen",
    "Skolgatan",
    "Järnvägsgatan",
    "Kyrkogatan",
    "Åsgatan",
    "Hälsovägen",
    "Lövängsvägen",
    "Strandvägen",
    "Tallbacken",
)
CITIES = (
    ("Stockholm", "11"),
    ("Göteborg", "41"),
    ("Malmö", "21"),
    ("Uppsala", "75"),
    ("Västerås", "72"),
    ("Örebro", "70"),
    ("Linköping", "58"),
    ("Helsingborg", "25"),
    ("Jönköping", "55"),
    ("Norrköping", "60"),
    ("Umeå", "90"),
    ("Luleå", "97"),
    ("Gävle", "80"),
    ("Sundsvall", "85"),
    ("Växjö", "35"),
    ("Östersund", "83"),
    ("Borås", "50"),
    ("Kalmar", "39"),
    ("Mölndal", "43"),
    ("Södertälje", "15"),
)
PERSON_DOMAINS = ("example.com", "example.net", "example.org")
ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "&": ""})

# How many of each; the first of each of the three showcase kinds comes first.
PERSONS, COORDINATION, CENTENARIANS, COMPANIES = 140, 22, 12, 80
FUSEBILL_ONLY_PERSONS, FUSEBILL_ONLY_COMPANIES = 8, 6


def customers(rng: random.Random) -> list[Customer]:
    people = _People(rng)
    qvickly = [people.person("normal"), people.person("coordination"), people.company()]
    qvickly += [people.person("normal") for _ in range(PERSONS - 1)]
    qvickly += [people.person("coordination") for _ in range(COORDINATION - 1)]
    qvickly += [people.person("centenarian") for _ in range(CENTENARIANS)]
    qvickly += [people.company() for _ in range(COMPANIES - 1)]
    # Customer numbers are five digits from 20000 up, so they never collide
    # with the documentation examples' "12345" and "123456".
    numbers = rng.sample(range(20000, 100000), len(qvickly))
    customers = [dataclasses.replace(c, qvickly_number=str(n)) for c, n in zip(qvickly, numbers, strict=True)]
    customers += [people.person("normal") for _ in range(FUSEBILL_ONLY_PERSONS)]
    customers += [people.company() for _ in range(FUSEBILL_ONLY_COMPANIES)]
    return customers


class _People:
    """Draws unique identities, names and e-mail addresses."""

    def __init__(self, rng):
        self.rng = rng
        self.identities = set()
        self.emails = set()
        self.company_names = set()

    def person(self, kind):
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        identity = self._person_number(kind, female)
        email = self._email(f"{_slug(first)}.{_slug(last)}", rng.choice(PERSON_DOMAINS))
        return Customer(identity, f"{first} {last}", email, False, None, **self._address())

    def company(self):
        rng = self.rng
        suffix, group, low = rng.choice(COMPANY_FORMS)
        name, brand = self._company_name(suffix)
        contact = self.person("normal")
        email = self._email(rng.choice(("faktura", "ekonomi", "info")), f"{_slug(brand)}.example")
        return Customer(
            self._organisation_number(group, low),
            name,
            email,
            True,
            None,
            contact=contact.name,
            signer_identity=contact.identity,
            **self._address(),
        )

    def _person_number(self, kind, female):
        rng = self.rng
        while True:
            if kind == "centenarian":
                # Born before 1926: 100 or older for good, written with + in 10 digits.
                born = datetime.date(1908, 1, 1) + datetime.timedelta(rng.randrange(17 * 365))
            else:
                born = datetime.date(1940, 1, 1) + datetime.timedelta(rng.randrange(65 * 365))
            day = born.day + 60 if kind == "coordination" else born.day
            # The ninth digit is even for women and odd for men.
            serial = f"{rng.randrange(100):02d}{rng.randrange(0 if female else 1, 10, 2)}"
            yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
            parts = {"year": yymmdd[:2], "month": yymmdd[2:4], "day": yymmdd[4:], "serial": serial}
            number = f"{born.year // 100}{yymmdd}{serial}{id_number_checksum(parts)}"
            if number not in self.identities:
                self.identities.add(number)
                return number

    def _organisation_number(self, group, low):
        rng = self.rng
        while True:
            digits = f"{group}{rng.randrange(low, 100):02d}{rng.randrange(100000):05d}"
            parts = {"year": digits[:2], "month": digits[2:4], "day": digits[4:6], "serial": digits[6:9]}
            number = f"{digits}{id_number_checksum(parts)}"
            if number not in self.identities:
                self.identities.add(number)
                return number

    def _company_name(self, suffix):
        """The full name and the part of it an e-mail domain is made from."""
        while True:
            brand = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_TRADES)}"
            if brand not in self.company_names:
                self.company_names.add(brand)
                return f"{brand} {suffix}", brand

    def _email(self, local, domain):
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _address(self):
        rng = self.rng
        city, zip_prefix = rng.choice(CITIES)
        return {
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 80)}",
            "zip_code": f"{zip_prefix}{rng.randrange(10)} {rng.randrange(100):02d}",
            "city": city,
            "phone": f"07{rng.choice('0236')}-{rng.randrange(1000):03d} {rng.randrange(100):02d} "
            f"{rng.randrange(100):02d}",
        }


def _slug(text):
    return "".join(ch for ch in text.lower().translate(ASCII) if ch.isalnum() or ch in ".-")
