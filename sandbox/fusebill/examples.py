"""The documentation example (customer 123456 and his two invoices), served verbatim.

Its invoices are read by the same filters and sorts as the world's, so a
listing of them pages and filters like any other.
"""

import functools
import json
from decimal import Decimal
from pathlib import Path

from sandbox.fusebill.listing import timestamp

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_INVOICES = "fusebill_004_customer_invoices.json"
BAD_QUERY = "fusebill_004_error.json"
EXAMPLE_CUSTOMER_ID = 123456


class Example:
    """One invoice of the documentation example, readable by the same filters as the world's."""

    def __init__(self, position, raw):
        self.position = position
        self.raw = raw
        self.id = raw["id"]
        self.number = raw["invoiceNumber"]
        self.posted = timestamp(raw["postedTimestamp"])
        self.effective = timestamp(raw["effectiveTimestamp"])
        self.created = self.posted  # the example does not show it
        self.opening_ar = Decimal(raw["openingArBalance"])
        self.closing_ar = Decimal(raw["closingArBalance"])
        self.installments = len(raw["paymentSchedules"])
        self.po_number = raw["poNumber"]
        self.invoice_amount = Decimal(raw["invoiceAmount"])
        self.outstanding = Decimal(raw["outstandingBalance"])


@functools.cache
def example_bytes(filename: str) -> bytes:
    return (EXAMPLES_DIR / filename).read_bytes()


@functools.cache
def examples() -> tuple[Example, ...]:
    # parse_float=Decimal keeps 37.714285 exactly as written when it is served again.
    raw = json.loads(example_bytes(EXAMPLE_INVOICES), parse_float=Decimal)
    return tuple(Example(position, invoice) for position, invoice in enumerate(raw))
