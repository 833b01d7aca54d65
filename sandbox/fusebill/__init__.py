"""Emulator of Fusebill REST v1 (also branded Stax Bill), served from the generated world.

It speaks the wire protocol of docs/providers.md ("Fusebill REST v1"): GET
only, `Authorization: Basic {key}` with the key exactly as issued, money as
JSON numbers, UTC timestamps written without a zone, explicit nulls, paging
and rate-limit facts in headers, errors as {"ErrorId", "HttpStatusCode",
"Errors"}. The documentation example (customer 123456) is served verbatim.
Faults asked for at sandbox/faults/ (sandbox/faults.py) replace or spoil the
reply. Where the docs allow more than one reading (the form of the rate-limit
reset headers, what X-Count and X-MaxPageIndex count), sandbox/readings.py
picks the one played; the default follows the docs. Nothing here touches the
database.

views.py routes a request and answers it; auth.py and ratelimit.py decide
whether it is answered at all; listing.py filters, sorts and pages a list;
shapes.py writes customers and invoices as Fusebill does, wire.py the JSON
text and error bodies; examples.py serves the documentation example, pdf.py
the invoice PDFs.
"""
