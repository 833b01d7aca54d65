"""Customers and invoices written as Fusebill writes them: seed 004's keys, in its order.

Money stays Decimal here; wire.py writes it as JSON numbers digit for digit.
"""

import datetime
from decimal import Decimal

from sandbox.fusebill.examples import EXAMPLE_CUSTOMER_ID, examples
from sandbox.world import world

ACCOUNT_NAME = "Sandlådan Abonnemang AB"
VAT_NUMBER = "SE559011223301"
SIGNATURE = (
    f"<p><strong>{ACCOUNT_NAME}</strong> \n</p>\n<p><em>faktura@sandladan-abonnemang.example | 08-123 456 78</em></p>\n"
)


def customer_json(customer, base: str) -> dict:
    invoices = world().fusebill_invoices_of(customer.fusebill_id)
    # Fusebill has no personal-number field: this account keeps it in both reference fields.
    reference = customer.fusebill_reference
    return {
        **_contact(customer),
        "reference": reference,
        "status": "Active",
        # Documented values: Good, PoorStanding (as soon as an invoice is overdue), Collection.
        "customerAccountStatus": customer.fusebill_account_status(invoices, world().today),
        "currency": customer.currency,
        "customerReference": {
            "reference1": reference,
            "reference2": customer.qvickly_number,  # the customer number in the other system, if any
            "reference3": None,
            "salesTrackingCodes": [],
        },
        **_account_nulls(),
        "arBalance": sum((invoice.outstanding for invoice in invoices), Decimal(0)),
        "id": customer.fusebill_id,
        "uri": f"{base}Customers/{customer.fusebill_id}",
    }


def example_customer(base: str) -> dict:
    """The customer of the documentation example, as the example's invoices describe him."""
    snapshot = examples()[0].raw["invoiceCustomer"]
    return {
        **{key: snapshot[key] for key in CONTACT_KEYS},
        "reference": "",
        "status": "Active",
        "customerAccountStatus": "Good",
        "currency": snapshot["currency"],
        "customerReference": {"reference1": None, "reference2": None, "reference3": None, "salesTrackingCodes": []},
        **_account_nulls(),
        "arBalance": sum((Decimal(e.raw["outstandingBalance"]) for e in examples()), Decimal(0)),
        "id": EXAMPLE_CUSTOMER_ID,
        "uri": f"{base}Customers/{EXAMPLE_CUSTOMER_ID}",
    }


CONTACT_KEYS = (
    "firstName",
    "middleName",
    "lastName",
    "companyName",
    "suffix",
    "primaryEmail",
    "primaryPhone",
    "secondaryEmail",
    "secondaryPhone",
    "title",
)


def _contact(customer):
    """Names as Fusebill splits them: a company's contact person, a person's own name."""
    first, _, last = (customer.contact if customer.is_company else customer.name).partition(" ")
    return {
        "firstName": first or None,
        "middleName": None,
        "lastName": last or None,
        "companyName": customer.name if customer.is_company else None,
        "suffix": None,
        "primaryEmail": customer.email,
        "primaryPhone": customer.phone,
        "secondaryEmail": None,
        "secondaryPhone": None,
        "title": "",
    }


def _account_nulls():
    return {
        "customerAcquisition": None,
        "monthlyRecurringRevenue": 0,
        "netMonthlyRecurringRevenue": 0,
        "salesforceId": None,
        "salesforceAccountType": None,
        "salesforceSynchStatus": None,
        "netsuiteId": None,
        "netsuiteCustomerType": None,
        "portalUserName": None,
        "parentId": None,
        "quickBooksLatchType": None,
        "quickBooksId": None,
        "quickBooksSyncToken": None,
    }


def _snapshot(customer):
    """The customer as the invoice recorded them: the seed's shape, ids and references null."""
    return {
        **_contact(customer),
        "reference": None,
        "status": None,
        "customerAccountStatus": None,
        "currency": customer.currency,
        "customerReference": None,
        **_account_nulls(),
        "id": 0,
        "uri": None,
    }


