"""Problems over HTTP: residents propose, support and comment; coordinators shortlist;
another complex's residents get 404."""

import pytest
from sqlalchemy import select

from gachi.complexes.stages import Stage
from gachi.core.errors import DomainError
from gachi.extensions import db
from gachi.proposals.models import Problem, ProblemComment, ProblemState, ProblemSupport
from gachi.proposals.operations import propose_problem
from tests.complexes.helpers import confirm_on_page, post, signed_in, text_of


def scene(make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    return complex_, participation


def test_a_resident_proposes_supports_and_comments(client, make):
    complex_, participation = scene(make)
    resident = make.resident(complex_)
    signed_in(client, resident)
    assert (
        client.get("/my/problems")
        .headers["Location"]
        .endswith(f"/participations/{participation.id}/problems")
    )
    response = post(
        client,
        f"/participations/{participation.id}/problems",
        {
            "title": "아이 돌봄(육아)",
            "category": str(make.category("care").id),
            "description": "오후 돌봄",
        },
    )
    assert response.status_code == 302
    problem = db.session.scalars(select(Problem)).one()
    assert post(client, f"/problems/{problem.id}/support").status_code == 302
    assert post(client, f"/problems/{problem.id}/comments", {"body": "저도요"}).status_code == 302
    page = text_of(client.get(f"/problems/{problem.id}"))
    assert "Me too: 1" in page and "저도요" in page
    assert db.session.scalars(select(ProblemSupport.user_id)).all() == [resident.id]


def test_a_bad_proposal_is_a_400_and_nothing_is_saved(client, make):
    complex_, participation = scene(make)
    signed_in(client, make.resident(complex_))
    for data in (
        {"title": "", "category": str(make.category().id)},
        {"title": "x", "category": "9999"},
        {"title": "a\x00b", "category": str(make.category().id)},
        {"title": "y" * 121, "category": str(make.category().id)},
    ):
        assert post(client, f"/participations/{participation.id}/problems", data).status_code == 400
    assert db.session.scalars(select(Problem)).all() == []


def test_an_empty_comment_is_refused(client, make):
    complex_, participation = scene(make)
    problem = make.problem(participation)
    signed_in(client, make.resident(complex_))
    assert post(client, f"/problems/{problem.id}/comments", {"body": ""}).status_code == 400
    assert db.session.scalars(select(ProblemComment)).all() == []


def test_a_resident_of_another_complex_gets_404(client, make):
    _complex, participation = scene(make)
    problem = make.problem(participation)
    signed_in(client, make.resident())
    assert client.get(f"/participations/{participation.id}/problems").status_code == 404
    assert client.get(f"/problems/{problem.id}").status_code == 404
    assert post(client, f"/problems/{problem.id}/support").status_code == 404
    assert (
        post(
            client, f"/participations/{participation.id}/problems", {"title": "x", "category": "1"}
        ).status_code
        == 404
    )


def test_the_coordinator_shortlists_and_residents_cannot(client, make):
    complex_, participation = scene(make)
    problem = make.problem(participation)
    signed_in(client, make.resident(complex_))
    assert (
        post(client, f"/problems/{problem.id}/state", {"target": "shortlisted"}).status_code == 403
    )
    signed_in(client, make.coordinator(complex_))
    assert (
        post(client, f"/problems/{problem.id}/state", {"target": "shortlisted"}).status_code == 302
    )
    refused = post(client, f"/problems/{problem.id}/state", {"target": "resolved"})
    assert refused.status_code == 400 and "cannot go from" in text_of(refused)
    assert post(client, f"/problems/{problem.id}/state", {"target": "nonsense"}).status_code == 400
    db.session.expire_all()
    assert problem.state is ProblemState.SHORTLISTED


def test_the_coordinator_edits_and_merges(client, make):
    complex_, participation = scene(make)
    keep, duplicate = (
        make.problem(participation, title="육아"),
        make.problem(participation, title="돌봄"),
    )
    signed_in(client, make.coordinator(complex_))
    assert (
        post(
            client,
            f"/problems/{keep.id}/edit",
            {
                "title": "아이 돌봄(육아)",
                "category": str(make.category("care").id),
                "description": "",
            },
        ).status_code
        == 302
    )
    assert post(client, f"/problems/{duplicate.id}/merge", {"into": "99999"}).status_code == 400
    merged = confirm_on_page(client, f"/problems/{duplicate.id}/merge?into={keep.id}")
    assert merged.status_code == 302
    db.session.expire_all()
    assert keep.title == "아이 돌봄(육아)" and duplicate.state is ProblemState.MERGED


@pytest.mark.parametrize("stage", list(Stage))
def test_the_problem_form_is_offered_exactly_in_the_stages_that_take_problems(client, make, stage):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=stage)
    resident = make.resident(complex_)
    signed_in(client, resident)
    page = text_of(client.get(f"/participations/{participation.id}/problems"))
    offered = 'id="propose"' in page

    try:
        propose_problem(
            participation, title="주차 문제", category=make.category("housing"), actor=resident
        )
        accepted = True
    except DomainError:
        accepted = False
    db.session.rollback()
    assert offered is accepted
    assert accepted is (stage in (Stage.RECRUITING, Stage.PROBLEM_WORKSHOP))


