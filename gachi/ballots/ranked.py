"""Counting ranked ballots: instant-runoff, Borda and Schulze, with nothing but numbers.

A *ranking* is a tuple of option ids, most preferred first. Rankings may be partial: the
options a voter left out come after every option they ranked, equal among themselves. A
*profile* maps each distinct ranking to the number of ballots that cast it, and is stored
as {"12>7>3": count} (see `ranking_to_text` and `profile_from_text`).

Every count takes the ballot's options (in ballot order, which is also the last resort
for listing undecided ties), the profile, the number of seats and a `TieBreak` that
mirrors `TieRule` in ballots/models.py:

- "earliest": a fixed order of all options (the order the problems were proposed) puts the
  earlier option ahead in every tie;
- "coordinator": a tie that decides who wins is left undecided and reported (the result's
  `undecided`) until the coordinator records an order; the order given then decides, its
  options ahead of those it leaves out.

Each result records the tie rule and every tie met (`ties`), so the result page can say
where the rule was applied and what it decided.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from flask_babel import lazy_gettext as _l

from gachi.core.errors import DomainError

Ranking = tuple[int, ...]
Profile = Mapping[Ranking, int]

EARLIEST = "earliest"
COORDINATOR = "coordinator"


class RankedMethod(str, Enum):
    IRV = "irv"
    BORDA = "borda"
    SCHULZE = "schulze"


class InvalidRanking(DomainError):
    code = "invalid_ranking"
    field = "ranking"
    default_message = _l("This ranking cannot be counted.")


EMPTY_RANKING = _l("Rank at least one option.")
REPEATED_OPTION = _l("Each option can be ranked only once.")
UNKNOWN_OPTION = _l("The ranking names an option that is not on this ballot.")


# -- rankings and profiles ------------------------------------------------------------


def validate_ranking(ranking: Iterable[int], option_ids: Iterable[int]) -> Ranking:
    """The ranking as a tuple, or `InvalidRanking`: at least one option, each at most once,
    every one on the ballot."""
    ranking = tuple(ranking)
    if not ranking:
        raise InvalidRanking(EMPTY_RANKING)
    if len(set(ranking)) != len(ranking):
        raise InvalidRanking(REPEATED_OPTION)
    if not set(ranking) <= set(option_ids):
        raise InvalidRanking(UNKNOWN_OPTION)
    return ranking


def ranking_to_text(ranking: Ranking) -> str:
    """The canonical form: option ids joined by ">", most preferred first ("12>7>3")."""
    return ">".join(str(option_id) for option_id in ranking)


def ranking_from_text(text: str) -> Ranking:
    """The inverse of `ranking_to_text`; anything else is `InvalidRanking`."""
    parts = text.split(">")
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise InvalidRanking()
    return tuple(int(part) for part in parts)


def profile_from_text(stored: Mapping[str, int], option_ids: Iterable[int]) -> dict[Ranking, int]:
    """A stored {canonical text: count} profile, each ranking validated against the ballot."""
    option_ids = tuple(option_ids)
    return {
        validate_ranking(ranking_from_text(text), option_ids): count
        for text, count in stored.items()
    }


def profile_to_text(profile: Profile) -> dict[str, int]:
    return {ranking_to_text(ranking): count for ranking, count in profile.items()}


def _checked(profile: Profile, options: Sequence[int]) -> dict[Ranking, int]:
    """The profile without empty counts, every ranking valid, every count a whole number."""
    checked: dict[Ranking, int] = {}
    for ranking, count in profile.items():
        if count < 0:
            raise ValueError(f"negative count {count} for {ranking}")
        if count:
            ranking = validate_ranking(ranking, options)
            checked[ranking] = checked.get(ranking, 0) + count
    return checked


# -- ties -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TieBreak:
    """How ties are broken: `rule` is a `TieRule` value; `order` is, for "earliest", every
    option in the fixed order (other ids may be there too), and for "coordinator", the
    order recorded so far (maybe none, maybe only some options)."""

    rule: str
    order: tuple[int, ...] = ()

    @classmethod
    def earliest(cls, order: Iterable[int]) -> "TieBreak":
        return cls(EARLIEST, tuple(order))

    @classmethod
    def coordinator(cls, decided: Iterable[int] = ()) -> "TieBreak":
        return cls(COORDINATOR, tuple(decided))

    def check(self, options: Sequence[int]) -> None:
        if self.rule not in (EARLIEST, COORDINATOR):
            raise ValueError(f"unknown tie rule {self.rule!r}")
        if len(set(self.order)) != len(self.order):
            raise ValueError("a tie-break order names each option once")
        if self.rule == EARLIEST and not set(options) <= set(self.order):
            raise ValueError("the earliest-first order must list every option")

    def decide(
        self, tied: Iterable[int], keep: int, fallback: Sequence[int]
    ) -> tuple[tuple[int, ...], bool]:
        """The tied options best first, and whether the rule settles which `keep` of them
        come first. Options the order leaves out follow it, in `fallback` order."""
        position = {option_id: index for index, option_id in enumerate(self.order)}
        listed = {option_id: index for index, option_id in enumerate(fallback)}
        ordered = tuple(
            sorted(tied, key=lambda o: (o not in position, position.get(o, 0), listed[o]))
        )
        placed = sum(1 for option_id in ordered if option_id in position)
        return ordered, placed >= keep or len(ordered) <= keep


@dataclass(frozen=True)
class Tie:
    """Options found equal where an order was needed.

    `kind` is "elimination" (IRV: tied for last), "cut" (tied across the last seat) or
    "order" (tied, but all on the same side of the cut: only the listing order depends on
    the rule). `order` is the tied options best first as the rule put them (provisional,
    recorded ones first and then ballot order, while `decided` is False: the coordinator
    still has to decide)."""

    kind: str
    options: frozenset[int]
    order: tuple[int, ...]
    decided: bool
    seat: int | None = None
    round: int | None = None


# -- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class IrvRound:
    """One round of one seat's instant-runoff count."""

    seat: int
    number: int
    counts: Mapping[int, int]  # continuing options' first preferences, most first
    exhausted: int  # ballots with no continuing option left
    continuing_ballots: int
    elected: int | None = None
    eliminated: tuple[int, ...] = ()
    tie: Tie | None = None