def invoice_json(invoice, customer, base: str, show_zero: bool = False) -> dict:
    """The seed 004 shape, key for key, in its order."""
    return {
        "invoiceNumber": invoice.number,
        "invoiceSignature": SIGNATURE,
        "poNumber": invoice.po_number,
        "effectiveTimestamp": _when(invoice.effective),
        "postedTimestamp": _when(invoice.posted),
        "modifiedTimestamp": _when(invoice.modified),
        "charges": [
            _charge(invoice, position, charge, base)
            for position, charge in enumerate(invoice.charges)
            if show_zero or charge.amount
        ],
        "subtotal": invoice.subtotal,
        "invoiceAmount": invoice.invoice_amount,
        "totalPayments": invoice.total_payments,
        "outstandingBalance": invoice.outstanding,
        "terms": invoice.terms,
        "customerId": invoice.customer_id,
        "invoiceCustomer": _snapshot(customer),
        "invoiceCustomerAddressPreference": _address_preference(customer),
        "sumOfCreditNotes": invoice.sum_of_credit_notes,
        "totalWriteoffs": invoice.total_writeoffs,
        # Neither the seed nor providers.md shows a tax; this is the Tax DTO of Fusebill's .NET wrapper.
        "taxes": [
            {"name": tax.name, "registrationCode": VAT_NUMBER, "percent": tax.percent, "total": tax.total}
            for tax in invoice.taxes
        ],
        "totalDiscount": invoice.total_discount,
        "paymentSchedules": [
            {
                "dueDateTimestamp": _when(schedule.due),
                "status": schedule.status,
                "amount": schedule.amount,
                "outstandingBalance": schedule.outstanding,
                "daysDueAfterTerm": schedule.days_due_after_term,
            }
            for schedule in invoice.schedules
        ],
        "notes": invoice.notes,
        "customerReferenceValue": customer.fusebill_reference,
        "openingArBalance": invoice.opening_ar,
        "closingArBalance": invoice.closing_ar,
        "invoiceInMemoryOnly": False,
        "invoiceRevisions": [],
        "id": invoice.id,
        "uri": f"{base}Invoices/{invoice.id}",
    }


def _charge(invoice, position, charge, base):
    charge_id = invoice.id * 100 + position  # unique: no invoice has a hundred charges
    end = invoice.effective + datetime.timedelta(charge.period_days)
    discount = None
    if charge.discount_pct:
        # The shape of the discount DTO in Fusebill's own .NET API wrapper.
        discount = {
            "configuredDiscountAmount": charge.discount_pct,
            "amount": charge.discount,
            "discountType": "Percentage",
            "effectiveTimestamp": _when(invoice.effective),
            "description": f"Kampanj {charge.discount_pct} %",
        }
    product_id = invoice.customer_id * 100 + charge.product_id % 100  # one subscription product per customer
    return {
        "quantity": charge.quantity,
        "unitPrice": charge.unit_price,
        "amount": charge.amount,
        "name": charge.name,
        "description": None,
        "glCode": charge.gl_code,
        "effectiveTimestamp": _when(invoice.effective),
        "proratedUnitPrice": None,
        "startServiceDate": _when(invoice.effective),
        "endServiceDate": _when(end),
        "rangeQuantity": None,
        "isReversable": True,
        "discount": discount,
        "discounts": [discount] if discount else [],
        "subscriptionProduct": (
            {"id": product_id, "uri": f"{base}subscriptionProducts/{product_id}"} if charge.period_days else None
        ),
        "purchase": None if charge.period_days else {"id": charge_id, "uri": f"{base}Purchases/{charge_id}"},
        "chargeTiers": [
            {"label": tier.label, "quantity": tier.quantity, "unitPrice": tier.unit_price, "amount": tier.amount}
            for tier in charge.tiers
        ],
        "id": charge_id,
        "uri": None,
    }


def _address_preference(customer):
    address = {
        "companyName": customer.name if customer.is_company else None,
        "line1": customer.street,
        "line2": None,
        "countryId": 752,
        "country": "Sweden",
        "stateId": None,
        "state": None,
        "city": customer.city,
        "postalZip": customer.zip_code,
        "addressType": "Billing",
        "id": 0,
        "uri": None,
    }
    return {
        "contactName": customer.contact or customer.name,
        "shippingInstructions": None,
        "useBillingAddressAsShippingAddress": True,
        "billingAddress": address,
        "shippingAddress": None,
        "id": 0,
        "uri": None,
    }


def _when(moment):
    """UTC without a zone, whole seconds: 2017-06-12T19:48:51."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
