"""How suggestions are ranked: the weights, in one place, and the reasons in words.

An enterprise's score for a selected problem is the sum of:

- CATEGORY_FIT when the enterprise works on the problem's category;
- DISTRICT_FIT when it names the complex's district among those it serves,
  or SEOUL_WIDE_FIT when it serves all of Seoul instead (a named district is the
  stronger sign: it knows the neighbourhood);
- VERIFIED when the center has verified it;
- RATING_POINTS_PER_STAR for each star its average rating from earlier complexes is
  above (or below) NEUTRAL_RATING, rounded half up to whole points;
- minus LOAD_PENALTY for each match it has accepted or is running now, at most
  MAX_LOAD_PENALTY in all (a busy enterprise is still shown, a little lower).

Ties are broken by the verified flag, then by name, so the order is stable. Each reason
carries the points it gave, so the card can show the sum: the score is always the sum of
its reasons' points.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

CATEGORY_FIT = 50
DISTRICT_FIT = 30
SEOUL_WIDE_FIT = 15
VERIFIED = 5
NEUTRAL_RATING = Decimal(3)
RATING_POINTS_PER_STAR = 5
LOAD_PENALTY = 3
MAX_LOAD_PENALTY = 15


@dataclass(frozen=True)
class Reason:
    """One reason in words, and the points it gave (negative for a busy enterprise).
    `text` is lazy: it is put into words when shown, in the reader's language (district
    and category names included)."""

    kind: str
    text: object
    points: int

    def __str__(self):
        return str(self.text)

    @property
    def signed_points(self):
        """ "+50", "−3" (a true minus sign) or "±0"."""
        if self.points > 0:
            return f"+{self.points}"
        return f"\u2212{-self.points}" if self.points < 0 else "\u00b10"


@dataclass
class Suggestion:
    enterprise_id: int
    name: str
    legal_form: object
    verified: bool
    score: int
    reasons: list
    open_match_id: int | None = None
    open_match_state: object = None
    # Whether someone of the enterprise can sign in and answer an offer.
    has_partner: bool = True


def average_rating(value) -> Decimal | None:
    """The average as the report shows it: one decimal, rounded half up."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_candidate(row, *, category, district) -> Suggestion:
    """Score one candidate row (from queries.suggestion_rows) and say why, with points."""
    reasons = []
    if row.category_fit:
        category_name = LazyString(lambda: category.label)
        reasons.append(
            Reason(
                "category",
                _l("%(category)s is its category", category=category_name),
                CATEGORY_FIT,
            )
        )
    if row.district_fit:
        reasons.append(
            Reason("district", _l("Serves %(district)s", district=district.label), DISTRICT_FIT)
        )
    elif row.seoul_wide:
        reasons.append(Reason("district", _l("Serves all of Seoul"), SEOUL_WIDE_FIT))
    if row.verified:
        reasons.append(Reason("verified", _l("Verified by the center"), VERIFIED))
    rating = average_rating(row.rating)
    if rating is not None:
        points = ((rating - NEUTRAL_RATING) * RATING_POINTS_PER_STAR).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        reasons.append(
            Reason(
                "rating",
                _l("Rated %(rating)s by %(count)s complexes", rating=rating, count=row.rated_by),
                int(points),
            )
        )
    if row.load:
        reasons.append(
            Reason(
                "load",
                _l("%(count)s active matches", count=row.load),
                -min(row.load * LOAD_PENALTY, MAX_LOAD_PENALTY),
            )
        )
    return Suggestion(
        row.id,
        row.name,
        row.legal_form,
        row.verified,
        sum(reason.points for reason in reasons),
        reasons,
        row.open_match_id,
        row.open_match_state,
        bool(row.has_partner),
    )


def rank(rows, *, category, district, limit):
    """The best `limit` candidates: score, then verified, then name."""
    suggestions = [score_candidate(row, category=category, district=district) for row in rows]
    suggestions.sort(key=lambda item: (-item.score, not item.verified, item.name))
    return suggestions[:limit]