@dataclass(frozen=True)
class RankedResult:
    """One count. `tied_at_cut` holds the options tied across the last seat (Borda,
    Schulze) or tied for the win with every continuing option equal (IRV), however the
    tie was broken; `ties` lists every tie met, in the order met."""

    method: RankedMethod
    tie_rule: str  # the TieRule value applied
    seats: int  # seats filled: the ballot's, at most the number of options
    ballots: int
    order: tuple[int, ...]  # every option, best first
    winners: tuple[int, ...]  # fewer than `seats` while a coordinator's tie is undecided
    tied_at_cut: frozenset[int] = frozenset()
    undecided: frozenset[int] = frozenset()  # the coordinator must record an order
    ties: tuple[Tie, ...] = ()
    rounds: tuple[IrvRound, ...] = ()  # IRV
    exhausted: int = 0  # IRV: exhausted ballots in the last round counted
    points: Mapping[int, int] = field(default_factory=dict)  # Borda
    pairwise: Mapping[int, Mapping[int, int]] = field(default_factory=dict)  # Schulze d
    strongest: Mapping[int, Mapping[int, int]] = field(default_factory=dict)  # Schulze p
    condorcet_winner: int | None = None  # Schulze: beats every other option pairwise

    @property
    def decided(self) -> bool:
        return not self.undecided


