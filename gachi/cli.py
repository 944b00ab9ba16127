"""The `flask gachi …` commands."""

import logging
import unicodedata

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import exists, select

from gachi.auth.models import User
from gachi.auth.two_factor import code_for
from gachi.complexes.districts import in_city_order
from gachi.complexes.models import Complex
from gachi.coordinators.models import Placement
from gachi.core.time import seoul_today
from gachi.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_usernames, load_pilot_demo
from gachi.extensions import db
from gachi.kpi.refresh import refresh

gachi_cli = AppGroup("gachi", help="gachi administration commands.")


def register(app):
    app.cli.add_command(gachi_cli)


@gachi_cli.command("seed-demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing, silently, when the database already has complexes.",
)
def seed_demo(if_empty):
    """Load the 2018 pilot demo data into an empty database."""
    if db.session.scalar(select(exists().where(Complex.id.is_not(None)))):
        if if_empty:
            return
        raise click.ClickException(
            "The database already has complexes; "
            "the demo data is loaded only into an empty database."
        )
    if not current_app.config["DEMO_ENABLED"]:
        raise click.ClickException(
            "Demo data is turned off in this configuration (set GACHI_DEMO=1)."
        )
    loaded = load_pilot_demo()
    db.session.commit()
    refresh(loaded.cohort.id)  # the demo board is right at once, scheduler or not
    click.echo(
        f"Loaded the 2018 pilot demo: cohort {loaded.cohort.name}, "
        f"{len(loaded.complexes)} complexes, {loaded.household_count} households, "
        f"{len(loaded.enterprises)} enterprises, {len(loaded.accounts)} accounts."
    )


@gachi_cli.command("demo-logins")
def demo_logins():
    """Print the demo accounts and their shared password."""
    usernames = demo_usernames()
    users = {
        user.username: user
        for user in db.session.scalars(select(User).where(User.username.in_(usernames)))
    }
    if not users:
        click.echo("The demo data is not loaded; run `flask gachi seed-demo` first.")
        return
    rows = [("username", "role", "name", "where")]
    rows += [
        (user.username, user.role.value, user.display_name, _where(user))
        for user in (users.get(name) for name in usernames)
        if user is not None
    ]
    widths = [max(_display_width(row[column]) for row in rows) for column in range(3)]
    click.echo(f"Demo accounts; the password of every one is {DEMO_PASSWORD}")
    for row in rows:
        padded = [_pad(text, width) for text, width in zip(row, widths, strict=False)]
        click.echo("  " + "  ".join([*padded, row[3]]))
    click.echo(
        f"Staff sign in with a second step: add the key {DEMO_TOTP_SECRET} to an "
        "authenticator app (time-based), or run `flask gachi totp-code center`."
    )


@gachi_cli.command("totp-code")
@click.argument("username")
def totp_code(username):
    """Print a demo account's current two-factor code (never in production)."""
    if not current_app.config["DEMO_TOTP_CODES"]:
        raise click.ClickException("totp-code is turned off in this configuration.")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or user.source != "demo" or not user.has_two_factor:
        raise click.ClickException(f"{username} is not a demo account with two-factor sign-in.")
    click.echo(code_for(user.totp_secret))


def _where(user):
    """The complex, household or enterprise an account belongs to, for the table."""
    if user.household is not None:
        return f"{user.household.complex.name} {user.household.label}"
    if user.enterprise is not None:
        return user.enterprise.name
    if user.is_coordinator:
        return ", ".join(
            db.session.scalars(
                select(Complex.name)
                .join(Placement, Placement.complex_id == Complex.id)
                .where(Placement.coordinator_id == user.id, Placement.is_active_on(seoul_today()))
                .order_by(Complex.name)
            )
        )
    if user.is_district:
        return ", ".join(str(district.label) for district in in_city_order(user.covered_districts))
    return "admin" if user.is_admin else ""


def _display_width(text):
    """Hangul takes two terminal columns; count it so the table lines up."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text, width):
    return text + " " * (width - _display_width(text))


@gachi_cli.command("scheduler")
@click.option(
    "--once",
    "job_id",
    metavar="JOB_ID",
    help="Run this one job now (a run already claimed for this time is skipped).",
)
@click.option("--list", "list_jobs", is_flag=True, help="List the jobs and stop.")
def scheduler(job_id, list_jobs):
    """Run the scheduled jobs: start exactly one of these beside the web app."""
    from gachi.scheduler import JOBS, JOBS_BY_ID, build_scheduler, run_job

    if list_jobs:
        for job in JOBS:
            click.echo(f"{job.id}  every {job.every}  from {job.anchor:%H:%M}  {job.description}")
        return
    if job_id:
        if job_id not in JOBS_BY_ID:
            raise click.ClickException(
                f"No job {job_id}; `flask gachi scheduler --list` lists them."
            )
        click.echo(f"{job_id}: {run_job(job_id)}")
        return
    # The terminal or the journal shows every run: done, failed, or skipped because
    # another scheduler claimed it.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    click.echo(f"Scheduler started with {len(JOBS)} jobs: {', '.join(JOBS_BY_ID)}")
    try:
        build_scheduler(current_app._get_current_object(), blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@gachi_cli.command("run-demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run_demo(host, port):
    """Serve the app for a demo with the scheduler in the same process (`make run`).

    Only here: create_app never starts it, and under gunicorn each worker would run every
    job. The run claims (gachi/scheduler.py) keep each run unique all the same."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = current_app._get_current_object()
    serve_with_scheduler(app, lambda: app.run(host=host, port=port, use_reloader=False))


def serve_with_scheduler(app, serve):
    """Start the background scheduler, call `serve()` until it returns, then stop the
    scheduler. No reloader: a reloading server runs the app twice, and so two schedulers."""
    from gachi.scheduler import JOBS, build_scheduler

    scheduler = build_scheduler(app)
    scheduler.start()
    click.echo(f"Scheduler started with {len(JOBS)} jobs, in this process.")
    try:
        return serve()
    finally:
        scheduler.shutdown()
        click.echo("Scheduler stopped.")


@gachi_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path):
    """Write a backup of the live database to PATH (SQLite file or pg_dump custom format)."""
    from gachi.backup import BackupError, backup_database

    try:
        written = backup_database(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backed up the {db.engine.dialect.name} database to {written} "
        f"({written.stat().st_size:,} bytes)."
    )


@gachi_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm that every row of the database is replaced.")
def restore(path, yes):
    """Replace the database with the backup at PATH. Stop the app and scheduler first."""
    from gachi.backup import BackupError, restore_database

    if not yes:
        raise click.ClickException(
            "Restoring replaces every row of the database with the backup. "
            "Stop the app servers and the scheduler, then run again with --yes."
        )
    try:
        restore_database(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the {db.engine.dialect.name} database from {path}.")
