"""Generate a city for the benchmark: N complexes, one cohort, residents and a year's work.

    .venv/bin/python bench/generate.py --complexes 430 --db sqlite:///instance/bench-430.sqlite3

The database's schema is dropped and made again with the migrations, then every row
goes in with bulk Core inserts (executemany, in chunks of complexes), never through
the ORM or the operations: a city takes minutes that way instead of hours. Every
account shares one precomputed password hash (bench/common.py's PASSWORD).

Per complex: residents (150 by default, one household each), a coordinator and their
placement, 20 problems with supports, a closed ballot voted by every resident (roll,
records, choices), 2 programmes with 50 sessions, 10 bookings each (attendance on the
past ones), 50 feedback entries, 50 volunteer shifts, an execution plan with budget
lines and spending. The first complex also gets what the write runs use: open
ballots and future sessions with room to spare (bench/common.py, WRITE_*).
"""

import argparse
import json
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from bench.common import (
    PASSWORD,
    STAFF_TOTP_SECRET,
    STAFF_USERNAME,
    WRITE_BALLOTS,
    WRITE_FULL_SESSIONS,
    WRITE_SESSIONS,
    bench_app,
    database_kind,
)
from gachi.ballots.box import seal_box

CITY_COMPLEXES = 4300
CITY_HOUSEHOLDS = 2_460_000
PROBLEMS, SESSIONS, BOOKINGS_PER_SESSION, FEEDBACK, SHIFTS = 20, 50, 10, 50, 50
PAST_SESSIONS = 40
CHUNK = 50  # complexes per batch of inserts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complexes", type=int, default=430)
    parser.add_argument("--residents", type=int, default=150, help="resident accounts per complex")
    parser.add_argument("--db", required=True, help="sqlite:///path or postgresql://...")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


# The schema ----------------------------------------------------------------------------


def recreate_schema(app, url):
    """An empty database at the newest migration."""
    from flask_migrate import upgrade

    from gachi.extensions import db

    with app.app_context():
        if database_kind(url) == "sqlite":
            db.engine.dispose()
            path = Path(db.engine.url.database)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()


# Rows ----------------------------------------------------------------------------------


class Ids:
    """Explicit primary keys, so one chunk's rows can point at each other before insert."""

    def __init__(self):
        self.last = {}

    def next(self, table):
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


