"""The public overview, the role homes and the language switch, as people use them."""

import pytest

from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Participation
from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.public.queries import COMPLEXES_PER_PAGE
from tests.conftest import counted_queries, sign_in


def add_complexes(cohort, count, prefix="단지"):
    """Many participating complexes in one commit (the factories commit one by one)."""
    for number in range(count):
        complex_ = Complex(
            name=f"{prefix} {number:04d}",
            district=District.NOWON,
            tenure="mixed",
            household_count=500 + number,
        )
        db.session.add(Participation(cohort=cohort, complex=complex_))
    db.session.commit()


@pytest.fixture
def client(client):
    """Pages in English, so the assertions hold whatever the Korean catalogue says."""
    client.set_cookie("lang", "en")
    return client


def page_text(response):
    return response.get_data(as_text=True)


def test_visitor_sees_cohorts_and_their_complexes_without_signing_in(client, make):
    cohort = make.cohort(name="2018 시범사업")
    make.participation(
        make.complex_(name="아현동 P아파트", household_count=661), cohort, stage=Stage.RUNNING
    )
    make.participation(
        make.complex_(name="응암동 H아파트", district=District.EUNPYEONG, household_count=None),
        cohort,
        stage=Stage.EVALUATION,
    )
    response = client.get("/")
    assert response.status_code == 200
    text = page_text(response)
    for expected in (
        "2018 시범사업",
        "아현동 P아파트",
        "661",
        "Mapo-gu",
        "Running",
        "응암동 H아파트",
        "Eunpyeong-gu",
        "Not given",
        "Evaluation",
    ):
        assert expected in text


def test_overview_shows_no_personal_data(client, make):
    complex_ = make.complex_(name="아현동 P아파트")
    make.participation(complex_)
    resident = make.resident(
        complex_, display_name="김비밀", phone="010-1234-5678", email="secret@example.org"
    )
    coordinator = make.coordinator(complex_, display_name="박코디")
    text = page_text(client.get("/"))
    assert "아현동 P아파트" in text
    for private in (
        "김비밀",
        "010-1234-5678",
        "secret@example.org",
        resident.username,
        "박코디",
        coordinator.username,
    ):
        assert private not in text


def test_overview_issues_the_same_queries_for_three_or_thirty_complexes(client, make):
    small, large = make.cohort(name="작은 사업연도"), make.cohort(name="큰 사업연도")
    add_complexes(small, 3)
    client.get("/")
    with counted_queries() as few:
        client.get("/")
    add_complexes(large, 30, prefix="큰단지")
    with counted_queries() as many:
        text = page_text(client.get("/"))
    assert "큰단지 0029" in text
    assert len(many) == len(few) <= 2


def test_overview_lists_the_first_hundred_and_pages_through_the_rest(client, make):
    cohort = make.cohort()
    add_complexes(cohort, COMPLEXES_PER_PAGE + 3)
    text = page_text(client.get("/"))
    assert "단지 0099" in text and "단지 0100" not in text
    assert f"/cohorts/{cohort.id}?page=2" in text
    second = page_text(client.get(f"/cohorts/{cohort.id}?page=2"))
    assert "단지 0100" in second and "단지 0102" in second and "단지 0099" not in second


@pytest.mark.parametrize("query", ["?page=0", "?page=3", "?page=two", "?page=-1", "?page=%C2%B2"])
def test_a_page_number_out_of_range_or_not_a_number_is_not_found(client, make, query):
    cohort = make.cohort()
    add_complexes(cohort, COMPLEXES_PER_PAGE + 1)
    assert client.get(f"/cohorts/{cohort.id}{query}").status_code == 404


