"""The directory: search and filters, the staff's form, and who may do what."""

import pytest
from sqlalchemy import select

from gachi.complexes.districts import District
from gachi.enterprises.models import Enterprise, LegalForm
from gachi.extensions import db
from tests.complexes.helpers import post, signed_in, text_of
from tests.conftest import counted_queries
from tests.matching.helpers import serving


@pytest.fixture
def directory(make):
    serving(
        make,
        make.enterprise(name="YMCA서울아가야", verified=True),
        categories=("care",),
        districts=(District.EUNPYEONG,),
    )
    serving(
        make,
        make.enterprise(name="소녀방앗간", legal_form=LegalForm.SOCIAL_VENTURE),
        categories=("food",),
        seoul_wide=True,
    )
    serving(
        make, make.enterprise(name="김이백"), categories=("food",), districts=(District.DONGDAEMUN,)
    )


def names_on(response):
    page = text_of(response)
    return {name for name in ("YMCA서울아가야", "소녀방앗간", "김이백") if name in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"YMCA서울아가야", "소녀방앗간", "김이백"}),
        ("?q=방앗", {"소녀방앗간"}),
        ("?category=2", {"소녀방앗간", "김이백"}),
        ("?district=eunpyeong", {"YMCA서울아가야", "소녀방앗간"}),
        ("?legal_form=social_venture", {"소녀방앗간"}),
        ("?verified=y", {"YMCA서울아가야"}),
    ],
)
def test_the_directory_searches_and_filters(client, make, directory, query, expected):
    signed_in(client, make.coordinator(make.complex_()))
    response = client.get(f"/enterprises{query}")
    assert response.status_code == 200
    assert names_on(response) == expected


@pytest.mark.parametrize(
    "query", ["?district=atlantis", "?category=abc", "?page=0", "?legal_form=x"]
)
def test_a_filter_that_cannot_be_read_is_a_400_with_the_list_unfiltered(
    client, make, directory, query
):
    signed_in(client, make.staff())
    response = client.get(f"/enterprises{query}")
    assert response.status_code == 400
    assert "could not be read" in text_of(response)


def test_the_directory_costs_the_same_queries_for_few_and_many(client, make, directory):
    signed_in(client, make.staff())

    def count():
        with counted_queries() as statements:
            assert client.get("/enterprises").status_code == 200
        return len(statements)

    few = count()
    for number in range(10):
        serving(
            make,
            make.enterprise(name=f"기업 {number}"),
            categories=("care", "health"),
            districts=(District.MAPO, District.JUNG),
        )
    assert count() == few


def test_staff_add_an_enterprise_with_its_categories_and_districts(client, make):
    signed_in(client, make.staff())
    response = post(
        client,
        "/staff/enterprises/new",
        {
            "name": "헬스브릿지",
            "legal_form": "social_venture",
            "category_ids": ["3"],
            "districts": ["dongdaemun", "gwangjin"],
            "description": "",
            "contact": "",
        },
    )
    assert response.status_code == 302
    enterprise = db.session.scalars(select(Enterprise)).one()
    assert [category.code for category in enterprise.categories] == ["health"]
    assert set(enterprise.districts) == {District.GWANGJIN, District.DONGDAEMUN}


def test_an_enterprise_needs_a_category_and_a_reach(client, make):
    signed_in(client, make.staff())
    response = post(
        client, "/staff/enterprises/new", {"name": "빈 기업", "legal_form": "cooperative"}
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Choose at least one category." in page and "or all of Seoul" in page


def test_a_duplicate_name_is_a_conflict_with_a_message(client, make, directory):
    signed_in(client, make.staff())
    response = post(
        client,
        "/staff/enterprises/new",
        {"name": "김이백", "legal_form": "cooperative", "category_ids": ["2"], "seoul_wide": "y"},
    )
    assert response.status_code == 409
    assert "already an enterprise called 김이백" in text_of(response)


def test_staff_edit_what_an_enterprise_serves(client, make, directory):
    enterprise = db.session.scalars(select(Enterprise).where(Enterprise.name == "김이백")).one()
    signed_in(client, make.staff())
    response = post(
        client,
        f"/staff/enterprises/{enterprise.id}/edit",
        {
            "name": "김이백",
            "legal_form": "social_venture",
            "category_ids": ["2", "1"],
            "seoul_wide": "y",
            "verified": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(enterprise)
    assert enterprise.seoul_wide and enterprise.verified and enterprise.districts == []
    assert {category.code for category in enterprise.categories} == {"care", "food"}


@pytest.mark.parametrize("path", ["/staff/enterprises/new", "/staff/enterprises/import"])
def test_only_staff_keep_the_directory(client, make, path):
    signed_in(client, make.coordinator(make.complex_()))
    assert client.get(path).status_code == 403


def test_the_detail_page_shows_partner_accounts_to_staff(client, make):
    enterprise = make.enterprise(name="트리플래닛")
    make.partner(enterprise, display_name="트리플래닛 담당자")
    signed_in(client, make.staff(admin=True))
    page = text_of(client.get(f"/enterprises/{enterprise.id}"))
    assert "트리플래닛 담당자" in page
    assert f"/staff/accounts/new?role=partner&enterprise_id={enterprise.id}" in page
    assert client.get("/enterprises/99999").status_code == 404