class City:
    """Builds the rows of a chunk of complexes, table by table, in foreign-key order."""

    TABLES = (
        "complexes",
        "participations",
        "households",
        "users",
        "placements",
        "problems",
        "problem_supports",
        "ballots",
        "ballot_options",
        "ballot_voters",
        "ballot_boxes",
        "programs",
        "program_sessions",
        "bookings",
        "roster_entries",
        "session_feedback",
        "execution_plans",
        "budget_lines",
        "spending_entries",
    )

    def __init__(self, *, password_hash, cohort_id, category_ids, residents, now, rng, ids):
        self.password_hash, self.cohort_id = password_hash, cohort_id
        self.category_ids, self.residents = category_ids, residents
        self.now, self.rng, self.ids = now, rng, ids
        self.rows = {table: [] for table in self.TABLES}

    def add(self, table, **values):
        if "id" not in values and table not in ("ballot_boxes",):
            values["id"] = self.ids.next(table)
        self.rows[table].append(values)
        return values.get("id")

    def complex(self, number, district, household_count):
        complex_id = self.add(
            "complexes",
            name=f"벤치 {number:04d}단지",
            district=district,
            address=f"서울 벤치로 {number}",
            household_count=household_count,
            resident_count=int(household_count * 2.3),
            tenure="rental",
            built_year=1990 + number % 30,
            description="",
            source="demo",
        )
        participation_id = self.add(
            "participations",
            cohort_id=self.cohort_id,
            complex_id=complex_id,
            stage="running",
            stage_changed_at=self.now,
        )
        residents = self._residents(complex_id, number)
        self._coordinator(complex_id, number)
        problems = self._problems(participation_id, residents)
        self._closed_ballot(participation_id, problems, residents)
        sessions = self._programmes(participation_id, problems, residents)
        self._feedback_and_shifts(sessions, residents)
        self._plan(participation_id)
        return complex_id, participation_id, residents, problems

    def _residents(self, complex_id, number):
        residents = []
        for index in range(self.residents):
            household_id = self.add(
                "households",
                complex_id=complex_id,
                building=str(101 + index // 40),
                unit=str(100 + index % 40),
            )
            residents.append(
                self.add(
                    "users",
                    username=f"r{number}-{index}",
                    display_name=f"주민 {number}-{index}",
                    password_hash=self.password_hash,
                    role="resident",
                    household_id=household_id,
                    password_changed_at=self.now,
                    source="demo",
                )
            )
        return residents

    def _coordinator(self, complex_id, number):
        user_id = self.add(
            "users",
            username=f"c{number}",
            display_name=f"코디네이터 {number}",
            password_hash=self.password_hash,
            role="coordinator",
            password_changed_at=self.now,
            source="demo",
        )
        self.add(
            "placements",
            coordinator_id=user_id,
            complex_id=complex_id,
            starts_on=(self.now - timedelta(days=365)).date(),
            note="",
        )

    def _problems(self, participation_id, residents):
        states = ["selected", "selected", "not_selected", "not_selected", "not_selected"]
        problems = []
        for index in range(PROBLEMS):
            problem_id = self.add(
                "problems",
                participation_id=participation_id,
                title=f"생활 문제 {index + 1}",
                description="벤치마크용 문제",
                category_id=self.category_ids[index % len(self.category_ids)],
                state=states[index] if index < len(states) else "proposed",
                proposed_by_id=residents[index % len(residents)],
                source="demo",
            )
            problems.append(problem_id)
            for offset in range(5):
                self.add(
                    "problem_supports",
                    problem_id=problem_id,
                    user_id=residents[(index * 5 + offset + 1) % len(residents)],
                )
        return problems

    def _closed_ballot(self, participation_id, problems, residents):
        ballot_id = self.add(
            "ballots",
            participation_id=participation_id,
            title="해결할 문제 고르기",
            method="approval",
            max_choices=2,
            max_per_option=1,
            eligibility="resident",
            opens_at=self.now - timedelta(days=120),
            closes_at=self.now - timedelta(days=110),
            tie_rule="earliest",
            seats=2,
            eligible_count=len(residents),
            state="closed",
            closed_at=self.now - timedelta(days=110),
            tie_note="",
            source="demo",
        )
        options = [
            self.add(
                "ballot_options", ballot_id=ballot_id, problem_id=problem_id, position=position
            )
            for position, problem_id in enumerate(problems[:5])
        ]
        # A closed ballot: its box is published in plain (gachi/ballots/box.py); the
        # voters' sealed markings are left out (no receipt would open them).
        markings: Counter = Counter()
        for user_id in residents:
            self.add("ballot_voters", ballot_id=ballot_id, user_id=user_id, channel="online")
            chosen = self.rng.sample(options, self.rng.choice((1, 2)))
            markings[",".join(str(option_id) for option_id in sorted(chosen))] += 1
        self.add("ballot_boxes", ballot_id=ballot_id, published=json.dumps(dict(markings)))

    def program(self, participation_id, problem_id, title, capacity):
        return self.add(
            "programs",
            participation_id=participation_id,
            problem_id=problem_id,
            title=title,
            description="",
            venue="관리사무소 2층",
            audience="주민",
            default_capacity=capacity,
            weekdays="1",
            source="demo",
        )

    def session(self, program_id, starts_at, capacity, seats_taken=0):
        return self.add(
            "program_sessions",
            program_id=program_id,
            title="",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            capacity=capacity,
            seats_taken=seats_taken,
            schedule_day=starts_at.date(),
        )

    def _programmes(self, participation_id, problems, residents):
        programs = [
            self.program(participation_id, problems[0], "돌봄방", 12),
            self.program(participation_id, problems[1], "건강 체조", 12),
        ]
        sessions = []
        for index in range(SESSIONS):
            starts_at = self.now + timedelta(days=2 * (index - PAST_SESSIONS), hours=1)
            session_id = self.session(programs[index % 2], starts_at, 12, BOOKINGS_PER_SESSION)
            sessions.append(session_id)
            for seat in range(BOOKINGS_PER_SESSION):
                attendance = (
                    None if index >= PAST_SESSIONS else "no_show" if seat >= 8 else "attended"
                )
                self._booking(
                    session_id, residents[(index * 7 + seat) % len(residents)], attendance
                )
        return sessions

    def _booking(self, session_id, user_id, attendance):
        booking_id = self.ids.next("bookings")
        self.add(
            "bookings",
            id=booking_id,
            session_id=session_id,
            user_id=user_id,
            name="",
            party_size=1,
            dependants="",
            status="confirmed",
            channel="online",
            code=f"BK{booking_id:014d}",
            booked_by_id=user_id,
            confirmed_at=self.now,
            attendance=attendance,
            source="demo",
        )

    def _feedback_and_shifts(self, sessions, residents):
        for index in range(FEEDBACK):
            session_index = index % PAST_SESSIONS
            user_id = residents[(session_index * 7 + index // PAST_SESSIONS) % len(residents)]
            self.add(
                "session_feedback",
                session_id=sessions[session_index],
                user_id=user_id,
                rating=1 + (index * 3) % 5,
                comment="좋았어요",
                change_topic="nothing",
                change_note="",
                source="demo",
            )
        for index in range(SHIFTS):
            self.add(
                "roster_entries",
                session_id=sessions[index % SESSIONS],
                user_id=residents[(index * 11 + 3) % len(residents)],
                name="",
                role="volunteer",
                minutes=120,
                source="demo",
            )

    def _plan(self, participation_id):
        plan_id = self.add("execution_plans", participation_id=participation_id, goals="벤치마크")
        for index, category in enumerate(
            ("instructors", "materials", "venue", "publicity", "food")
        ):
            line_id = self.add(
                "budget_lines",
                plan_id=plan_id,
                category=category,
                description=f"예산 {index + 1}",
                amount=1_000_000 * (index + 1),
                source="demo",
            )
            for spent in range(2):
                self.add(
                    "spending_entries",
                    budget_line_id=line_id,
                    spent_on=(self.now - timedelta(days=30 * (spent + 1))).date(),
                    amount=200_000 * (index + 1),
                    payee="동네 가게",
                    receipt_note="",
                    over_budget_reason="",
                    source="demo",
                )

    def write_fixtures(self, participation_id, problems, residents):
        """Open ballots, future sessions and full future sessions (one place, taken by
        the complex's last resident, and a waiting list) in the first complex, for the
        write runs."""
        for number in range(WRITE_BALLOTS):
            ballot_id = self.add(
                "ballots",
                participation_id=participation_id,
                title=f"벤치 투표 {number + 1}",
                method="approval",
                max_choices=2,
                max_per_option=1,
                eligibility="resident",
                opens_at=self.now - timedelta(days=1),
                closes_at=self.now + timedelta(days=30),
                tie_rule="earliest",
                seats=1,
                eligible_count=self.residents,
                state="open",
                tie_note="",
                source="demo",
            )
            for position, problem_id in enumerate(problems[5:7]):
                self.add(
                    "ballot_options", ballot_id=ballot_id, problem_id=problem_id, position=position
                )
            # An open ballot's box, sealed empty as open_ballot seals it (under the bench's
            # SECRET_KEY, which the app runs with): without it a vote has no box to count in.
            self.add("ballot_boxes", ballot_id=ballot_id, sealed=seal_box(ballot_id, {}))
        program_id = self.program(participation_id, problems[0], "벤치 예약", 1000)
        for number in range(WRITE_SESSIONS):
            self.session(program_id, self.now + timedelta(days=3, minutes=10 * number), 1000)
        full_id = self.program(participation_id, problems[1], "벤치 대기", 1)
        for number in range(WRITE_FULL_SESSIONS):
            session_id = self.session(
                full_id, self.now + timedelta(days=4, minutes=10 * number), 1, seats_taken=1
            )
            self._booking(session_id, residents[-1], None)


# Inserting -----------------------------------------------------------------------------


def insert_rows(connection, tables, rows):
    """One executemany per table; a key some rows leave out (a nullable column) is NULL."""
    for name in City.TABLES:
        if rows[name]:
            keys = set().union(*rows[name])
            batch = [dict.fromkeys(keys) | row for row in rows[name]]
            connection.execute(insert(tables[name]), batch)


def fix_sequences(connection, tables):
    """PostgreSQL: explicit ids leave the serial sequences behind; move them on."""
    for name in City.TABLES:
        if name == "ballot_boxes":
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {name}))"
            )
        )


