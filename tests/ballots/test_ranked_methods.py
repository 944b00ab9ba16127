"""Counting ranked ballots: published textbook examples give their published results, and
ties, partial rankings and exhausted ballots are handled by the ballot's stated tie rule.

Options are numbered as problems would be; letters name them as the sources do."""

import pytest

from gachi.ballots.ranked import (
    COORDINATOR,
    EARLIEST,
    InvalidRanking,
    RankedMethod,
    TieBreak,
    borda,
    count_ranked,
    instant_runoff,
    pairwise_preferences,
    profile_from_text,
    profile_to_text,
    ranking_from_text,
    ranking_to_text,
    schulze,
    validate_ranking,
)

A, B, C, D, E = 1, 2, 3, 4, 5
LETTERS = dict(A=A, B=B, C=C, D=D, E=E)


def profile(*lines):
    """("ACBED", 5) means five ballots ranking A > C > B > E > D."""
    return {tuple(LETTERS[letter] for letter in ranking): count for ranking, count in lines}


# Tennessee's capital, the "Tennessee example": Wikipedia, "Instant-runoff voting",
# "Borda count" and "Condorcet method" (each in its Example section), reproduced with the
# same figures on electowiki, "Effects of different voting systems under similar
# circumstances". Percentages are counted as 100 ballots.
MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE = 11, 12, 13, 14
CITIES = (MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE)
TENNESSEE = {
    (MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE): 42,
    (NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS): 26,
    (CHATTANOOGA, KNOXVILLE, NASHVILLE, MEMPHIS): 15,
    (KNOXVILLE, CHATTANOOGA, NASHVILLE, MEMPHIS): 17,
}
BY_LISTING = TieBreak.earliest(CITIES)

# Five candidates, 55 voters, five methods, five winners: the preference schedule of
# Virginia Commonwealth University's MAT 131, lecture 1
# (people.vcu.edu/~gasmerom/MAT131/lecture1.html), whose eliminations are also worked in
# J. D. Stein, "How Math Explains the World" (2008), p. 212 ("Survivor").
FIFTY_FIVE = profile(
    ("ADECB", 18), ("BEDCA", 12), ("CBEDA", 10), ("DCEBA", 9), ("EBDCA", 4), ("ECDBA", 2)
)
FIVE = (A, B, C, D, E)
ALPHABETICAL = TieBreak.earliest(FIVE)


# -- instant-runoff ---------------------------------------------------------------------


def test_tennessee_instant_runoff_elects_knoxville_in_three_rounds():
    # Wikipedia, "Instant-runoff voting", Tennessee example: Chattanooga goes first, then
    # Nashville, and Knoxville wins with 58 against Memphis's 42.
    result = instant_runoff(CITIES, TENNESSEE, BY_LISTING)

    assert result.winners == (KNOXVILLE,)
    first, second, third = result.rounds
    assert first.counts == {MEMPHIS: 42, NASHVILLE: 26, KNOXVILLE: 17, CHATTANOOGA: 15}
    assert first.eliminated == (CHATTANOOGA,)
    assert second.counts == {MEMPHIS: 42, KNOXVILLE: 32, NASHVILLE: 26}
    assert second.eliminated == (NASHVILLE,)
    assert third.counts == {KNOXVILLE: 58, MEMPHIS: 42}
    assert third.elected == KNOXVILLE
    assert result.order == (KNOXVILLE, MEMPHIS, NASHVILLE, CHATTANOOGA)
    assert result.ties == () and result.exhausted == 0 and result.ballots == 100


def test_fifty_five_voters_instant_runoff_elects_c():
    # VCU MAT 131 lecture 1 and Stein p. 212: E (6) goes, then D (9), then B (16); C beats
    # A 37 to 18.
    result = instant_runoff(FIVE, FIFTY_FIVE, ALPHABETICAL)

    assert [r.counts for r in result.rounds] == [
        {A: 18, B: 12, C: 10, D: 9, E: 6},
        {A: 18, B: 16, C: 12, D: 9},
        {C: 21, A: 18, B: 16},
        {C: 37, A: 18},
    ]
    assert [r.eliminated for r in result.rounds[:3]] == [(E,), (D,), (B,)]
    assert result.winners == (C,)


