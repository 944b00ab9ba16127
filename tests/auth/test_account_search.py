"""Staff search the accounts by name or user name, through an index at any size."""

from sqlalchemy import event

from gachi.auth.queries import search_finds_anywhere
from gachi.extensions import db
from tests.conftest import sign_in


def text(response):
    return response.get_data(as_text=True)


def test_staff_find_an_account_by_the_beginning_of_its_name_or_user_name(client, make):
    make.coordinator(display_name="박코디", username="coord.park")
    make.resident(display_name="김주민", username="minsu.kim")
    make.partner(display_name="Lee Partner", username="lee_p")
    sign_in(client, make.staff(admin=True))

    by_name = text(client.get("/staff/accounts?q=김주"))
    assert "김주민" in by_name and "박코디" not in by_name
    by_username = text(client.get("/staff/accounts?q=Coord.P"))
    assert "박코디" in by_username and "김주민" not in by_username
    latin_name_any_case = text(client.get("/staff/accounts?q=lee p"))
    assert "Lee Partner" in latin_name_any_case and "박코디" not in latin_name_any_case
    # % and _ are letters to look for, not wildcards.
    assert "No account matches." in text(client.get("/staff/accounts?q=%25"))
    assert "Lee Partner" not in text(client.get("/staff/accounts?q=lee%25"))
    assert "Lee Partner" in text(client.get("/staff/accounts?q=lee_"))


def test_the_search_hint_says_what_part_of_a_name_is_found(client, make):
    make.resident(display_name="남궁주민")
    sign_in(client, make.staff(admin=True))
    page = text(client.get("/staff/accounts"))
    found_inside = text(client.get("/staff/accounts?q=궁주민"))
    two_letters_inside = text(client.get("/staff/accounts?q=주민"))
    assert "남궁주민" not in two_letters_inside
    if search_finds_anywhere():  # PostgreSQL with pg_trgm
        assert (
            "Finds any part of three letters or more of a name or user name,"
            " and a shorter one at its beginning." in page
        )
        assert "남궁주민" in found_inside
    else:
        assert "Finds names and user names that begin with what you type." in page
        assert "남궁주민" not in found_inside


def explained_account_searches(client, search):
    """The plan of every statement the account list runs for `search`."""
    run = []

    def record(_connection, _cursor, statement, parameters, *_args):
        if "FROM users" in statement and "LIKE" in statement.upper():
            run.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/staff/accounts?q={search}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert run, "the account list ran no search"
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Told not to scan if it can help it: an index the search cannot use would not help.
        # Nor to walk a whole index in its order (the list is ordered by user name, and on
        # a small table the planner may walk uq_users_username and filter every row): what
        # is left is a bitmap scan, which only an index the search can use can serve.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
        prefix = "EXPLAIN "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    plans = []
    for statement, parameters in run:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        plans.append("\n".join(str(row[-1]) for row in rows))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        connection.exec_driver_sql("SET LOCAL enable_indexscan = on")
    return plans


def test_the_account_search_reads_the_name_indexes_not_every_user(client, make):
    make.resident(display_name="김주민", username="minsu.kim")
    sign_in(client, make.staff(admin=True))

    # Three letters (anywhere in a name on PostgreSQL) and two (at the beginning).
    plans = explained_account_searches(client, "김주민") + explained_account_searches(
        client, "김주"
    )

    assert len(plans) == 4  # the count and the page, twice
    for plan in plans:
        assert "ix_users_username_search" in plan, plan
        assert "ix_users_display_name_search" in plan, plan
        if db.engine.dialect.name == "sqlite":
            assert "SEARCH users USING INDEX ix_users_display_name_search" in plan, plan
            assert "SCAN users" not in plan, plan
        else:
            assert "Seq Scan on users" not in plan, plan