def household_counts(complexes, rng):
    """Random sizes (150 to 1,500 households) scaled to Seoul's 2.46 million at 4,300."""
    weights = [rng.uniform(150, 1500) for _ in range(complexes)]
    total = CITY_HOUSEHOLDS * complexes / CITY_COMPLEXES
    return [max(1, round(weight * total / sum(weights))) for weight in weights]


def generate(args):
    from gachi.auth.passwords import hash_password
    from gachi.complexes.districts import District
    from gachi.core.time import utcnow
    from gachi.extensions import db
    from gachi.proposals.models import Category

    app = bench_app(args.db)
    started = time.perf_counter()
    recreate_schema(app, args.db)
    rng, ids, counts = random.Random(args.seed), Ids(), {}
    with app.app_context():
        tables = db.metadata.tables
        password_hash = hash_password(PASSWORD)
        now = utcnow()
        with db.engine.begin() as connection:
            category_ids = list(connection.scalars(select(Category.id).order_by(Category.id)))
            connection.execute(
                insert(tables["users"]),
                [
                    dict(
                        id=ids.next("users"),
                        username=STAFF_USERNAME,
                        display_name="센터 벤치",
                        password_hash=password_hash,
                        role="staff",
                        is_admin=True,
                        password_changed_at=now,
                        source="demo",
                        totp_secret=STAFF_TOTP_SECRET,
                        two_factor_since=now,
                    )
                ],
            )
            cohort_id = connection.execute(
                insert(tables["cohorts"]).values(name="벤치 도시", year=now.year, description="")
            ).inserted_primary_key[0]
        districts, sizes = list(District), household_counts(args.complexes, rng)
        for first in range(0, args.complexes, CHUNK):
            city = City(
                password_hash=password_hash,
                cohort_id=cohort_id,
                category_ids=category_ids,
                residents=args.residents,
                now=now,
                rng=rng,
                ids=ids,
            )
            for number in range(first, min(first + CHUNK, args.complexes)):
                _, participation_id, residents, problems = city.complex(
                    number + 1, districts[number % len(districts)], sizes[number]
                )
                if number == 0:
                    city.write_fixtures(participation_id, problems, residents)
            with db.engine.begin() as connection:
                if database_kind(args.db) == "postgresql":
                    # A bulk load, not the app's writes: triggers (the KPI change notes,
                    # foreign key checks) are off for it; the rows are made consistent.
                    connection.execute(text("SET LOCAL session_replication_role = replica"))
                insert_rows(connection, tables, city.rows)
            for name, rows in city.rows.items():
                counts[name] = counts.get(name, 0) + len(rows)
            print(
                f"  {min(first + CHUNK, args.complexes)}/{args.complexes} complexes, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        finish(db, tables, args.db)
    return time.perf_counter() - started, counts, sum(sizes)


def finish(db, tables, url):
    """Sequences (PostgreSQL) and fresh planner statistics, as a live database would have.
    The changes the KPI triggers noted during the load are dropped: the first refresh
    recomputes every complex anyway."""
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM kpi_changes"))
    if database_kind(url) == "postgresql":
        with db.engine.begin() as connection:
            fix_sequences(connection, tables)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        raw = db.engine.raw_connection()  # outside any transaction (autocommit)
        try:
            raw.driver_connection.execute("ANALYZE")
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def main(argv=None):
    args = parse_args(argv)
    print(f"Generating {args.complexes} complexes into {database_kind(args.db)} ...", flush=True)
    seconds, counts, households = generate(args)
    total = sum(counts.values())
    print(
        f"Generated {args.complexes} complexes ({households:,} households counted) in "
        f"{seconds:.1f} s: {total:,} rows"
    )
    for name, count in counts.items():
        print(f"  {name:20} {count:>10,}")
    return seconds, counts


if __name__ == "__main__":
    main()
