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

Ties are broken by the verified flag, then by name, so the order is stable.
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
    """One reason in words. `text` is lazy: it is put into words when shown, in the
    reader's language (district and category names included)."""

    kind: str
    text: object

    def __str__(self):
        return str(self.text)


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


def average_rating(value) -> Decimal | None:
    """The average as the report shows it: one decimal, rounded half up."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_candidate(row, *, category, district) -> Suggestion:
    """Score one candidate row (from queries.suggestion_rows) and say why."""
    score, reasons = 0, []
    if row.category_fit:
        score += CATEGORY_FIT
        category_name = LazyString(lambda: category.label)
        reasons.append(
            Reason("category", _l("%(category)s is its category", category=category_name))
        )
    if row.district_fit:
        score += DISTRICT_FIT
        reasons.append(Reason("district", _l("Serves %(district)s", district=district.label)))
    elif row.seoul_wide:
        score += SEOUL_WIDE_FIT
        reasons.append(Reason("district", _l("Serves all of Seoul")))
    if row.verified:
        score += VERIFIED
        reasons.append(Reason("verified", _l("Verified by the center")))
    rating = average_rating(row.rating)
    if rating is not None:
        points = ((rating - NEUTRAL_RATING) * RATING_POINTS_PER_STAR).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        score += int(points)
        reasons.append(
            Reason(
                "rating",
                _l("Rated %(rating)s by %(count)s complexes", rating=rating, count=row.rated_by),
            )
        )
    if row.load:
        score -= min(row.load * LOAD_PENALTY, MAX_LOAD_PENALTY)
        reasons.append(Reason("load", _l("%(count)s active matches", count=row.load)))
    return Suggestion(
        row.id,
        row.name,
        row.legal_form,
        row.verified,
        score,
        reasons,
        row.open_match_id,
        row.open_match_state,
    )


def rank(rows, *, category, district, limit):
    """The best `limit` candidates: score, then verified, then name."""
    suggestions = [score_candidate(row, category=category, district=district) for row in rows]
    suggestions.sort(key=lambda item: (-item.score, not item.verified, item.name))
    return suggestions[:limit]
