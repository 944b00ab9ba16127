"""What the generator, the runner and the baseline app agree on."""

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

PASSWORD = "bench-password-1234"
STAFF_USERNAME = "bench-staff"
# Staff sign in with a second factor (TOTP); the bench's staff account has this secret.
STAFF_TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH23"
# The write runs' fixtures, all in the first complex: open ballots, future sessions with
# room to spare, and future sessions already full (a booking joins the waiting list).
# Each of the 32 clients votes once per ballot and books once per session: enough for
# 5 rounds of 1,000 requests of each kind.
WRITE_BALLOTS = 200
WRITE_SESSIONS = 200
WRITE_FULL_SESSIONS = 200
SECRET_KEY = "bench-only-not-secret"


def database_kind(url):
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def driver_url(url):
    """`url` as SQLAlchemy needs it: PostgreSQL through psycopg 3, as the app connects."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_url(complexes):
    return f"sqlite:///{ROOT / 'instance' / f'bench-{complexes}.sqlite3'}"


def bench_app(url):
    """The gachi app on `url`, configured as gunicorn runs it (development config)."""
    from config import DevelopmentConfig
    from gachi import create_app

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = SECRET_KEY

    return create_app(BenchConfig)
