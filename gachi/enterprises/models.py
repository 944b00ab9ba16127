"""Social-economy enterprises (the matching issue grows this directory)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class LegalForm(LabelledEnum):
    SOCIAL_ENTERPRISE = ("social_enterprise", _l("Social enterprise"))
    PRE_SOCIAL_ENTERPRISE = ("pre_social_enterprise", _l("Pre-certified social enterprise"))
    COOPERATIVE = ("cooperative", _l("Cooperative"))
    SOCIAL_COOPERATIVE = ("social_cooperative", _l("Social cooperative"))
    VILLAGE_ENTERPRISE = ("village_enterprise", _l("Village enterprise"))
    SELF_SUFFICIENCY = ("self_sufficiency", _l("Self-sufficiency enterprise"))
    SOCIAL_VENTURE = ("social_venture", _l("Social venture"))


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    legal_form: Mapped[LegalForm] = mapped_column(enum_column_type(LegalForm, "legal_form"))
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="app")

    def can_view(self, user):
        return user.is_authenticated

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff

    def __repr__(self):
        return f"<Enterprise {self.name}>"