def count_ranked(
    method: RankedMethod | str,
    options: Sequence[int],
    profile: Profile,
    tie_break: TieBreak,
    seats: int = 1,
) -> RankedResult:
    """The count by the ballot's method: `instant_runoff`, `borda` or `schulze`."""
    counter = {
        RankedMethod.IRV: instant_runoff,
        RankedMethod.BORDA: borda,
        RankedMethod.SCHULZE: schulze,
    }[RankedMethod(method)]
    return counter(options, profile, tie_break, seats)


def _prepare(
    options: Sequence[int], profile: Profile, tie_break: TieBreak, seats: int
) -> tuple[tuple[int, ...], dict[Ranking, int], int]:
    options = tuple(options)
    if len(set(options)) != len(options) or not options:
        raise ValueError("a ballot needs distinct options")
    if seats < 1:
        raise ValueError("seats must be at least 1")
    tie_break.check(options)
    return options, _checked(profile, options), min(seats, len(options))


def _by_tiers(
    tiers: Sequence[frozenset[int]], seats: int, tie_break: TieBreak, options: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...], frozenset[int], frozenset[int], tuple[Tie, ...]]:
    """Order tiers of equal options (best tier first), filling `seats`; a tier that
    straddles the last seat is the tie at the cut. Returns (order, winners, tied_at_cut,
    undecided, ties)."""
    order: list[int] = []
    winners: list[int] = []
    tied_at_cut: frozenset[int] = frozenset()
    undecided: frozenset[int] = frozenset()
    ties: list[Tie] = []
    for tier in tiers:
        seats_left = max(0, seats - len(order))
        at_cut = 0 < seats_left < len(tier)
        ordered, decided = tie_break.decide(tier, seats_left if at_cut else len(tier), options)
        if len(tier) > 1:
            ties.append(Tie("cut" if at_cut else "order", tier, ordered, decided or not at_cut))
        if at_cut:
            tied_at_cut = tier
            if decided:
                winners.extend(ordered[:seats_left])
            else:
                undecided = tier
        elif seats_left:
            winners.extend(ordered)
        order.extend(ordered)
    return tuple(order), tuple(winners), tied_at_cut, undecided, tuple(ties)


# -- instant-runoff -------------------------------------------------------------------


@dataclass
class _IrvCount:
    """One seat's count in progress."""

    continuing: list[int]
    eliminated: list[tuple[int, ...]] = field(default_factory=list)
    rounds: list[IrvRound] = field(default_factory=list)
    winner: int | None = None
    tie_at_cut: frozenset[int] = frozenset()
    undecided: frozenset[int] = frozenset()


def instant_runoff(
    options: Sequence[int], profile: Profile, tie_break: TieBreak, seats: int = 1
) -> RankedResult:
    """Instant-runoff voting (the alternative vote, Hare's method, "plurality with
    elimination").

    Each round counts every ballot for its highest-ranked continuing option; a ballot with
    none left is exhausted. An option with more than half of the continuing (not
    exhausted) ballots wins, as does the last one continuing. Otherwise the option with
    fewest votes is eliminated; options with no votes at all are eliminated together, as
    no ballot moves whichever goes first. A tie for last place is broken by the tie rule
    and recorded on the round; under the coordinator's rule an undecided tie stops the
    count there.

    Several seats are filled by *sequential* IRV, not STV: the winner is removed from every
    ballot and the count starts again for the next seat, so a large group can take every
    seat and no surplus is transferred."""
    options, profile, seats = _prepare(options, profile, tie_break, seats)
    winners: list[int] = []
    rounds: list[IrvRound] = []
    tied_at_cut: set[int] = set()
    count = _IrvCount(continuing=list(options))
    while len(winners) < seats:
        continuing = [option_id for option_id in options if option_id not in winners]
        count = _count_seat(len(winners) + 1, continuing, profile, tie_break, options)
        rounds.extend(count.rounds)
        tied_at_cut |= count.tie_at_cut
        if count.winner is None:
            break
        winners.append(count.winner)
    order = list(winners)
    standing = tie_break.decide(count.continuing, len(count.continuing), options)[0]
    standing = tuple(sorted(standing, key=lambda o: -rounds[-1].counts.get(o, 0)))
    order += [option_id for option_id in standing if option_id not in order]
    for batch in reversed(count.eliminated):
        order += batch
    ties = tuple(r.tie for r in rounds if r.tie is not None)
    return RankedResult(
        method=RankedMethod.IRV,
        tie_rule=str(tie_break.rule),
        seats=seats,
        ballots=sum(profile.values()),
        order=tuple(order),
        winners=tuple(winners),
        tied_at_cut=frozenset(tied_at_cut),
        undecided=count.undecided,
        ties=ties,
        rounds=tuple(rounds),
        exhausted=rounds[-1].exhausted,
    )


