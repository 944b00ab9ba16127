"""The QR code on a booking: the check-in page's address (gachi.core.qr draws it)."""

from gachi.core.qr import qr_svg

__all__ = ["qr_svg"]