def test_a_ballot_with_no_continuing_option_is_exhausted_and_the_majority_is_of_the_rest():
    # Worked by hand: the two voters who ranked only C drop out when C is eliminated; A's 4
    # of the 7 continuing ballots is a majority, though not of all 9.
    result = instant_runoff((A, B, C), profile(("A", 4), ("BC", 3), ("C", 2)), ALPHABETICAL)

    first, second = result.rounds
    assert first.eliminated == (C,) and first.exhausted == 0
    assert second.counts == {A: 4, B: 3}
    assert (second.exhausted, second.continuing_ballots) == (2, 7)
    assert result.winners == (A,) and result.exhausted == 2


def test_options_nobody_put_first_are_eliminated_together_without_a_tie_decision():
    # D and E hold no ballot, so their order cannot change the count: no coordinator's
    # decision is asked for.
    ballots = profile(("A", 2), ("B", 2), ("CA", 1))
    result = instant_runoff(FIVE, ballots, TieBreak.coordinator())

    assert result.rounds[0].eliminated == (D, E)
    assert result.rounds[0].tie.kind == "order"
    assert result.rounds[1].eliminated == (C,)
    assert result.winners == (A,) and result.decided


TIED_FOR_LAST = profile(("ABC", 26), ("BCA", 20), ("CAB", 20))


def test_a_tie_for_last_place_eliminates_the_latest_proposed_under_earliest_first():
    # Worked by hand: B and C tie on 20. Proposed A, B, C: C goes and its ballots give A
    # 46; proposed A, C, B: B goes and its ballots give C 40.
    result = instant_runoff((A, B, C), TIED_FOR_LAST, TieBreak.earliest((A, B, C)))

    tie = result.rounds[0].tie
    assert (tie.kind, tie.options, tie.order, tie.decided) == (
        "elimination",
        frozenset({B, C}),
        (B, C),
        True,
    )
    assert result.rounds[0].eliminated == (C,)
    assert result.winners == (A,) and result.tie_rule == EARLIEST

    other_order = instant_runoff((A, B, C), TIED_FOR_LAST, TieBreak.earliest((A, C, B)))
    assert other_order.rounds[0].eliminated == (B,)
    assert other_order.winners == (C,)


def test_a_tie_for_last_place_waits_for_the_coordinator_then_follows_their_order():
    waiting = instant_runoff((A, B, C), TIED_FOR_LAST, TieBreak.coordinator())

    assert waiting.undecided == frozenset({B, C}) and not waiting.decided
    assert waiting.winners == ()
    assert len(waiting.rounds) == 1 and waiting.rounds[0].eliminated == ()
    assert waiting.rounds[0].tie.decided is False
    assert waiting.tie_rule == COORDINATOR

    # The coordinator keeps C: B, left out of the recorded order, is eliminated.
    decided = instant_runoff((A, B, C), TIED_FOR_LAST, TieBreak.coordinator((C,)))
    assert decided.rounds[0].eliminated == (B,)
    assert decided.winners == (C,) and decided.decided


def test_an_even_split_between_the_last_two_is_a_tie_at_the_cut():
    ballots = profile(("AB", 3), ("BA", 3))

    result = instant_runoff((A, B), ballots, TieBreak.earliest((B, A)))
    assert result.tied_at_cut == frozenset({A, B})
    assert result.winners == (B,)

    waiting = instant_runoff((A, B), ballots, TieBreak.coordinator())
    assert waiting.undecided == frozenset({A, B}) and waiting.winners == ()


