"""Accounts and the records that protect sign-in."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from gachi.auth.phones import phone_key
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db


class Role(LabelledEnum):
    RESIDENT = ("resident", _l("Resident"))
    COORDINATOR = ("coordinator", _l("Coordinator"))
    PARTNER = ("partner", _l("Enterprise partner"))
    STAFF = ("staff", _l("Center staff"))
    # A district support organisation (자치구 사회적경제 지원조직): its districts are rows
    # of gachi/districts (DistrictCover).
    DISTRICT = ("district", _l("District support organisation"))


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role != 'resident' OR household_id IS NOT NULL", name="resident_household"
        ),
        CheckConstraint(
            "role != 'partner' OR enterprise_id IS NOT NULL", name="partner_enterprise"
        ),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        CheckConstraint(
            "two_factor_since IS NULL OR totp_secret IS NOT NULL", name="two_factor_has_secret"
        ),
        # The account search's indexes (migration 0015, which makes them): trigram GIN on
        # PostgreSQL; on SQLite COLLATE NOCASE, for a prefix search (LIKE 'q%').
        *(
            Index(
                f"ix_users_{column}_search",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("username", "display_name")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), index=True
    )
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    # The phone as digits (gachi/auth/phones.py), kept by `_keep_phone_key`: sign-in and
    # password reset find an account by it, whichever way the number was written.
    phone_key: Mapped[str | None] = mapped_column(String(16), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    # The language of the messages sent to them (e-mail, text, KakaoTalk).
    language: Mapped[str] = mapped_column(String(8), default="ko", server_default="ko")
    # Bumped by logout and password change: every older cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="app")
    # Two-factor sign-in (gachi/auth/two_factor.py): the TOTP secret (base32) is set when
    # enrolment starts and in use from `two_factor_since`; `totp_last_step` is the last
    # 30-second step whose code was accepted, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    two_factor_since: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]

    household = relationship("Household", back_populates="members")
    enterprise = relationship("Enterprise")

    @validates("phone")
    def _keep_phone_key(self, _key, phone):
        self.phone_key = phone_key(phone)
        return phone

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self):
        return self.role is Role.STAFF

    @property
    def is_coordinator(self):
        return self.role is Role.COORDINATOR

    @property
    def is_resident(self):
        return self.role is Role.RESIDENT

    @property
    def is_partner(self):
        return self.role is Role.PARTNER

    @property
    def is_district(self):
        return self.role is Role.DISTRICT

    @property
    def has_two_factor(self):
        return self.two_factor_since is not None

    @property
    def may_use_two_factor(self):
        """Staff must; coordinators and partners may; residents keep a simple sign-in."""
        return not self.is_resident

    @property
    def must_use_two_factor(self):
        return self.is_staff

    @property
    def complex_id(self):
        """The complex a resident lives in (None for other roles)."""
        return self.household.complex_id if self.household is not None else None

    @property
    def managed_complex_ids(self) -> frozenset[int]:
        """Complexes this coordinator is placed at today (cached for the request)."""
        if not self.is_coordinator:
            return frozenset()
        cached = self.__dict__.get("_managed_complex_ids")
        if cached is None:
            from gachi.coordinators.models import Placement

            rows = db.session.scalars(
                select(Placement.complex_id).where(
                    Placement.coordinator_id == self.id, Placement.is_active_on(seoul_today())
                )
            )
            cached = self.__dict__["_managed_complex_ids"] = frozenset(rows)
        return cached

    @property
    def district_office(self):
        """This district account's scope (its districts, whether it may place
        coordinators), read once for the request; None for other roles."""
        if not self.is_district:
            return None
        if "_district_office" not in self.__dict__:
            from gachi.districts.models import office_scope

            self.__dict__["_district_office"] = office_scope(self.id)
        return self.__dict__["_district_office"]

    @property
    def covered_districts(self) -> frozenset:
        """The districts (구) a district account covers; empty for other roles."""
        office = self.district_office
        return office.districts if office is not None else frozenset()

    def can_manage_accounts(self, user):
        """May `user` create and change accounts like this one?"""
        return user.is_authenticated and user.is_staff and user.is_admin

    def can_read_audit_log(self, user):
        """May `user` read the audit log (who changed what, who looked at whom)? The same
        staff admins who manage accounts: the log names people as the accounts do."""
        return self.can_manage_accounts(user)

    def can_issue_reset_code(self, user):
        """May `user` hand this resident a one-time code to choose a new password? Their
        complex's managers (Complex.can_manage: its coordinator, center staff, the district
        support organisation covering it); never for oneself. Other roles get a temporary
        password from a staff admin (account page)."""
        if not (user.is_authenticated and self.is_resident and user.id != self.id):
            return False
        return self.household.complex.can_manage(user)

    def __repr__(self):
        return f"<User {self.username} {self.role.value}>"


class LoginFailure(db.Model):
    """One failed sign-in, kept in the database so every worker process sees it."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_at", "account", "created_at"),
        Index("ix_login_failures_address_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):
    """One single-use recovery code, kept as a SHA-256 digest (see two_factor.py)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivacyConsent(db.Model):
    """A person agreed to one version of the privacy notice (개인정보 수집·이용 동의) at
    `agreed_at`; the wording of each version is its own template (gachi/auth/consent.py)."""

    __tablename__ = "privacy_consents"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PasswordResetCode(db.Model):
    """A one-time code a coordinator or staff handed a resident to choose a new password:
    kept as a keyed digest (operations.reset_code_digest), live until `expires_at`, used
    once. Issuing a new one ends the earlier ones (`ended_at`)."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