def _first_preferences(
    profile: Mapping[Ranking, int], continuing: Sequence[int]
) -> tuple[dict[int, int], int]:
    counts = dict.fromkeys(continuing, 0)
    exhausted = 0
    for ranking, ballots in profile.items():
        top = next((option_id for option_id in ranking if option_id in counts), None)
        if top is None:
            exhausted += ballots
        else:
            counts[top] += ballots
    return counts, exhausted


def _count_seat(
    seat: int,
    continuing: list[int],
    profile: Mapping[Ranking, int],
    tie_break: TieBreak,
    options: Sequence[int],
) -> _IrvCount:
    count = _IrvCount(continuing=continuing)
    total = sum(profile.values())
    while count.winner is None:
        counts, exhausted = _first_preferences(profile, count.continuing)
        shown = dict(sorted(counts.items(), key=lambda item: -item[1]))
        number = len(count.rounds) + 1
        this_round = IrvRound(seat, number, shown, exhausted, total - exhausted)
        leader = max(count.continuing, key=lambda o: counts[o])
        if len(count.continuing) == 1 or 2 * counts[leader] > total - exhausted:
            count.winner = leader
            count.rounds.append(replace(this_round, elected=leader))
            break
        fewest = min(counts.values())
        last = [option_id for option_id in count.continuing if counts[option_id] == fewest]
        # Options without a vote go out together: no ballot moves, whichever goes first.
        batch = fewest == 0 and len(last) < len(count.continuing)
        ordered, decided = tie_break.decide(last, len(last) if batch else len(last) - 1, options)
        tie = None
        if len(last) > 1:
            kind = "order" if batch else "elimination"
            tie = Tie(kind, frozenset(last), ordered, decided, seat=seat, round=number)
        if len(last) > 1 and len(last) == len(count.continuing):
            count.tie_at_cut = frozenset(last)
        if not decided:
            count.undecided = frozenset(last)
            count.rounds.append(replace(this_round, tie=tie))
            break
        out = ordered if batch else ordered[-1:]
        count.eliminated.append(out)
        count.continuing = [o for o in count.continuing if o not in out]
        count.rounds.append(replace(this_round, eliminated=out, tie=tie))
    return count


# -- Borda ----------------------------------------------------------------------------


def borda(
    options: Sequence[int], profile: Profile, tie_break: TieBreak, seats: int = 1
) -> RankedResult:
    """The Borda count: on each ballot an option earns one point for every option ranked
    below it (Wikipedia, "Borda count", lead section).

    With n options a complete ranking gives n-1, n-2, ..., 0 points. A partial ranking of
    k options gives its ranked options n-1, ..., n-k, as if complete, and the unranked
    options 0, since they are equal among themselves and no option is ranked below them:
    the rule Wikipedia's "Borda count" calls the simplest way with truncated ballots
    ("give every unranked candidate the minimum number of points"). Its known weakness,
    stated there, is that ranking only one's favourite helps it a little more than a full
    ranking would. An option's points are therefore also its row sum in the pairwise
    table. Equal points are tied; the tie rule orders them."""
    options, profile, seats = _prepare(options, profile, tie_break, seats)
    points = dict.fromkeys(options, 0)
    for ranking, ballots in profile.items():
        for place, option_id in enumerate(ranking):
            points[option_id] += (len(options) - 1 - place) * ballots
    levels = sorted(set(points.values()), reverse=True)
    tiers = [frozenset(o for o in options if points[o] == level) for level in levels]
    order, winners, tied_at_cut, undecided, ties = _by_tiers(tiers, seats, tie_break, options)
    return RankedResult(
        method=RankedMethod.BORDA,
        tie_rule=str(tie_break.rule),
        seats=seats,
        ballots=sum(profile.values()),
        order=order,
        winners=winners,
        tied_at_cut=tied_at_cut,
        undecided=undecided,
        ties=ties,
        points={option_id: points[option_id] for option_id in order},
    )


