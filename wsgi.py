"""Entry point for gunicorn: `gunicorn wsgi:app`."""

from gachi import create_app

app = create_app()
