"""Workshop attachments on disk: photos and PDFs under the instance folder, never static.

A file is accepted only when its extension and its first bytes agree on one of the
allowed types, so a renamed script is refused however it is named.
"""

import os
import secrets
from pathlib import Path

from flask import current_app

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

# extension → (content type, magic bytes at the start of the file)
ALLOWED = {
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "pdf": ("application/pdf", b"%PDF-"),
}


def detected_type(filename: str, head: bytes) -> str | None:
    """The content type if the extension and the magic bytes agree, else None."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = ALLOWED.get(extension)
    if allowed is None or not head.startswith(allowed[1]):
        return None
    return allowed[0]


def upload_folder() -> Path:
    return Path(current_app.instance_path) / "uploads" / "workshops"


def new_stored_name(content_type: str) -> str:
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[content_type]
    return f"{secrets.token_hex(16)}.{extension}"


def write_file(stored_name: str, data: bytes) -> Path:
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path


def stored_path(stored_name: str) -> Path:
    return upload_folder() / stored_name
