"""The reads behind the catalogue of business models and the board's adoption table."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from gachi.bizmodels.models import (
    Adoption,
    BusinessModel,
    ModelEnterpriseCategory,
    ModelEnterpriseKind,
)
from gachi.complexes.models import Complex, Participation, Tenure
from gachi.core.i18n import in_reader_language
from gachi.core.time import utcnow
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.feedback.models import Feedback
from gachi.programs.sessions.models import ProgramSession, SessionState
from gachi.proposals.models import Category


def _share(numerator, denominator, scale=100):
    """A percentage (or, with scale 1, an average) to one decimal; None without data."""
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ModelRow:
    id: int
    title: str
    category_ko: str
    category_en: str
    origin_name: str
    adoptions: int
    is_published: bool
    confirmed: int = 0
    # The source's figures frozen at publication, and what the adopted programmes reach.
    source_sessions: Decimal | None = None
    source_attendance_rate: Decimal | None = None
    source_satisfaction: Decimal | None = None
    adopted_sessions: int = 0
    attended: int = 0
    recorded: int = 0
    rating_sum: int = 0
    ratings: int = 0

    @property
    def category(self):
        return in_reader_language(self.category_ko, self.category_en)

    @property
    def adopted_attendance_rate(self):
        return _share(self.attended, self.recorded)

    @property
    def adopted_satisfaction(self):
        return _share(self.rating_sum, self.ratings, scale=1)


def _adopted_figures():
    """Per model: its adoptions, the confirmed ones, and over the sessions of the adopted
    programmes, those held, attendance recorded and ratings. Subqueries of the one
    statement: the board's query count does not grow with the models."""
    live = ProgramSession.state == SessionState.SCHEDULED
    confirmed = Booking.status == BookingStatus.CONFIRMED
    bookings = (
        select(
            Booking.session_id,
            func.count(Booking.id)
            .filter(confirmed, Booking.attendance == Attendance.ATTENDED)
            .label("attended"),
            func.count(Booking.id)
            .filter(confirmed, Booking.attendance.is_not(None))
            .label("recorded"),
        )
        .join(ProgramSession, ProgramSession.id == Booking.session_id)
        .join(Adoption, Adoption.program_id == ProgramSession.program_id)
        .group_by(Booking.session_id)
        .subquery()
    )
    ratings = (
        select(
            Feedback.session_id,
            func.sum(Feedback.rating).label("rating_sum"),
            func.count(Feedback.id).label("ratings"),
        )
        .join(ProgramSession, ProgramSession.id == Feedback.session_id)
        .join(Adoption, Adoption.program_id == ProgramSession.program_id)
        .group_by(Feedback.session_id)
        .subquery()
    )

    def total(column):
        return func.coalesce(func.sum(column).filter(live), 0)

    return (
        select(
            Adoption.model_id,
            func.count(func.distinct(Adoption.id)).label("adoptions"),
            func.count(func.distinct(Adoption.id))
            .filter(Adoption.confirmed_at.is_not(None))
            .label("confirmed"),
            func.count(ProgramSession.id)
            .filter(live, ProgramSession.ends_at <= utcnow())
            .label("held"),
            total(bookings.c.attended).label("attended"),
            total(bookings.c.recorded).label("recorded"),
            total(ratings.c.rating_sum).label("rating_sum"),
            total(ratings.c.ratings).label("ratings"),
        )
        .outerjoin(ProgramSession, ProgramSession.program_id == Adoption.program_id)
        .outerjoin(bookings, bookings.c.session_id == ProgramSession.id)
        .outerjoin(ratings, ratings.c.session_id == ProgramSession.id)
        .group_by(Adoption.model_id)
        .subquery()
    )


@dataclass(frozen=True)
class CatalogueFilters:
    category_id: int | None = None
    size: tuple[int, int | None] | None = None
    tenure: Tenure | None = None
    # (share, True) for at least `share` percent aged 65+, (share, False) for under it.
    ageing: tuple[int, bool] | None = None


def _catalogue_conditions(filters):
    """Conditions on the model and on the complex it comes from."""
    conditions = []
    if filters.category_id is not None:
        conditions.append(BusinessModel.category_id == filters.category_id)
    if filters.size is not None:
        low, high = filters.size
        conditions.append(Complex.household_count >= low)
        if high is not None:
            conditions.append(Complex.household_count <= high)
    if filters.tenure is not None:
        conditions.append(Complex.tenure == filters.tenure)
    if filters.ageing is not None:
        share, at_least = filters.ageing
        conditions.append(
            Complex.elderly_share >= share if at_least else Complex.elderly_share < share
        )
    return conditions


