"""Emulator of the Qvickly PaymentAPI, served from the generated world.

It speaks the wire protocol of docs/providers.md ("Qvickly PaymentAPI"): one
POST endpoint, `{"credentials", "data", "function"}` in, HMAC-signed replies
out, HTTP 200 even for errors. The reply shapes deliberately vary the way the
real API's documentation does (summary rows with string or int ids, full
payment objects, `fileurl` present or not), so the client meets every variant
it has to survive. Faults asked for at sandbox/faults/ (sandbox/faults.py)
replace or spoil the reply. Where the docs are silent or contradict
themselves, the readings named qvickly_* in sandbox/readings.py pick which
answer it gives (which written form of a number matches, what "Sent,Paid"
returns, how an unknown number or a wrong secret is answered, what a settled
row's topay says, what links look like). Nothing here touches the database.

views.py authenticates a request and writes the reply (or the error);
functions.py answers each API function from the world; shapes.py writes
summary rows and full payment objects as the documentation pages show them;
wire.py writes JSON and signs it as the PHP server does, and identity.py reads
personal and organisation numbers: neither shares code with the client.
"""
