"""The can_* matrix for programmes and sessions: staff, the coordinator in and out of their
period, residents of this and another complex, partners of the delivering and another
enterprise."""

import pytest

from tests.programs.helpers import program_scene


@pytest.fixture
def scene(make):
    return program_scene(make)


def people(make, scene):
    complex_ = scene.participation.complex
    return {
        "staff": make.staff(),
        "coordinator": scene.coordinator,
        "former coordinator": make.coordinator(
            complex_, starts_on=make.days_ago(90), ends_on=make.days_ago(1)
        ),
        "resident": scene.resident,
        "other resident": make.resident(make.complex_()),
        "partner": scene.partner,
        "other partner": make.partner(),
    }


EXPECTED = {
    # who: (view, manage, check in, book)
    "staff": (True, True, True, False),
    "coordinator": (True, True, True, False),
    "former coordinator": (False, False, False, False),
    "resident": (True, False, False, True),
    "other resident": (False, False, False, False),
    "partner": (True, False, True, False),
    "other partner": (False, False, False, False),
}


def test_the_session_permission_matrix(make, scene):
    for who, user in people(make, scene).items():
        program_session = scene.program_session
        assert (
            program_session.can_view(user),
            program_session.can_manage(user),
            program_session.can_check_in(user),
            program_session.can_book(user),
        ) == EXPECTED[who], who
