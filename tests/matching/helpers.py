"""A complex ready for matching: a coordinator, a selected problem, an enterprise and its partner."""

from dataclasses import dataclass

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.enterprises.models import EnterpriseCategory, EnterpriseDistrict
from gachi.extensions import db
from gachi.proposals.models import ProblemState


@dataclass
class Scene:
    participation: object
    coordinator: object
    problem: object
    enterprise: object
    partner: object


def serving(make, enterprise, *, categories=(), districts=(), seoul_wide=False):
    """Give `enterprise` its categories and districts."""
    enterprise.seoul_wide = seoul_wide
    enterprise.category_links = [
        EnterpriseCategory(category_id=make.category(code).id) for code in categories
    ]
    enterprise.district_links = [EnterpriseDistrict(district=district) for district in districts]
    db.session.commit()
    return enterprise


def matching_scene(make, *, stage=Stage.SOLUTION_WORKSHOP, district=District.EUNPYEONG):
    complex_ = make.complex_(name="응암동 H아파트", district=district)
    participation = make.participation(complex_, stage=stage)
    coordinator = make.coordinator(complex_, display_name="정홍권")
    problem = make.problem(
        participation, title="아이 돌봄(육아)", category_code="care", state=ProblemState.SELECTED
    )
    enterprise = serving(
        make,
        make.enterprise(name="YMCA서울아가야", verified=True),
        categories=("care",),
        districts=(district,),
    )
    partner = make.partner(enterprise, display_name="아가야 담당자")
    return Scene(participation, coordinator, problem, enterprise, partner)
