"""QR codes of addresses, drawn with segno: for a screen (SVG) or inlined in a page."""

import io

import segno


def qr_svg(url: str) -> bytes:
    """A scannable SVG of `url`: medium error correction survives a worn printout."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=6, border=2, title="QR", xmldecl=False
    )
    return buffer.getvalue()


def qr_data_uri(url: str, scale: int = 8) -> str:
    """The same code as an SVG data: URI, for an <img> in a page or a PDF."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2)
