"""Configuration. Environment variables are read here and nowhere else."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'gachi.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Seconds a SQLite writer waits for the write lock before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 15000

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    LANGUAGES = ("ko", "en")

    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    # Sessions: the cookie holds only the user id, their session version and two
    # timestamps; the version makes logout and password changes end every copy.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # Idle: signed out after this long without a request. Absolute: signed out this
    # long after signing in, however active (remember-me then signs in anew).
    SESSION_IDLE_LIFETIME = timedelta(hours=2)
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_LIFETIME

    # Argon2id, OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1.
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_KIB = 19 * 1024
    PASSWORD_HASH_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128

    # Login throttling (see gachi/auth/throttle.py): failures allowed per window.
    LOGIN_LIMIT_ACCOUNT_ADDRESS = (9, timedelta(minutes=1))
    LOGIN_LIMIT_ADDRESS = (30, timedelta(minutes=10))
    LOGIN_LIMIT_ACCOUNT = (50, timedelta(hours=1))

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    MAIL_SERVER = os.environ.get("SMTP_HOST")
    MAIL_PORT = int(os.environ.get("SMTP_PORT", "587"))
    MAIL_USERNAME = os.environ.get("SMTP_USER")
    MAIL_PASSWORD = os.environ.get("SMTP_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "gachi@localhost")

    REDIS_URL = os.environ.get("REDIS_URL")
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("GACHI_PROXY_COUNT", "0"))
    DEMO_ENABLED = True
    # `flask gachi totp-code USER` prints a demo account's current two-factor code.
    DEMO_TOTP_CODES = True


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("GACHI_TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 8
    SERVER_NAME = None


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEMO_ENABLED = os.environ.get("GACHI_DEMO") == "1"
    DEMO_TOTP_CODES = False


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    return CONFIGS[os.environ.get("GACHI_CONFIG", "development")]