def test_an_unknown_cohort_is_not_found(client):
    assert client.get("/cohorts/999").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in_from_home(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_staff_lands_on_the_cohort_list(client, make):
    sign_in(client, make.staff())
    assert client.get("/home").headers["Location"] == "/staff/cohorts"


def test_coordinator_lands_on_their_complexes(client, make):
    sign_in(client, make.coordinator(make.complex_()))
    assert client.get("/home").headers["Location"] == "/my/complexes"


def test_resident_lands_on_their_complex(client, make):
    sign_in(client, make.resident())
    assert client.get("/home").headers["Location"] == "/my/complex"


def test_partner_lands_on_their_enterprise(client, make):
    sign_in(client, make.partner())
    assert client.get("/home").headers["Location"] == "/partner"


def test_resident_sees_their_household_stage_and_coordinators(client, make):
    complex_ = make.complex_(name="응암동 H아파트", district=District.EUNPYEONG)
    make.participation(complex_, make.cohort(name="2018 시범사업"), stage=Stage.RUNNING)
    resident = make.resident(complex_, make.household(complex_, building="103", unit="402"))
    make.coordinator(complex_, display_name="정홍권")
    make.coordinator(
        complex_, display_name="지난코디", starts_on=make.days_ago(90), ends_on=make.days_ago(1)
    )
    make.coordinator(make.complex_(), display_name="다른단지코디")
    sign_in(client, resident)
    response = client.get("/my/complex")
    assert response.status_code == 200
    text = page_text(response)
    for expected in (
        "응암동 H아파트",
        "Eunpyeong-gu",
        "103동 402호",
        "2018 시범사업",
        "정홍권",
        '<li class="current" aria-current="step">Running</li>',
        '<li class="done">Planning</li>',
        "<li>Evaluation</li>",
        "Programmes are running in your complex.",
    ):
        assert expected in text
    assert "지난코디" not in text and "다른단지코디" not in text


def test_resident_sees_their_complex_in_its_latest_cohort(client, make):
    complex_ = make.complex_()
    make.participation(complex_, make.cohort(name="2018 시범사업", year=2018), stage=Stage.CLOSED)
    make.participation(
        complex_, make.cohort(name="2019 같이살림", year=2019), stage=Stage.PROBLEM_WORKSHOP
    )
    sign_in(client, make.resident(complex_))
    text = page_text(client.get("/my/complex"))
    assert "2019 같이살림" in text
    assert '<li class="current" aria-current="step">Problem workshop</li>' in text


def test_resident_of_a_complex_not_yet_in_a_cohort_is_told_so(client, make):
    sign_in(client, make.resident(make.complex_()))
    text = page_text(client.get("/my/complex"))
    assert "Your complex is not taking part in a cohort yet." in text
    assert "No coordinator is placed at your complex right now." in text


@pytest.mark.parametrize("role", ["staff", "coordinator", "partner"])
def test_only_residents_have_a_my_complex_page(client, make, role):
    person = {
        "staff": make.staff,
        "coordinator": lambda: make.coordinator(make.complex_()),
        "partner": make.partner,
    }[role]()
    sign_in(client, person)
    assert client.get("/my/complex").status_code == 404


def test_partner_sees_their_enterprise(client, make):
    enterprise = make.enterprise(
        name="헬스브릿지",
        legal_form="social_venture",
        description="건강 전문 소셜벤처",
        contact="02-000-0000",
    )
    sign_in(client, make.partner(enterprise))
    response = client.get("/partner")
    assert response.status_code == 200
    text = page_text(response)
    for expected in ("헬스브릿지", "Social venture", "건강 전문 소셜벤처", "02-000-0000"):
        assert expected in text


@pytest.mark.parametrize("role", ["staff", "coordinator", "resident"])
def test_only_partners_have_a_partner_page(client, make, role):
    person = {
        "staff": make.staff,
        "coordinator": lambda: make.coordinator(make.complex_()),
        "resident": make.resident,
    }[role]()
    sign_in(client, person)
    assert client.get("/partner").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in_from_the_role_homes(client):
    for path in ("/my/complex", "/partner"):
        assert client.get(path).headers["Location"].startswith("/login")


def test_switching_to_english_sets_a_year_long_cookie_and_returns_to_the_page(client):
    response = client.get("/language/en?next=/cohorts/1%3Fpage%3D2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/cohorts/1?page=2"
    cookie = response.headers["Set-Cookie"]
    for attribute in ("lang=en", "Max-Age=31536000", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert '<html lang="en">' in page_text(client.get("/"))


def test_korean_is_the_default_and_switching_back_works(client):
    client.delete_cookie("lang")
    assert '<html lang="ko">' in page_text(client.get("/"))
    client.get("/language/en?next=/")
    client.get("/language/ko?next=/")
    assert '<html lang="ko">' in page_text(client.get("/"))


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "evil",
        "",
        "/%0d%0aSet-Cookie:x=y",
    ],
)
def test_language_switch_never_sends_people_to_another_site(client, target):
    response = client.get("/language/ko", query_string={"next": target} if target else None)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith(("//", "/\\")))
    assert "\r" not in location and "\n" not in location


def test_an_unknown_language_is_not_found(client):
    response = client.get("/language/fr?next=/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_partner_home_counts_the_offers_waiting_for_an_answer(client, make):
    from gachi.matching import operations
    from tests.matching.helpers import matching_scene

    scene = matching_scene(make)
    operations.offer_match(
        scene.problem, scene.enterprise, message="도와주세요.", actor=scene.coordinator
    )
    db.session.commit()
    sign_in(client, make.partner(scene.enterprise))
    text = page_text(client.get("/partner"))
    assert "Offers waiting for your answer: 1" in text and "Accepted or running: 0" in text