# -- Schulze --------------------------------------------------------------------------


def pairwise_preferences(
    options: Sequence[int], profile: Mapping[Ranking, int]
) -> dict[int, dict[int, int]]:
    """d[a][b]: the ballots ranking a above b. A voter who leaves options unranked is taken
    to prefer every ranked option to them and to be indifferent among them, as Wikipedia's
    "Schulze method" (the path heuristic) puts it; such a ballot counts for neither of two
    unranked options."""
    d = {a: dict.fromkeys((b for b in options if b != a), 0) for a in options}
    for ranking, ballots in profile.items():
        place = {option_id: index for index, option_id in enumerate(ranking)}
        for index, a in enumerate(ranking):
            for b in d[a]:
                if place.get(b, len(ranking)) > index:
                    d[a][b] += ballots
    return d


def strongest_paths(
    options: Sequence[int], d: Mapping[int, Mapping[int, int]]
) -> dict[int, dict[int, int]]:
    """p[a][b]: the strength of the strongest path from a to b, a path's strength being its
    weakest link, a link a→b of strength d[a][b] existing where d[a][b] > d[b][a] (winning
    votes); 0 when there is no path. Floyd–Warshall, as in Schulze (2011), section 2.3."""
    p = {a: {b: d[a][b] if d[a][b] > d[b][a] else 0 for b in d[a]} for a in options}
    for i in options:
        for j in options:
            if j == i:
                continue
            for k in options:
                if k not in (i, j):
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    return p


def schulze(
    options: Sequence[int], profile: Profile, tie_break: TieBreak, seats: int = 1
) -> RankedResult:
    """The Schulze method (beatpath), with winning votes as the strength of a defeat.

    a is better than b when p[a][b] > p[b][a]; this relation is transitive (Schulze 2011,
    section 4.1). The options no remaining option is better than form the next tier of the
    ranking; options in one tier are tied and the tie rule orders them. Several seats go to
    the top of this ranking (not Schulze STV, which is proportional). A Condorcet winner,
    when there is one, always comes first."""
    options, profile, seats = _prepare(options, profile, tie_break, seats)
    d = pairwise_preferences(options, profile)
    p = strongest_paths(options, d)
    remaining = list(options)
    tiers: list[frozenset[int]] = []
    while remaining:
        tier = frozenset(
            a for a in remaining if all(p[a][b] >= p[b][a] for b in remaining if b != a)
        )
        tiers.append(tier)
        remaining = [option_id for option_id in remaining if option_id not in tier]
    order, winners, tied_at_cut, undecided, ties = _by_tiers(tiers, seats, tie_break, options)
    condorcet = [a for a in options if all(d[a][b] > d[b][a] for b in d[a])]
    return RankedResult(
        method=RankedMethod.SCHULZE,
        tie_rule=str(tie_break.rule),
        seats=seats,
        ballots=sum(profile.values()),
        order=order,
        winners=winners,
        tied_at_cut=tied_at_cut,
        undecided=undecided,
        ties=ties,
        pairwise=d,
        strongest=p,
        condorcet_winner=condorcet[0] if condorcet else None,
    )