def test_two_seats_are_filled_by_counting_again_without_the_first_winner():
    # Sequential IRV, worked by hand on the Tennessee figures: without Knoxville,
    # Chattanooga has 15 + 17 = 32, Nashville goes, and Chattanooga wins 58 to 42.
    result = instant_runoff(CITIES, TENNESSEE, BY_LISTING, seats=2)

    assert result.winners == (KNOXVILLE, CHATTANOOGA)
    second_seat = [r for r in result.rounds if r.seat == 2]
    assert second_seat[0].counts == {MEMPHIS: 42, CHATTANOOGA: 32, NASHVILLE: 26}
    assert second_seat[-1].counts == {CHATTANOOGA: 58, MEMPHIS: 42}
    assert result.order[:2] == (KNOXVILLE, CHATTANOOGA)


# -- Borda ------------------------------------------------------------------------------


def test_tennessee_borda_count_elects_nashville():
    # Wikipedia, "Borda count", Tennessee example: Nashville 194, Chattanooga 173,
    # Memphis 126, Knoxville 107 (3, 2, 1, 0 points).
    result = borda(CITIES, TENNESSEE, BY_LISTING)

    assert result.points == {NASHVILLE: 194, CHATTANOOGA: 173, MEMPHIS: 126, KNOXVILLE: 107}
    assert result.winners == (NASHVILLE,)
    assert result.order == (NASHVILLE, CHATTANOOGA, MEMPHIS, KNOXVILLE)


def test_fifty_five_voters_borda_count_elects_d():
    # VCU MAT 131 lecture 1 gives 5, 4, 3, 2, 1 points: A 127, B 156, C 162, D 191,
    # E 189. One point less per place and per ballot (4 to 0) takes 55 from each.
    result = borda(FIVE, FIFTY_FIVE, ALPHABETICAL)

    published = {A: 127, B: 156, C: 162, D: 191, E: 189}
    assert result.points == {option: points - 55 for option, points in published.items()}
    assert result.winners == (D,)
    assert result.order == (D, E, C, B, A)


def test_a_partial_ranking_gives_ranked_options_their_places_and_the_rest_nothing():
    # Four options: ranking B then A gives B 3 and A 2; C and D are below both, equal.
    result = borda((A, B, C, D), profile(("BA", 1)), ALPHABETICAL_OF_FOUR)

    assert result.points == {B: 3, A: 2, C: 0, D: 0}
    assert result.ties[0].options == frozenset({C, D})
    assert result.ties[0].kind == "order"


ALPHABETICAL_OF_FOUR = TieBreak.earliest((A, B, C, D))


def test_borda_points_are_the_rows_of_the_pairwise_table():
    ballots = {**FIFTY_FIVE, (A, C): 3, (E,): 2}
    points = borda(FIVE, ballots, ALPHABETICAL).points
    d = pairwise_preferences(FIVE, ballots)

    assert all(points[option] == sum(d[option].values()) for option in FIVE)


EQUAL_POINTS = profile(("ABC", 1), ("BAC", 1))


def test_equal_points_across_the_seat_go_to_the_earliest_proposed():
    result = borda((A, B, C), EQUAL_POINTS, TieBreak.earliest((B, A, C)))

    assert result.points == {B: 3, A: 3, C: 0}
    assert result.winners == (B,)
    assert result.tied_at_cut == frozenset({A, B})
    assert result.ties[0].kind == "cut" and result.ties[0].decided


def test_equal_points_across_the_seat_wait_for_the_coordinator():
    waiting = borda((A, B, C), EQUAL_POINTS, TieBreak.coordinator())
    assert waiting.winners == () and waiting.undecided == frozenset({A, B})

    decided = borda((A, B, C), EQUAL_POINTS, TieBreak.coordinator((A,)))
    assert decided.winners == (A,) and decided.decided
    assert decided.tied_at_cut == frozenset({A, B})


def test_equal_points_inside_the_seats_need_no_decision():
    result = borda((A, B, C), EQUAL_POINTS, TieBreak.coordinator(), seats=2)

    assert set(result.winners) == {A, B} and result.decided
    assert result.tied_at_cut == frozenset()
    assert result.ties[0].kind == "order"


# -- Schulze ----------------------------------------------------------------------------

