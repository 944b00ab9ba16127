"""The board keeps what is the same for every staff member between two refreshes (its
tables by district, category and complex, rendered) and shows new figures as soon as a
refresh lands, in this worker or in another one."""

import re

from gachi.kpi import refresh as refresh_module
from gachi.kpi.board_cache import FiguresCache, figures_cache
from gachi.kpi.refresh import refresh_all
from tests.conftest import sign_in
from tests.kpi.helpers import known_cohort


def _mapo_problems(client, cohort_id):
    """The "Problems proposed" cell of 마포 단지's line in the board's complex table."""
    page = client.get(f"/staff/cohorts/{cohort_id}/board").get_data(as_text=True)
    table = page[page.index('id="table-complexes"') :]
    headers = re.findall(r"<th scope=\"col\"[^>]*>([^<]+)</th>", table)
    row = re.search(r"마포 단지</a></th>(.*?)</tr>", table, re.S).group(1)
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    column = next(index for index, header in enumerate(headers) if header.startswith("Problems"))
    return cells[column - 1]  # the complex's name is a <th>, not a <td>


def test_the_board_shows_a_new_problem_once_a_refresh_lands_and_not_before(client, make, app):
    scene = known_cohort(make)
    refresh_all()
    sign_in(client, scene.staff)
    cache = figures_cache(app)

    assert _mapo_problems(client, scene.cohort.id) == "2"
    misses = cache.misses

    # A resident proposes a third problem: the board says "as of" the last refresh, and
    # the next staff member is served what was rendered for the first.
    make.problem(scene.mapo, proposed_by_id=scene.resident.id)
    assert _mapo_problems(client, scene.cohort.id) == "2"
    assert cache.misses == misses and cache.hits >= 1

    # The scheduler's refresh runs in this worker: what was kept is forgotten at once.
    refresh_all()
    assert len(cache) == 0
    assert _mapo_problems(client, scene.cohort.id) == "3"


def test_a_refresh_in_another_worker_is_seen_by_its_time(client, make, app, monkeypatch):
    scene = known_cohort(make)
    refresh_all()
    sign_in(client, scene.staff)
    assert _mapo_problems(client, scene.cohort.id) == "2"

    # Another process refreshes: this worker's cache is not told, but the refresh's
    # computed_at, read on every request, is no longer the one the page was kept for.
    monkeypatch.setattr(refresh_module, "figures_cache", lambda: FiguresCache())
    make.problem(scene.mapo, proposed_by_id=scene.resident.id)
    refresh_all()
    assert len(figures_cache(app)) > 0  # still holding the old page
    assert _mapo_problems(client, scene.cohort.id) == "3"


def test_pages_filters_and_languages_are_kept_apart(client, make, app):
    scene = known_cohort(make)
    refresh_all()
    sign_in(client, scene.staff)
    board = f"/staff/cohorts/{scene.cohort.id}/board"

    english = client.get(board).get_data(as_text=True)
    filtered = client.get(f"{board}?district=eunpyeong").get_data(as_text=True)
    client.set_cookie("lang", "ko")
    korean = client.get(board).get_data(as_text=True)

    assert "마포 단지</a>" in english and "마포 단지</a>" not in filtered
    assert "By district" in english and "By district" not in korean
    assert client.get(f"{board}?page=2").status_code == 404  # two complexes: one page
