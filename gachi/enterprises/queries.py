"""The reads behind the enterprise directory: a fixed few queries per page."""

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import defer, selectinload

from gachi.auth.models import Role, User
from gachi.core.pagination import Page
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict, ImportJob
from gachi.extensions import db
from gachi.proposals.models import Category

ENTERPRISES_PER_PAGE = 30


def category_choices():
    """(id, label) of the active categories, in their order."""
    return [
        (category.id, category.label)
        for category in db.session.scalars(
            select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.position, Category.id)
        )
    ]


def _filtered(search=None, category_id=None, district=None, legal_form=None, verified_only=False):
    conditions = []
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Enterprise.name.ilike(f"%{escaped}%", escape="\\"))
    if category_id:
        conditions.append(
            exists().where(
                EnterpriseCategory.enterprise_id == Enterprise.id,
                EnterpriseCategory.category_id == category_id,
            )
        )
    if district:
        conditions.append(
            or_(
                Enterprise.seoul_wide.is_(True),
                exists().where(
                    EnterpriseDistrict.enterprise_id == Enterprise.id,
                    EnterpriseDistrict.district == district,
                ),
            )
        )
    if legal_form:
        conditions.append(Enterprise.legal_form == legal_form)
    if verified_only:
        conditions.append(Enterprise.verified.is_(True))
    return conditions


def enterprise_page(page=1, per_page=ENTERPRISES_PER_PAGE, **filters):
    """One page of the directory, by name; categories and districts come in two more queries."""
    conditions = _filtered(**filters)
    total = db.session.scalar(select(func.count(Enterprise.id)).where(*conditions))
    rows = db.session.scalars(
        select(Enterprise)
        .where(*conditions)
        .options(selectinload(Enterprise.categories), selectinload(Enterprise.district_links))
        .order_by(Enterprise.name, Enterprise.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows=rows, number=page, total=total, per_page=per_page)


def partner_rows(enterprise_id):
    return db.session.execute(
        select(User.id, User.username, User.display_name, User.active)
        .where(User.enterprise_id == enterprise_id, User.role == Role.PARTNER)
        .order_by(User.display_name, User.id)
    ).all()


def recent_imports(limit=10):
    """The latest import jobs, newest first, for the import page."""
    return db.session.scalars(
        select(ImportJob)
        .options(defer(ImportJob.data), defer(ImportJob.outcomes))
        .order_by(ImportJob.id.desc())
        .limit(limit)
    ).all()
