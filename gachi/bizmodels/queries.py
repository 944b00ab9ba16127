"""The reads behind the catalogue of business models and the board's adoption table."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from gachi.bizmodels.models import Adoption, BusinessModel, ModelEnterpriseKind
from gachi.complexes.models import Complex, Participation
from gachi.core.i18n import in_reader_language
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict
from gachi.extensions import db
from gachi.proposals.models import Category


@dataclass(frozen=True)
class ModelRow:
    id: int
    title: str
    category_ko: str
    category_en: str
    origin_name: str
    adoptions: int
    is_published: bool

    @property
    def category(self):
        return in_reader_language(self.category_ko, self.category_en)


def model_rows(cohort_id=None, published_only=True) -> list[ModelRow]:
    """Models (from one cohort's complexes, or all) with how many complexes adopted
    each: one GROUP BY."""
    adoptions = (
        select(Adoption.model_id, func.count(Adoption.id).label("adoptions"))
        .group_by(Adoption.model_id)
        .subquery()
    )
    query = (
        select(
            BusinessModel.id,
            BusinessModel.title,
            Category.name_ko,
            Category.name_en,
            Complex.name,
            func.coalesce(adoptions.c.adoptions, 0),
            BusinessModel.withdrawn_at.is_(None),
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
    return [ModelRow(*row) for row in db.session.execute(query)]


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
                    EnterpriseCategory.category_id == model.category_id
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
