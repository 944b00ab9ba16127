"""Feedback on a programme session from those who attended it."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class ChangeTopic(LabelledEnum):
    """What a resident would change, so the summary can count it (e.g. longer hours)."""

    NOTHING = ("nothing", _l("Nothing, keep it as it is"))
    LONGER_HOURS = ("longer_hours", _l("Longer opening hours"))
    MORE_DAYS = ("more_days", _l("More days or sessions"))
    OTHER_TIMES = ("other_times", _l("Other times of day"))
    ACTIVITIES = ("activities", _l("Different activities"))
    PLACE = ("place", _l("The place"))
    OTHER = ("other", _l("Something else"))


class Feedback(db.Model):
    """What someone who attended a session thought of it: one per person and session."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_one_to_five"),
        UniqueConstraint("session_id", "user_id"),
        # Paper feedback: once per person and session, as online.
        Index("uq_session_feedback_session_id_person_id", "session_id", "person_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Feedback given on paper by a person without an account, entered by the coordinator.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    change_topic: Mapped[ChangeTopic] = mapped_column(enum_column_type(ChangeTopic, "change_topic"))
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="app")

    program_session = relationship("ProgramSession")
    person = relationship("Person")