WIKIPEDIA_SCHULZE = profile(
    ("ACBED", 5),
    ("ADECB", 5),
    ("BEDAC", 8),
    ("CABED", 3),
    ("CAEBD", 7),
    ("CBADE", 2),
    ("DCEBA", 7),
    ("EBADC", 8),
)


def test_wikipedia_schulze_example_gives_its_tables_and_ranking():
    # Wikipedia, "Schulze method", section "Example" (45 voters, 5 candidates), also
    # Example 1 of M. Schulze's examples page: the d and p tables, and E > A > C > B > D.
    result = schulze(FIVE, WIKIPEDIA_SCHULZE, ALPHABETICAL)

    assert result.pairwise == {
        A: {B: 20, C: 26, D: 30, E: 22},
        B: {A: 25, C: 16, D: 33, E: 18},
        C: {A: 19, B: 29, D: 17, E: 24},
        D: {A: 15, B: 12, C: 28, E: 14},
        E: {A: 23, B: 27, C: 21, D: 31},
    }
    assert result.strongest == {
        A: {B: 28, C: 28, D: 30, E: 24},
        B: {A: 25, C: 28, D: 33, E: 24},
        C: {A: 25, B: 29, D: 29, E: 24},
        D: {A: 25, B: 28, C: 28, E: 24},
        E: {A: 25, B: 28, C: 28, D: 31},
    }
    assert result.order == (E, A, C, B, D)
    assert result.winners == (E,)
    assert result.condorcet_winner is None  # "no undisputed winner" pairwise
    assert result.ties == ()


def test_tennessee_schulze_elects_the_condorcet_winner_nashville():
    # Wikipedia, "Condorcet method", Tennessee example: Nashville beats Memphis 58-42,
    # Chattanooga 68-32 and Knoxville 68-32; Chattanooga beats Knoxville 83-17.
    result = schulze(CITIES, TENNESSEE, BY_LISTING)

    d = result.pairwise
    assert (d[NASHVILLE][MEMPHIS], d[MEMPHIS][NASHVILLE]) == (58, 42)
    assert (d[NASHVILLE][CHATTANOOGA], d[NASHVILLE][KNOXVILLE]) == (68, 68)
    assert (d[CHATTANOOGA][KNOXVILLE], d[KNOXVILLE][CHATTANOOGA]) == (83, 17)
    assert result.condorcet_winner == NASHVILLE
    assert result.order == (NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS)


def test_fifty_five_voters_schulze_elects_the_condorcet_winner_e():
    # VCU MAT 131 lecture 1: E wins every head-to-head contest, D beats A, B and C, and
    # so on down to A.
    result = schulze(FIVE, FIFTY_FIVE, ALPHABETICAL)

    assert result.condorcet_winner == E
    assert result.order == (E, D, C, B, A)


def test_an_unranked_option_is_below_every_ranked_one_and_level_with_the_unranked():
    d = pairwise_preferences((A, B, C), profile(("B", 1)))

    assert d[B] == {A: 1, C: 1}
    assert d[A] == {B: 0, C: 0} and d[C] == {A: 0, B: 0}


# M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and
# Condorcet-consistent single-winner election method", Social Choice and Welfare 36 (2011),
# the illustrating example of 9 voters and four candidates (3 ABCD, 2 DABC, 2 DBCA,
# 2 CBDA), where the paper finds B and D both potential winners.
SCHULZE_TIE = profile(("ABCD", 3), ("DABC", 2), ("DBCA", 2), ("CBDA", 2))


