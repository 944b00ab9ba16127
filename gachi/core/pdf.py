"""PDFs made on the server (WeasyPrint): statements of hours, reports.

A PDF is a page of HTML rendered by WeasyPrint with the Korean fonts the machine has
(fonts-nanum on Debian, which `.ci/run` installs; `templates/pdf/base.html` names them).
Pango and its fonts are system libraries: where they are missing, `pdf_bytes` raises
`PdfUnavailable` and the view answers 503 with a message instead of a broken file.
"""

from flask import Response, current_app


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (pango) are not installed."""


def pdf_bytes(html: str) -> bytes:
    try:
        # Imported here: loading pango takes a moment, and only PDF requests need it.
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()


def pdf_response(html: str, filename: str) -> Response:
    """The PDF as a download; it may name people, so no cache keeps it."""
    return Response(
        pdf_bytes(html),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
