"""Invoice PDFs: one page with the invoice's facts, small and valid."""

import datetime
from decimal import Decimal

from sandbox.fusebill.shapes import ACCOUNT_NAME


def pdf_lines(number, name: str, posted: datetime.datetime, amount, outstanding, currency: str) -> tuple[str, ...]:
    amount, outstanding = Decimal(amount), Decimal(outstanding)
    return (
        ACCOUNT_NAME,
        f"Invoice {number}",
        f"Customer: {name}",
        f"Posted: {posted.date().isoformat()}",
        f"Amount: {amount:.2f} {currency}",
        f"Outstanding: {outstanding:.2f} {currency}",
    )


def pdf_document(lines: tuple[str, ...]) -> bytes:
    """A one-page PDF 1.4 with the lines in Helvetica, built by hand with exact xref offsets."""
    text = ["BT", "/F1 12 Tf", "16 TL", "56 780 Td"]
    text += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    text.append("ET")
    stream = "\n".join(text).encode("cp1252", errors="replace")
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    )
    # The binary comment line tells transfer tools the file is not text.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_text(line):
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