def test_schulze_nine_voter_example_has_two_potential_winners_b_and_d():
    """Schulze (2011), the example 3 ABCD, 2 DABC, 2 DBCA, 2 CBDA: the paper
    finds candidates B and D both potential winners (p[B,X] >= p[X,B] and p[D,X] >= p[X,D]
    for every X), so the method alone does not decide between them.

    By hand: d[A,B] = 3 + 2 = 5 against d[B,A] = 2 + 2 = 4; d[A,C] = 5:4; d[D,A] = 6:3;
    d[B,C] = 7:2; d[B,D] = 5:4; d[C,D] = 5:4. The links are A-5->B, A-5->C, B-7->C, B-5->D,
    C-5->D, D-6->A, so every strongest path is 5 except p[B,C] = 7 and p[D,A] = 6: B is
    better than C, D better than A, and no other pair is ordered. The tiers are {B, D}
    then {A, C}; the ballot's tie rule picks between B and D for one seat."""
    result = schulze((A, B, C, D), SCHULZE_TIE, TieBreak.earliest((A, B, C, D)))

    assert result.pairwise == {
        A: {B: 5, C: 5, D: 3},
        B: {A: 4, C: 7, D: 5},
        C: {A: 4, B: 2, D: 5},
        D: {A: 6, B: 4, C: 4},
    }
    assert result.strongest == {
        A: {B: 5, C: 5, D: 5},
        B: {A: 5, C: 7, D: 5},
        C: {A: 5, B: 5, D: 5},
        D: {A: 6, B: 5, C: 5},
    }
    assert result.tied_at_cut == frozenset({B, D})  # the published potential winners
    assert [(tie.kind, tie.options) for tie in result.ties] == [
        ("cut", frozenset({B, D})),
        ("order", frozenset({A, C})),
    ]
    # Earliest proposed first: B was proposed before D, so B takes the seat.
    assert result.winners == (B,) and result.order == (B, D, A, C)
    assert result.condorcet_winner is None


def test_a_schulze_tie_for_first_goes_to_the_earliest_proposed():
    result = schulze((A, B, C, D), SCHULZE_TIE, TieBreak.earliest((D, C, B, A)))

    assert result.strongest[B][D] == result.strongest[D][B] == 5
    assert result.tied_at_cut == frozenset({B, D})
    assert result.winners == (D,)
    assert result.condorcet_winner is None


def test_a_schulze_tie_for_first_waits_for_the_coordinator():
    waiting = schulze((A, B, C, D), SCHULZE_TIE, TieBreak.coordinator())
    assert waiting.winners == () and waiting.undecided == frozenset({B, D})

    decided = schulze((A, B, C, D), SCHULZE_TIE, TieBreak.coordinator((B,)))
    assert decided.winners == (B,)

    both = schulze((A, B, C, D), SCHULZE_TIE, TieBreak.coordinator(), seats=2)
    assert set(both.winners) == {B, D} and both.decided


# -- published examples with ties ------------------------------------------------------

# Condorcet's voting paradox as D. G. Saari gives it ("Chaotic Elections! A Mathematician
# Looks at Voting", AMS 2001; "Basic Geometry of Voting", Springer 1995): the
# three voters A > B > C, B > C > A, C > A > B. Pairwise, A beats B, B beats C and C beats A,
# each 2 to 1; Saari's point is that this "Condorcet triplet" is perfectly symmetric, so
# the Borda count gives a complete tie, each candidate 3 points.
CONDORCET_TRIPLET = profile(("ABC", 1), ("BCA", 1), ("CAB", 1))


def test_the_condorcet_triplet_is_a_complete_borda_tie_decided_by_the_tie_rule():
    """Saari: every candidate gets 2 + 1 + 0 = 3 points. All three are tied at the cut;
    earliest-first puts them in proposal order, the coordinator's rule waits."""
    result = borda((A, B, C), CONDORCET_TRIPLET, TieBreak.earliest((C, A, B)))

    assert result.points == {C: 3, A: 3, B: 3}
    assert result.tied_at_cut == frozenset({A, B, C})
    assert result.winners == (C,) and result.order == (C, A, B)

    waiting = borda((A, B, C), CONDORCET_TRIPLET, TieBreak.coordinator())
    assert waiting.winners == () and waiting.undecided == frozenset({A, B, C})


def test_the_condorcet_triplet_has_every_candidate_a_schulze_potential_winner():
    """The published cycle, each defeat 2 to 1: every strongest path has strength 2, so no
    candidate is better than another and all three are potential winners."""
    result = schulze((A, B, C), CONDORCET_TRIPLET, TieBreak.earliest((B, C, A)))

    d = result.pairwise
    assert (d[A][B], d[B][C], d[C][A]) == (2, 2, 2)
    assert (d[B][A], d[C][B], d[A][C]) == (1, 1, 1)
    assert all(strength == 2 for row in result.strongest.values() for strength in row.values())
    assert result.condorcet_winner is None
    assert result.tied_at_cut == frozenset({A, B, C})
    assert result.winners == (B,)


