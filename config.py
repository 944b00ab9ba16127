"""Configuration. Environment variables are read here and nowhere else."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# The key signs every session and CSRF token: whoever knows it can be anyone. So no key
# is written in this repository; production refuses a short one and the ones published
# here or in examples (this repository's old constants among them).
SECRET_KEY_MIN_BYTES = 32
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "dev-only-not-secret",
        "test-secret",
        "bench-only-not-secret",
        "faults-suite-shared-secret",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "please-change-me",
        "your-secret-key",
        "your_secret_key",
        "your-secret-key-here",
        "replace-me",
        "dev",
        "development",
        "default",
        "password",
        "…",
        "...",
    }
)
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


def check_secret_key(key):
    """`key` if it may sign production sessions, else a RuntimeError saying what to do."""
    if not key:
        problem = "SECRET_KEY is not set."
    elif key.strip().lower() in PUBLISHED_SECRET_KEYS:
        problem = "SECRET_KEY is a published value that anyone can read, so anyone could sign in as anyone."
    elif len(key.encode()) < SECRET_KEY_MIN_BYTES:
        problem = f"SECRET_KEY is shorter than {SECRET_KEY_MIN_BYTES} bytes."
    else:
        return key
    raise RuntimeError(
        f"{problem} Set SECRET_KEY to a long random string made for this "
        f"installation, the same on every app server, for example the output "
        f"of: {MAKE_A_KEY}"
    )


def instance_secret_key(path):
    """The key this installation made on its first run, kept in `path` (owner-only).

    Written atomically: the key goes to a private temporary file that is then linked
    to `path`, which fails if another process got there first; its key is used then."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
        file.flush()
        os.fsync(file.fileno())
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii").strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'gachi.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
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
    # The cookie is signed and sent only when the session changes, not on every request
    # (Flask re-signs a permanent session each time otherwise). The idle lifetime does
    # not depend on it: the session's own "seen at" moves at most once a minute, which
    # changes the session and so renews the cookie's expiry as well.
    SESSION_REFRESH_EACH_REQUEST = False

    # Argon2id, OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1.
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_KIB = 19 * 1024
    PASSWORD_HASH_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 12  # OWASP ASVS 2.1.1
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

    # Where the app is reached from outside: links in e-mails, texts and KakaoTalk messages
    # are made absolute with it (a message is read far from any request).
    PUBLIC_URL = os.environ.get("GACHI_PUBLIC_URL", "http://localhost:5000")
    # Texts and KakaoTalk 알림톡 through SOLAPI (gachi/notifications/channels.py); empty
    # keys mean no provider: the messages are logged and kept in the outbox, not sent.
    SOLAPI_API_KEY = os.environ.get("SOLAPI_API_KEY")
    SOLAPI_API_SECRET = os.environ.get("SOLAPI_API_SECRET")
    SOLAPI_BASE_URL = os.environ.get("SOLAPI_BASE_URL", "https://api.solapi.com")
    SOLAPI_SENDER = os.environ.get("SOLAPI_SENDER")  # the registered sending number
    # 알림톡 needs the channel's pfId and an approved template; without them a KakaoTalk
    # message goes as a text message.
    SOLAPI_KAKAO_PF_ID = os.environ.get("SOLAPI_KAKAO_PF_ID")
    SOLAPI_KAKAO_TEMPLATE_ID = os.environ.get("SOLAPI_KAKAO_TEMPLATE_ID")
    # The outbox sender (gachi/notifications/jobs.py): messages per minute per channel,
    # attempts before a message is given up, the first retry's wait (doubled each time),
    # and how long a claimed message may stay "sending" before it is looked at again; a
    # text in doubt whose provider cannot be asked is asked again for this long at most.
    OUTBOX_RATE_PER_MINUTE: ClassVar[dict] = {"email": 60, "sms": 30, "kakao": 30}
    OUTBOX_MAX_ATTEMPTS = 5
    OUTBOX_RETRY_AFTER = timedelta(minutes=1)
    OUTBOX_SENDING_TIMEOUT = timedelta(minutes=10)
    OUTBOX_IN_DOUBT_LIMIT = timedelta(hours=24)

    REDIS_URL = os.environ.get("REDIS_URL")
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("GACHI_PROXY_COUNT", "0"))
    # Attendance (sessions, workshops, volunteer shifts) is recorded from this long before
    # the start until this long after the end (gachi/core/attendance.py).
    ATTENDANCE_OPENS_BEFORE = timedelta(hours=1)
    ATTENDANCE_CLOSES_AFTER = timedelta(days=7)
    DEMO_ENABLED = True
    # `flask gachi totp-code USER` prints a demo account's current two-factor code.
    DEMO_TOTP_CODES = True

    @classmethod
    def secret_key(cls):
        """The key create_app signs with: by default only a sound one from the environment."""
        return check_secret_key(cls.SECRET_KEY)


class DevelopmentConfig(Config):
    DEBUG = False
    # Made on the first run and kept; SECRET_KEY from the environment wins.
    SECRET_KEY_FILE = INSTANCE_DIR / "secret_key"

    @classmethod
    def secret_key(cls):
        return cls.SECRET_KEY or instance_secret_key(cls.SECRET_KEY_FILE)


class TestConfig(Config):
    TESTING = True
    # A new key every run: no test can lean on a key someone else could know.
    SECRET_KEY = secrets.token_urlsafe(32)
    SQLALCHEMY_DATABASE_URI = os.environ.get("GACHI_TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 8
    SERVER_NAME = None


class ProductionConfig(Config):
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
