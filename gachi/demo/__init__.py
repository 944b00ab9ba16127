"""The 2018 pilot as demo data: `flask gachi seed-demo` loads it into an empty database.

The pilot is played through the operations, as the center's staff, the coordinators,
the enterprises and the residents did it: staff make the accounts, the cohort and the
complexes, and move each complex on; coordinators hold the workshops and ballots, offer
the work, write the plan and run the programmes; residents join, vote and book. Each
complex lives its year in order (WHAT_HAPPENS below), on the dates of 2018, which the
operations take as `now=` where they record a moment.

Facts come from the center's 2018 report (shared/seed/pilot-2018.md and the Korean
source beside it) and carry source="report"; whatever the report does not give is
invented, marked source="demo" or said so in the description with "(demo)".
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from gachi.auth.models import User
from gachi.complexes.models import Cohort, Complex
from gachi.complexes.stages import STAGE_ORDER, Stage
from gachi.core.audit import log_change
from gachi.core.errors import Conflict
from gachi.demo import (
    ballots,
    complexes,
    kpi,
    matching,
    people,
    plans,
    problems,
    programs,
    workshops,
)
from gachi.demo.complexes import COMPLEXES, HOUSEHOLD_LINES, SEED_NOTE, Place
from gachi.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRET, StandIns, demo_usernames
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.notifications.operations import mark_all_read
from gachi.proposals.models import Category, Problem

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "SEED_NOTE",
    "DemoLoaded",
    "demo_usernames",
    "load_pilot_demo",
]


@dataclass
class DemoLoaded:
    cohort: Cohort
    complexes: list[Complex]
    enterprises: list[Enterprise]
    accounts: list[User]
    household_count: int


@dataclass
class Pilot:
    """Who and what the pilot's operations need at hand, as the year is played."""

    center: User
    categories: dict[str, Category]
    enterprises: dict[str, Enterprise]
    accounts: dict[str, User]
    stand_ins: StandIns
    places: dict[str, Place] = field(default_factory=dict)
    programs: list = field(default_factory=list)
    budget_lines: dict = field(default_factory=dict)
    stand_in_partners: dict = field(default_factory=dict)

    def coordinator_of(self, place):
        username = next(
            username for username, _n, _s, keys in people.COORDINATORS if place.spec.key in keys
        )
        return self.accounts[username]

    def resident_of(self, place):
        username = next(
            (username for username, _n, key in people.RESIDENTS if key == place.spec.key), None
        )
        return self.accounts.get(username)

    def partner_of(self, enterprise):
        """The enterprise's demo partner, or a stand-in made to answer for it."""
        for username, _name, enterprise_name in people.PARTNERS:
            if enterprise_name == enterprise.name:
                return self.accounts[username]
        if enterprise.id not in self.stand_in_partners:
            self.stand_in_partners[enterprise.id] = self.stand_ins.partner(
                enterprise, f"demo.partner.{enterprise.id}", f"{enterprise.name} 담당자 (demo)"
            )
        return self.stand_in_partners[enterprise.id]

    def problem(self, place, title):
        return db.session.scalars(
            select(Problem).where(
                Problem.participation_id == place.participation.id, Problem.title == title
            )
        ).one()


def _first_workshop(pilot, place):
    shortlisted = problems.hold_first_workshop(pilot, place)
    ballots.hold_ballot(pilot, place, shortlisted)
    problems.raise_under_discussion(pilot, place)


def _raised_while_recruiting(pilot, place):
    if place.spec.stage is Stage.RECRUITING:
        problems.raise_under_discussion(pilot, place)


# What happens to a complex in each stage it reaches, in order.
WHAT_HAPPENS = {
    Stage.RECRUITING: (_raised_while_recruiting,),
    Stage.PROBLEM_WORKSHOP: (_first_workshop,),
    Stage.SOLUTION_WORKSHOP: (workshops.hold_second_workshop, matching.match_enterprises),
    Stage.PLANNING: (plans.write_plan, programs.plan_programmes),
    Stage.RUNNING: (programs.run_programmes, plans.record_what_was_spent),
    Stage.EVALUATION: (kpi.evaluate,),
}


def load_pilot_demo() -> DemoLoaded:
    """Play the 2018 pilot: its cohort, nine complexes, households with invitation codes,
    enterprises, coordinators and their placements, an account for every role, and each
    complex's year up to the stage it reached. Flushes, never commits."""
    if db.session.scalar(select(exists().where(Cohort.name == complexes.COHORT["name"]))):
        raise Conflict(_l("The demo data is already loaded."))
    staff = people.add_staff()
    center = staff[0]
    categories = {category.code: category for category in db.session.scalars(select(Category))}
    enterprises = matching.add_enterprises(categories, actor=center)
    cohort = complexes.add_cohort(actor=center)
    coordinators = people.add_coordinators(actor=center)
    district_offices = people.add_district_offices(actor=center)
    partners = people.add_partners(enterprises, actor=center)
    pilot = Pilot(
        center=center,
        categories=categories,
        enterprises=enterprises,
        accounts={user.username: user for user in (*staff, *coordinators, *partners)},
        stand_ins=StandIns(center),
    )
    pilot.places = {
        spec.key: complexes.add_complex(spec, cohort, actor=center) for spec in COMPLEXES
    }
    complexes.place_coordinators(pilot.places, coordinators, actor=center)
    residents = people.add_residents(pilot.places)
    pilot.accounts |= {user.username: user for user in residents}
    for place in pilot.places.values():
        _live_the_year(pilot, place)
    kpi.set_targets(cohort, actor=center)
    for partner in pilot.stand_in_partners.values():
        pilot.stand_ins.retire(partner)
    accounts = [*staff, *coordinators, *district_offices, *residents, *partners]
    for account in accounts:
        mark_all_read(account)  # what the year told them, they have read since
    db.session.flush()
    log_change(
        "demo.load",
        cohort,
        actor=None,
        after={"complexes": len(pilot.places), "accounts": len(accounts)},
    )
    return DemoLoaded(
        cohort=cohort,
        complexes=[place.complex_ for place in pilot.places.values()],
        enterprises=list(enterprises.values()),
        accounts=accounts,
        household_count=len(pilot.places) * len(HOUSEHOLD_LINES),
    )


def _live_the_year(pilot, place):
    """Move the complex through each stage it reached, doing in each what happened there."""
    for stage in STAGE_ORDER[: STAGE_ORDER.index(place.spec.stage) + 1]:
        if stage is not Stage.RECRUITING:
            complexes.reach(place, stage, actor=pilot.center)
        for step in WHAT_HAPPENS[stage]:
            step(pilot, place)
