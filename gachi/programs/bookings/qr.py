"""The QR code on a booking: the check-in page's address, drawn as SVG with segno."""

import io

import segno


def qr_svg(url: str) -> bytes:
    """A scannable SVG of `url`: medium error correction survives a worn printout."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=6, border=2, title="QR", xmldecl=False
    )
    return buffer.getvalue()
