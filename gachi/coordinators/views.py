"""The center's coordinator pages, and a coordinator's own list of complexes."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Complex
from gachi.complexes.queries import complex_choices
from gachi.coordinators import queries
from gachi.coordinators.forms import (
    EndPlacementForm,
    HandoverForm,
    PlaceAtComplexForm,
    PlacementForm,
)
from gachi.coordinators.models import Placement
from gachi.coordinators.operations import end_placement, hand_over_placement, place_coordinator
from gachi.core.access import load_for, require, staff_required
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db

bp = Blueprint("coordinators", __name__)


@bp.route("/staff/coordinators")
@staff_required
def coordinator_list():
    today = seoul_today()
    coordinators = queries.coordinator_rows(today)
    placed_at = {}
    for row in queries.active_placement_rows(today):
        placed_at.setdefault(row.coordinator_id, []).append(row)
    return render_template(
        "coordinators/coordinator_list.html",
        coordinators=coordinators,
        placed_at=placed_at,
        open_offers=queries.open_offer_counts(today),
    )


def _coordinator(user_id):
    person = db.session.get(User, user_id)
    if person is None or not person.is_coordinator:
        abort(404)
    return person


def _placement_form(*, fresh=False):
    """The "place at a complex" form; `fresh` leaves out what another form posted."""
    form = PlacementForm(formdata=None) if fresh else PlacementForm()
    form.complex_id.choices = options(complex_choices())
    if fresh or not form.is_submitted():
        form.starts_on.data = seoul_today()
    return form


def _coordinator_page(person, form, status=200, end_error=None):
    return render_template(
        "coordinators/coordinator_detail.html",
        person=person,
        form=form,
        end_error=end_error,
        placements=queries.placement_rows(person.id),
        today=seoul_today(),
    ), status


@bp.route("/staff/coordinators/<int:user_id>")
@staff_required
def coordinator_detail(user_id):
    return _coordinator_page(_coordinator(user_id), _placement_form())


@bp.route("/staff/coordinators/<int:user_id>/placements", methods=["POST"])
@staff_required
@unit_of_work
def place(user_id):
    person = _coordinator(user_id)
    form = _placement_form()
    if not form.validate_on_submit():
        return _coordinator_page(person, form, 400)
    complex_ = db.session.get(Complex, form.complex_id.data)
    with operating(lambda status: _coordinator_page(person, form, status), form=form):
        place_coordinator(
            person,
            complex_,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            allow_overlap=form.allow_overlap.data,
            note=form.note.data or "",
            actor=current_user,
        )
    flash(
        _("%(name)s is placed at %(complex)s.", name=person.display_name, complex=complex_.name),
        "success",
    )
    return redirect(url_for(".coordinator_detail", user_id=person.id))


def _place_at_complex_page(complex_, form, status=200):
    return render_template(
        "coordinators/place_at_complex.html", complex=complex_, form=form
    ), status


@bp.route("/complexes/<int:complex_id>/placements/new", methods=["GET", "POST"])
@login_required
@unit_of_work
def place_at_complex(complex_id):
    """Staff, or a district account the center allows to, place a coordinator at a
    complex from its page."""
    complex_ = load_for(current_user, Complex, complex_id, permission="can_manage")
    require(complex_.can_place_coordinators(current_user))
    form = PlaceAtComplexForm()
    form.coordinator_id.choices = options(
        (row.id, row.display_name) for row in queries.coordinator_rows(seoul_today()) if row.active
    )
    if not form.is_submitted():
        form.starts_on.data = seoul_today()
    if not form.validate_on_submit():
        return _place_at_complex_page(complex_, form, 400 if form.is_submitted() else 200)
    person = _coordinator(form.coordinator_id.data)
    with operating(lambda status: _place_at_complex_page(complex_, form, status), form=form):
        place_coordinator(
            person,
            complex_,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            allow_overlap=form.allow_overlap.data,
            note=form.note.data or "",
            actor=current_user,
        )
    flash(
        _("%(name)s is placed at %(complex)s.", name=person.display_name, complex=complex_.name),
        "success",
    )
    return redirect(url_for("complexes.complex_detail", complex_id=complex_.id))


@bp.route("/staff/placements/<int:placement_id>/end", methods=["POST"])
@staff_required
@unit_of_work
def placement_end(placement_id):
    placement = load_for(current_user, Placement, placement_id, permission="can_manage")
    form = EndPlacementForm()
    if not form.validate_on_submit():
        return _coordinator_page(
            placement.coordinator,
            _placement_form(fresh=True),
            400,
            end_error=_("Choose the last day of the placement."),
        )

    def refused(status):
        return _coordinator_page(
            placement.coordinator,
            _placement_form(fresh=True),
            status,
            end_error=" ".join(form.form_errors),
        )

    with operating(refused, form=form):
        end_placement(placement, ends_on=form.ends_on.data, actor=current_user)
    flash(_("The placement now ends on %(date)s.", date=form.ends_on.data.isoformat()), "success")
    return redirect(url_for(".coordinator_detail", user_id=placement.coordinator_id))


def _handover_form(placement):
    form = HandoverForm()
    form.successor_id.choices = options(
        (row.id, row.display_name)
        for row in queries.coordinator_rows(seoul_today())
        if row.id != placement.coordinator_id and row.active
    )
    if not form.is_submitted():
        form.first_day.data = max(seoul_today(), placement.starts_on + timedelta(days=1))
    return form


def _handover_page(placement, form, status=200):
    return render_template(
        "coordinators/handover.html",
        placement=placement,
        form=form,
        waiting=queries.waiting_offer_rows([placement.complex_id]),
        unmatched=queries.unmatched_problem_rows([placement.complex_id]),
    ), status


@bp.route("/staff/placements/<int:placement_id>/handover", methods=["GET", "POST"])
@staff_required
@unit_of_work
def placement_handover(placement_id):
    placement = load_for(current_user, Placement, placement_id, permission="can_manage")
    form = _handover_form(placement)
    if not form.validate_on_submit():
        return _handover_page(placement, form, 400 if form.is_submitted() else 200)
    successor = _coordinator(form.successor_id.data)
    with operating(lambda status: _handover_page(placement, form, status), form=form):
        hand_over_placement(
            placement,
            successor,
            first_day=form.first_day.data,
            allow_overlap=form.allow_overlap.data,
            note=form.note.data or "",
            actor=current_user,
        )
    flash(
        _(
            "%(name)s takes over %(complex)s from %(date)s.",
            name=successor.display_name,
            complex=placement.complex.name,
            date=form.first_day.data.isoformat(),
        ),
        "success",
    )
    return redirect(url_for(".coordinator_detail", user_id=successor.id))


@bp.route("/my/complexes")
@login_required
def my_complexes():
    require(current_user.is_coordinator)
    complexes = queries.my_complexes(current_user.id, seoul_today())
    complex_ids = [placed.id for placed in complexes]
    now = utcnow()
    ballots, waiting, unmatched = {}, {}, {}
    for ballot, complex_id in queries.ballots_to_close(complex_ids, now):
        ballots.setdefault(complex_id, []).append(ballot)
    for row in queries.waiting_offer_rows(complex_ids):
        waiting.setdefault(row.complex_id, []).append(row)
    for row in queries.unmatched_problem_rows(complex_ids):
        unmatched.setdefault(row.complex_id, []).append(row)
    return render_template(
        "coordinators/my_complexes.html",
        complexes=complexes,
        now=now,
        ballots=ballots,
        waiting=waiting,
        unmatched=unmatched,
    )
