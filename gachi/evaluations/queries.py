"""The reads behind the evaluation pages and the printable reports."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gachi.auth.models import Role, User
from gachi.complexes.models import Complex, Household, Participation
from gachi.evaluations.models import Decision, Evaluation, EvaluationOrganiser
from gachi.extensions import db


def evaluation_for(participation_id) -> Evaluation | None:
    return db.session.scalar(
        select(Evaluation)
        .options(selectinload(Evaluation.figures))
        .where(Evaluation.participation_id == participation_id)
    )


def organiser_choices(complex_id):
    """(id, name · 동 호) of the complex's active residents, who may be named organisers."""
    rows = db.session.execute(
        select(User.id, User.display_name, Household.building, Household.unit)
        .join(Household, Household.id == User.household_id)
        .where(
            Household.complex_id == complex_id, User.role == Role.RESIDENT, User.active.is_(True)
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(row.id, f"{row.display_name} · {row.building}동 {row.unit}호") for row in rows]


def signed_evaluations(cohort_id):
    """The cohort's signed evaluations with their complexes, for the center's report."""
    return db.session.execute(
        select(Evaluation, Complex.name)
        .join(Participation, Participation.id == Evaluation.participation_id)
        .join(Complex, Complex.id == Participation.complex_id)
        .where(Participation.cohort_id == cohort_id, Evaluation.signed_at.is_not(None))
        .order_by(Complex.name)
    ).all()


def is_organiser(user, participation_id) -> bool:
    """Was `user` named to run this participation's programme in a signed hand-over?"""
    if not (user.is_authenticated and user.is_resident):
        return False
    return (
        db.session.scalar(
            select(EvaluationOrganiser.user_id)
            .join(Evaluation, Evaluation.id == EvaluationOrganiser.evaluation_id)
            .where(
                EvaluationOrganiser.user_id == user.id,
                Evaluation.participation_id == participation_id,
                Evaluation.decision == Decision.HAND_OVER,
                Evaluation.signed_at.is_not(None),
            )
        )
        is not None
    )