def test_in_the_running_stage_a_resident_sees_no_problem_form_and_a_submit_says_why(client, make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.RUNNING)
    signed_in(client, make.resident(complex_))
    assert "Propose a problem" not in text_of(
        client.get(f"/participations/{participation.id}/problems")
    )
    response = post(
        client,
        f"/participations/{participation.id}/problems",
        {"title": "주차 문제", "category": str(make.category("housing").id)},
    )
    assert response.status_code == 400
    assert "only until the first workshop is over" in text_of(response)
    assert db.session.scalars(select(Problem)).all() == []


# Merging asks first -------------------------------------------------------------------


def merge_scene(make, client):
    """Two problems of a complex, the duplicate with a resident's support and comment;
    the coordinator signed in."""
    complex_, participation = scene(make)
    keep = make.problem(participation, title="아이 돌봄(육아)")
    duplicate = make.problem(participation, title="오후 돌봄")
    resident = make.resident(complex_)
    db.session.add_all(
        [
            ProblemSupport(problem_id=duplicate.id, user_id=resident.id),
            ProblemComment(problem_id=duplicate.id, author_id=resident.id, body="저도요"),
        ]
    )
    db.session.commit()
    signed_in(client, make.coordinator(complex_))
    return keep, duplicate


def unmerged(keep, duplicate):
    db.session.expire_all()
    return (
        duplicate.state is ProblemState.PROPOSED
        and duplicate.merged_into_id is None
        and db.session.scalars(select(ProblemSupport.problem_id)).all() == [duplicate.id]
        and db.session.scalars(select(ProblemComment.problem_id)).all() == [duplicate.id]
    )


def test_merging_asks_first_and_says_which_problem_goes_into_which(client, make):
    keep, duplicate = merge_scene(make, client)
    problem_page = client.get(f"/problems/{duplicate.id}").get_data(as_text=True)
    assert f'method="get" action="/problems/{duplicate.id}/merge"' in problem_page

    asking = client.get(f"/problems/{duplicate.id}/merge?into={keep.id}")

    page = text_of(asking)
    assert asking.status_code == 200
    assert "“오후 돌봄” is merged into “아이 돌봄(육아)”. A merge cannot be undone." in page
    assert "Its supports (1) move to “아이 돌봄(육아)”" in page
    assert "Its comments (1) move to “아이 돌봄(육아)”." in page
    assert f'href="/problems/{duplicate.id}">Cancel</a>' in page
    assert unmerged(keep, duplicate)

    assert (
        confirm_on_page(client, f"/problems/{duplicate.id}/merge?into={keep.id}").status_code == 302
    )
    db.session.expire_all()
    assert duplicate.state is ProblemState.MERGED and duplicate.merged_into_id == keep.id
    assert db.session.scalars(select(ProblemSupport.problem_id)).all() == [keep.id]
    again = client.get(f"/problems/{duplicate.id}/merge?into={keep.id}")
    assert again.status_code == 409 and "Only proposed or shortlisted" in text_of(again)


@pytest.mark.parametrize("into", ["", "99999", "abc", "self"])
def test_asking_to_merge_into_no_problem_of_the_complex_is_a_400(client, make, into):
    keep, duplicate = merge_scene(make, client)
    into = str(duplicate.id) if into == "self" else into
    response = client.get(f"/problems/{duplicate.id}/merge?into={into}")
    assert response.status_code == 400
    assert '<p class="error" role="alert">' in text_of(response)  # said below the merge field
    assert unmerged(keep, duplicate)


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_merge_without_a_good_csrf_token_is_refused_and_nothing_moves(client, make, token):
    keep, duplicate = merge_scene(make, client)
    data = {"into": str(keep.id), **({"csrf_token": token} if token else {})}
    assert client.post(f"/problems/{duplicate.id}/merge", data=data).status_code == 400
    assert unmerged(keep, duplicate)


def test_merging_a_problem_that_does_not_exist_is_a_404(client, make):
    keep, duplicate = merge_scene(make, client)
    assert client.get(f"/problems/99999/merge?into={keep.id}").status_code == 404
    assert post(client, "/problems/99999/merge", {"into": str(keep.id)}).status_code == 404
    assert unmerged(keep, duplicate)


def test_a_resident_cannot_ask_to_merge(client, make):
    complex_, participation = scene(make)
    keep, duplicate = make.problem(participation), make.problem(participation)
    signed_in(client, make.resident(complex_))
    assert client.get(f"/problems/{duplicate.id}/merge?into={keep.id}").status_code == 403


def test_a_selected_problem_offers_no_merge(client, make):
    complex_, participation = scene(make)
    make.problem(participation, title="육아")
    selected = make.problem(participation, title="돌봄", state=ProblemState.SELECTED)
    signed_in(client, make.coordinator(complex_))
    assert "Merge this duplicate" not in text_of(client.get(f"/problems/{selected.id}"))