def model_rows(cohort_id=None, published_only=True, filters=None) -> list[ModelRow]:
    """Models (from one cohort's complexes, or all) with how many complexes adopted
    each, the source's frozen figures and what the adopted programmes reach: one
    statement."""
    adoptions = _adopted_figures()
    query = (
        select(
            BusinessModel.id,
            BusinessModel.title,
            Category.name_ko,
            Category.name_en,
            Complex.name,
            func.coalesce(adoptions.c.adoptions, 0),
            BusinessModel.withdrawn_at.is_(None),
            func.coalesce(adoptions.c.confirmed, 0),
            BusinessModel.evidence_sessions,
            BusinessModel.evidence_attendance_rate,
            BusinessModel.evidence_satisfaction,
            func.coalesce(adoptions.c.held, 0),
            func.coalesce(adoptions.c.attended, 0),
            func.coalesce(adoptions.c.recorded, 0),
            func.coalesce(adoptions.c.rating_sum, 0),
            func.coalesce(adoptions.c.ratings, 0),
        )
        .join(Category, Category.id == BusinessModel.category_id)
        .join(Participation, Participation.id == BusinessModel.origin_participation_id)
        .join(Complex, Complex.id == Participation.complex_id)
        .outerjoin(adoptions, adoptions.c.model_id == BusinessModel.id)
        .order_by(BusinessModel.published_at.desc(), BusinessModel.id.desc())
    )
    if cohort_id is not None:
        query = query.where(Participation.cohort_id == cohort_id)
    if published_only:
        query = query.where(BusinessModel.withdrawn_at.is_(None))
    if filters is not None:
        query = query.where(and_(True, *_catalogue_conditions(filters)))
    return [ModelRow(*row) for row in db.session.execute(query)]


def adoption_of(model_id, participation_id):
    return db.session.scalar(
        select(Adoption).where(
            Adoption.model_id == model_id, Adoption.participation_id == participation_id
        )
    )


def adopting_complexes(model_id):
    return db.session.execute(
        select(Complex.name, Complex.district, Adoption.adopted_at)
        .join(Participation, Participation.id == Adoption.participation_id)
        .join(Complex, Complex.id == Participation.complex_id)
        .where(Adoption.model_id == model_id)
        .order_by(Adoption.adopted_at)
    ).all()


def suggested_enterprises(model, district, limit=10):
    """Enterprises of the model's kinds that work on its category and serve `district`
    (or all Seoul), verified first, then by name."""
    kinds = select(ModelEnterpriseKind.legal_form).where(ModelEnterpriseKind.model_id == model.id)
    serves = or_(
        Enterprise.seoul_wide.is_(True),
        Enterprise.id.in_(
            select(EnterpriseDistrict.enterprise_id).where(EnterpriseDistrict.district == district)
        ),
    )
    return db.session.scalars(
        select(Enterprise)
        .where(
            Enterprise.legal_form.in_(kinds),
            serves,
            Enterprise.id.in_(
                select(EnterpriseCategory.enterprise_id).where(
                    or_(
                        EnterpriseCategory.category_id == model.category_id,
                        EnterpriseCategory.category_id.in_(
                            select(ModelEnterpriseCategory.category_id).where(
                                ModelEnterpriseCategory.model_id == model.id
                            )
                        ),
                    )
                )
            ),
        )
        .order_by(Enterprise.verified.desc(), Enterprise.name)
        .limit(limit)
    ).all()


def adoptable_participations(user, model):
    """The participations this user manages that have not adopted the model yet."""
    query = (
        select(Participation)
        .join(Complex, Complex.id == Participation.complex_id)
        .where(
            ~Participation.id.in_(
                select(Adoption.participation_id).where(Adoption.model_id == model.id)
            ),
            Participation.id != model.origin_participation_id,
        )
        .order_by(Complex.name)
    )
    if not user.is_staff:
        query = query.where(Participation.complex_id.in_(user.managed_complex_ids or {-1}))
    return db.session.scalars(query.limit(200)).all()