def test_the_condorcet_triplet_ties_all_three_for_last_in_the_first_instant_runoff_round():
    """Worked by hand on the published profile: each candidate has one first preference,
    so all three are tied for elimination. Proposed A, B, C, the latest proposed (C) goes;
    its ballot C > A > B moves to A, who wins 2 to 1. The coordinator's rule stops the
    count at round 1 until an order is recorded."""
    result = instant_runoff((A, B, C), CONDORCET_TRIPLET, TieBreak.earliest((A, B, C)))

    first, second = result.rounds
    assert first.counts == {A: 1, B: 1, C: 1}
    assert (first.tie.kind, first.tie.options) == ("elimination", frozenset({A, B, C}))
    assert first.eliminated == (C,)
    assert second.counts == {A: 2, B: 1} and second.elected == A
    assert result.tied_at_cut == frozenset({A, B, C})

    waiting = instant_runoff((A, B, C), CONDORCET_TRIPLET, TieBreak.coordinator())
    assert waiting.undecided == frozenset({A, B, C}) and waiting.winners == ()
    # The coordinator keeps B and A in that order: C goes, then A beats B as above.
    decided = instant_runoff((A, B, C), CONDORCET_TRIPLET, TieBreak.coordinator((B, A)))
    assert decided.rounds[0].eliminated == (C,) and decided.winners == (A,)


# Four advertising slogans, 20 voters: the worked example of Grace College's "Quantitative
# Ways" notes, section "Democracy and voting" (mathatgrace.github.io/qw/
# sec-democracy-voting.html). Published results: instant runoff eliminates B (4), then A
# (5), and D wins; Borda (4, 3, 2, 1 points) gives A 55, C 51, B 47, D 47, A winning with
# B and D tied; pairwise comparison, half a point for a tied pair, elects A.
SLOGANS = profile(("DACB", 5), ("ACBD", 3), ("CBAD", 6), ("BDAC", 4), ("ADCB", 2))


def test_slogans_borda_count_has_b_and_d_tied_below_the_winner_a():
    """Our points are 3, 2, 1, 0: each of the source's totals less one point on each of the
    20 ballots. The B-D tie is below the seat, so no decision is needed, even from a
    coordinator; the rule only orders the listing."""
    published = {A: 55, C: 51, B: 47, D: 47}
    result = borda((A, B, C, D), SLOGANS, TieBreak.coordinator())

    assert result.points == {option: points - 20 for option, points in published.items()}
    assert result.winners == (A,) and result.decided
    assert [(tie.kind, tie.options, tie.decided) for tie in result.ties] == [
        ("order", frozenset({B, D}), True)
    ]
    assert borda((A, B, C, D), SLOGANS, TieBreak.earliest((D, C, B, A))).order == (A, C, D, B)


def test_slogans_instant_runoff_elects_d_past_a_tie_that_is_not_for_last():
    """A and D both hold 5 first preferences in round 1, but B (4) is last: the tie needs no
    rule. B's 4 go to D (9); A (5) goes next, 3 to C and 2 to D; D wins 11 to 9."""
    result = instant_runoff((A, B, C, D), SLOGANS, TieBreak.coordinator())

    assert [r.counts for r in result.rounds] == [
        {C: 6, A: 5, D: 5, B: 4},
        {D: 9, C: 6, A: 5},
        {D: 11, C: 9},
    ]
    assert [r.eliminated for r in result.rounds[:2]] == [(B,), (A,)]
    assert result.winners == (D,) and result.ties == () and result.decided


