"""The `flask gachi …` commands."""
import click
from flask.cli import AppGroup

gachi_cli = AppGroup("gachi", help="gachi administration commands.")


def register(app):
    app.cli.add_command(gachi_cli)
