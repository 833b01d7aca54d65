"""Opaque ids in the URLs of customers and invoices.

A plain /customers/1/, /customers/2/ would let anyone logged in walk through
everybody the book knows. These converters put the primary key in the URL
signed with the site's secret (a salt per kind, so a customer's token opens no
invoice), so a URL can only be had from a page that links to it. Templates and
`reverse()` keep passing the pk; a forged or altered token matches no URL: 404.
"""

from django.core import signing


class SignedId:
    regex = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"
    salt = ""

    def __init__(self) -> None:
        # "." rather than ":" keeps the token free of characters URLs quote.
        self.signer = signing.Signer(salt=self.salt, sep=".")

    def to_python(self, value: str) -> int:
        try:
            pk = self.signer.unsign_object(value)
        except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
            raise ValueError("not a valid id") from exc
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            raise ValueError("not a valid id")
        return pk

    def to_url(self, value: object) -> str:
        return self.signer.sign_object(int(str(value)))


class CustomerId(SignedId):
    salt = "invoices.customer-url"


class InvoiceId(SignedId):
    salt = "invoices.invoice-url"