def test_slogans_pairwise_table_has_a_tied_pair_and_schulze_agrees_on_a():
    """By hand: A and B tie 10 to 10 (the source's half-point pair); A beats C 14-6 and
    D 11-9, C beats B 16-4, B beats D 13-7, D beats C 11-9. A has no path from anyone, so
    Schulze ranks A > C > B > D and elects the source's pairwise winner A."""
    result = schulze((A, B, C, D), SLOGANS, TieBreak.coordinator())

    d = result.pairwise
    assert d[A][B] == d[B][A] == 10
    assert (d[A][C], d[A][D], d[C][B], d[B][D], d[D][C]) == (14, 11, 16, 13, 11)
    assert result.strongest[A] == {B: 14, C: 14, D: 13}
    assert result.order == (A, C, B, D) and result.winners == (A,)
    assert result.condorcet_winner is None  # A only ties B: a weak Condorcet winner


# -- rankings and stored profiles -------------------------------------------------------


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ((), "Rank at least one option."),
        ((A, B, A), "Each option can be ranked only once."),
        ((A, 99), "The ranking names an option that is not on this ballot."),
    ],
)
def test_a_ranking_that_cannot_be_counted_is_refused_with_a_reason(ranking, message):
    with pytest.raises(InvalidRanking) as refused:
        validate_ranking(ranking, (A, B, C))

    assert str(refused.value) == message
    assert refused.value.status == 400 and refused.value.field == "ranking"


def test_a_partial_ranking_is_accepted():
    assert validate_ranking([C], (A, B, C)) == (C,)


def test_a_ranking_is_stored_as_text_and_read_back():
    assert ranking_to_text((12, 7, 3)) == "12>7>3"
    assert ranking_from_text("12>7>3") == (12, 7, 3)
    stored = profile_to_text({(12, 7, 3): 4, (7,): 1})
    assert stored == {"12>7>3": 4, "7": 1}
    assert profile_from_text(stored, (3, 7, 12)) == {(12, 7, 3): 4, (7,): 1}


@pytest.mark.parametrize("text", ["", "12>>3", "12>x", "1 >2", "-1", "١٢"])
def test_text_that_is_not_a_ranking_is_refused(text):
    with pytest.raises(InvalidRanking):
        ranking_from_text(text)


def test_a_stored_profile_naming_an_option_off_the_ballot_is_refused():
    with pytest.raises(InvalidRanking):
        profile_from_text({"1>9": 2}, (A, B))


def test_a_count_refuses_a_ranking_that_repeats_an_option():
    with pytest.raises(InvalidRanking):
        schulze((A, B), {(A, A): 1}, TieBreak.earliest((A, B)))


def test_earliest_first_needs_every_option_in_its_order():
    with pytest.raises(ValueError, match="every option"):
        borda((A, B, C), EQUAL_POINTS, TieBreak.earliest((A, B)))


def test_the_ballot_method_picks_the_count():
    result = count_ranked("borda", CITIES, TENNESSEE, BY_LISTING)

    assert result.method is RankedMethod.BORDA and result.winners == (NASHVILLE,)
    assert count_ranked(RankedMethod.IRV, CITIES, TENNESSEE, BY_LISTING).winners == (KNOXVILLE,)


@pytest.mark.parametrize("method", list(RankedMethod))
@pytest.mark.parametrize(
    ("ballots", "tie_break", "seats"),
    [
        (TIED_FOR_LAST, TieBreak.coordinator(), 1),
        (TIED_FOR_LAST, TieBreak.earliest((D, C, B, A)), 2),
        (SCHULZE_TIE, TieBreak.coordinator(), 3),
        (profile(("A", 1), ("B", 1)), TieBreak.coordinator((D,)), 2),
    ],
)
def test_every_count_lists_each_option_once_and_never_a_winner_still_in_doubt(
    method, ballots, tie_break, seats
):
    options = (A, B, C, D)
    result = count_ranked(method, options, ballots, tie_break, seats)

    assert sorted(result.order) == sorted(options)
    assert len(result.winners) <= seats
    assert set(result.winners) <= set(result.order[:seats])
    assert not set(result.winners) & result.undecided
    assert result.decided == (len(result.winners) == seats)
