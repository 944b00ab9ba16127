"""Cohorts, complexes, participations, households and invitation codes.

The /staff pages are the center's; the rest are open to staff and to a coordinator
placed at the complex today (Complex.can_manage), and 404 to everyone else.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.complexes import queries
from gachi.complexes.forms import (
    CohortFilterForm,
    CohortForm,
    ComplexFilterForm,
    ComplexForm,
    HouseholdFileForm,
    HouseholdLinesForm,
    HouseholdListConfirmForm,
    HouseholdRangeForm,
    MoveStageForm,
    RecruitForm,
    ReminderLeadTimesForm,
)
from gachi.complexes.household_lists import (
    MAX_FILE_BYTES,
    MAX_HOUSEHOLDS,
    HouseholdListRefused,
    households_in_file,
    households_in_range,
    seal,
    unseal,
)
from gachi.complexes.models import (
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    lead_hours,
)
from gachi.complexes.operations import (
    Fate,
    add_household_list,
    add_households,
    create_cohort,
    create_complex,
    generate_codes,
    move_stage,
    preview_households,
    recruit_complex,
    regenerate_code,
    revoke_code,
    set_reminder_lead_times,
    update_cohort,
    update_complex,
)
from gachi.complexes.stages import STAGE_ORDER, Stage, gate_states
from gachi.core.access import load_for, require, staff_required
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.codes import format_code
from gachi.core.errors import Conflict
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today
from gachi.extensions import db

bp = Blueprint("complexes", __name__)


@bp.app_template_filter("invitation_code")
def invitation_code_filter(code):
    return format_code(code)


# Cohorts ------------------------------------------------------------------------------


@bp.route("/staff/cohorts")
@staff_required
def cohort_list():
    return render_template("complexes/cohort_list.html", cohorts=queries.cohort_rows())


def _form_status(form):
    return 400 if form.is_submitted() else 200


def _cohort_form_page(form, cohort, status):
    return render_template("complexes/cohort_form.html", form=form, cohort=cohort), status


@bp.route("/staff/cohorts/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def cohort_new():
    form = CohortForm()
    if not form.validate_on_submit():
        return _cohort_form_page(form, None, _form_status(form))
    with operating(lambda status: _cohort_form_page(form, None, status), form=form):
        cohort = create_cohort(**form.cohort_fields(), actor=current_user)
    flash(_("The cohort %(name)s was created.", name=cohort.name), "success")
    return redirect(url_for(".cohort_detail", cohort_id=cohort.id))


@bp.route("/staff/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@staff_required
@unit_of_work
def cohort_edit(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id, permission="can_manage")
    form = CohortForm(obj=cohort)
    if not form.validate_on_submit():
        return _cohort_form_page(form, cohort, _form_status(form))
    with operating(lambda status: _cohort_form_page(form, cohort, status), form=form):
        update_cohort(cohort, **form.cohort_fields(), actor=current_user)
    flash(_("The cohort was saved."), "success")
    return redirect(url_for(".cohort_detail", cohort_id=cohort.id))


def _recruit_form():
    form = RecruitForm()
    form.complex_id.choices = options(queries.complex_choices())
    return form


def _cohort_page(cohort, form, status=200):
    # The recruit form's page (a POST) shows the list unfiltered.
    filters = CohortFilterForm(formdata=request.args if request.method == "GET" else None)
    if filters.validate():
        page = queries.cohort_participation_page(
            cohort.id, **filters.filters(), page=filters.page.data or 1
        )
    else:
        # Filters we cannot read are left out, with a message, rather than guessed at.
        page = queries.cohort_participation_page(cohort.id)
        status = max(status, 400)
    return render_template(
        "complexes/cohort_detail.html",
        cohort=cohort,
        form=form,
        filters=filters,
        filters_refused=bool(filters.errors),
        # Only the filters travel in the page links (never a key url_for would read).
        filter_args={
            key: request.args[key] for key in ("name", "district", "stage") if request.args.get(key)
        },
        page=page,
        totals=queries.cohort_totals(cohort.id),
    ), status


@bp.route("/staff/cohorts/<int:cohort_id>")
@staff_required
def cohort_detail(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id)
    return _cohort_page(cohort, _recruit_form())


@bp.route("/staff/cohorts/<int:cohort_id>/participations", methods=["POST"])
@staff_required
@unit_of_work
def recruit(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id, permission="can_manage")
    form = _recruit_form()
    if not form.validate_on_submit():
        return _cohort_page(cohort, form, 400)
    complex_ = db.session.get(Complex, form.complex_id.data)
    with operating(lambda status: _cohort_page(cohort, form, status), form=form):
        recruit_complex(cohort, complex_, actor=current_user)
    flash(
        _("%(complex)s now takes part in %(cohort)s.", complex=complex_.name, cohort=cohort.name),
        "success",
    )
    return redirect(url_for(".cohort_detail", cohort_id=cohort.id))


# Complexes ----------------------------------------------------------------------------


@bp.route("/staff/complexes")
@staff_required
def complex_list():
    cohorts = queries.cohort_choices()
    form = ComplexFilterForm(formdata=request.args, cohort=cohorts[0].id if cohorts else None)
    form.cohort.choices = options(cohorts or [("", _l("No cohorts yet"))])
    if form.validate():
        page = queries.complex_page(**form.filters(), page=form.page.data or 1)
        status = 200
    else:
        # Filters we cannot read are left out, with a message, rather than guessed at.
        page = queries.complex_page(cohort_id=cohorts[0].id if cohorts else None)
        status = 400
    filter_args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "complexes/complex_list.html",
        form=form,
        page=page,
        filters_refused=status == 400,
        filter_args=filter_args,
    ), status


def _complex_form_page(form, complex_, status):
    return render_template("complexes/complex_form.html", form=form, complex=complex_), status


@bp.route("/staff/complexes/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def complex_new():
    form = ComplexForm()
    if not form.validate_on_submit():
        return _complex_form_page(form, None, _form_status(form))
    with operating(lambda status: _complex_form_page(form, None, status), form=form):
        complex_ = create_complex(**form.complex_fields(), actor=current_user)
    flash(_("The complex %(name)s was added.", name=complex_.name), "success")
    return redirect(url_for(".complex_detail", complex_id=complex_.id))


@bp.route("/staff/complexes/<int:complex_id>/edit", methods=["GET", "POST"])
@staff_required
@unit_of_work
def complex_edit(complex_id):
    complex_ = load_for(current_user, Complex, complex_id, permission="can_edit")
    form = ComplexForm(obj=complex_)
    if not form.validate_on_submit():
        return _complex_form_page(form, complex_, _form_status(form))
    with operating(lambda status: _complex_form_page(form, complex_, status), form=form):
        update_complex(complex_, **form.complex_fields(), actor=current_user)
    flash(_("The complex was saved."), "success")
    return redirect(url_for(".complex_detail", complex_id=complex_.id))


def _complex_page(complex_, reminders_form=None, status=200):
    if reminders_form is None:
        reminders_form = ReminderLeadTimesForm(data=lead_hours([complex_.id])[complex_.id])
    return (
        render_template(
            "complexes/complex_detail.html",
            complex=complex_,
            participations=queries.complex_participation_rows(complex_.id),
            history=queries.stage_history(complex_id=complex_.id),
            coordinators=queries.placed_coordinator_rows(complex_.id, seoul_today()),
            reminders_form=reminders_form,
        ),
        status,
    )


@bp.route("/complexes/<int:complex_id>")
@login_required
def complex_detail(complex_id):
    complex_ = load_for(current_user, Complex, complex_id, permission="can_manage")
    return _complex_page(complex_)


@bp.route("/complexes/<int:complex_id>/reminders", methods=["POST"])
@login_required
@unit_of_work
def reminder_lead_times(complex_id):
    complex_ = load_for(current_user, Complex, complex_id, permission="can_manage")
    form = ReminderLeadTimesForm()
    if not form.validate_on_submit():
        return _complex_page(complex_, form, status=400)
    with operating(lambda status: _complex_page(complex_, form, status), form=form):
        set_reminder_lead_times(complex_, actor=current_user, **form.lead_times())
    flash(_("The reminder lead times were saved."), "success")
    return redirect(url_for(".complex_detail", complex_id=complex_.id) + "#reminders")


# Participations and stage moves -------------------------------------------------------


def _participation_page(participation, move_error=None, status=200):
    upcoming = participation.next_stage
    return render_template(
        "complexes/participation.html",
        participation=participation,
        stages=STAGE_ORDER,
        current_index=STAGE_ORDER.index(participation.stage),
        gates=gate_states(participation, upcoming) if upcoming else [],
        history=queries.stage_history(participation_id=participation.id),
        move_error=move_error,
    ), status


@bp.route("/participations/<int:participation_id>")
@login_required
def participation_detail(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    return _participation_page(participation)


@bp.route("/participations/<int:participation_id>/stage", methods=["POST"])
@login_required
@unit_of_work
def move_participation_stage(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    require(participation.can_move_stage(current_user))
    form = MoveStageForm()
    if not form.validate_on_submit():
        return _participation_page(participation, _("Choose a stage to move to."), 400)

    def refused(status):
        return _participation_page(participation, " ".join(form.form_errors), status)

    with operating(refused, form=form):
        move_stage(
            participation,
            Stage(form.target.data),
            actor=current_user,
            note=form.note.data or "",
            override_reason=form.override_reason.data or "",
        )
    flash(_("The stage is now %(stage)s.", stage=participation.stage.label), "success")
    if form.return_to.data == "complex":
        return redirect(url_for(".complex_detail", complex_id=participation.complex_id))
    return redirect(url_for(".participation_detail", participation_id=participation.id))


# Households and invitation codes ------------------------------------------------------


def _managed_complex(complex_id):
    return load_for(current_user, Complex, complex_id, permission="can_manage")


def _household_of(complex_, household_id):
    household = db.session.get(Household, household_id)
    if household is None or household.complex_id != complex_.id:
        abort(404)
    return household


def _confirmed():
    """A button with nothing to read but its CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _batch():
    """(first, last) household ids of households added together in bulk, from the query
    string (?first=&last=), or None."""
    first = request.args.get("first", type=int)
    last = request.args.get("last", type=int)
    if first is None or last is None or not 0 < first <= last < 2**63:
        return None
    return first, last


def _households_page(complex_, form=None, problems=(), status=200):
    return no_store(
        (
            render_template(
                "complexes/households.html",
                complex=complex_,
                form=form or HouseholdLinesForm(),
                households=queries.household_rows(complex_.id),
                problems=problems,
                batch=_batch(),
            ),
            status,
        )
    )


@bp.route("/complexes/<int:complex_id>/households")
@login_required
def household_list(complex_id):
    complex_ = _managed_complex(complex_id)
    return personal_data_shown(
        _households_page(complex_),
        "households.view",
        complex_,
        actor=current_user,
        complex_id=complex_.id,
    )


@bp.route("/complexes/<int:complex_id>/households", methods=["POST"])
@login_required
@unit_of_work
def household_add(complex_id):
    complex_ = _managed_complex(complex_id)
    form = HouseholdLinesForm()
    if not form.validate_on_submit():
        return _households_page(complex_, form, status=400)

    def refused(status):
        # Nothing is added; the whole list stays in the box, each bad line named below it.
        problems = getattr(form.refusal, "problems", ())
        return _households_page(complex_, form, problems=problems, status=status)

    with operating(refused, form=form):
        added = add_households(complex_, form.lines.data.splitlines(), actor=current_user)
    flash(_("%(count)s households were added.", count=len(added)), "success")
    return redirect(url_for(".household_list", complex_id=complex_.id))


# Households in bulk: a 동 × 층 × 호 range or the management office's file, previewed line
# by line, then confirmed with the list the preview signed. A preview only reads (a POST
# because it carries the file): it never enters operating(), so reading a large file
# holds no write lock, and a file it can't read is shown on its form.


def _bulk_page(complex_, *, range_form=None, file_form=None, preview=None, status=200):
    confirm_form = None
    if preview is not None and preview.new_keys:
        confirm_form = HouseholdListConfirmForm(formdata=None)
        confirm_form.households.data = seal(
            preview.new_keys, secret=current_app.secret_key, complex_id=complex_.id
        )
    return no_store(
        (
            render_template(
                "complexes/households_bulk.html",
                complex=complex_,
                range_form=range_form or HouseholdRangeForm(formdata=None),
                file_form=file_form or HouseholdFileForm(formdata=None),
                preview=preview,
                confirm_form=confirm_form,
                fates=Fate,
                max_households=MAX_HOUSEHOLDS,
                max_megabytes=MAX_FILE_BYTES // (1024 * 1024),
            ),
            status,
        )
    )


@bp.route("/complexes/<int:complex_id>/households/bulk")
@login_required
def household_bulk(complex_id):
    return _bulk_page(_managed_complex(complex_id))


@bp.route("/complexes/<int:complex_id>/households/range", methods=["POST"])
@login_required
@unit_of_work
def household_range_preview(complex_id):
    complex_ = _managed_complex(complex_id)
    form = HouseholdRangeForm()
    if not form.validate_on_submit():
        return _bulk_page(complex_, range_form=form, status=400)
    try:
        listed = households_in_range(
            form.buildings.data, form.floors.data, form.lines.data, form.exceptions.data or ""
        )
    except HouseholdListRefused as refusal:
        form.form_errors.append(str(refusal))
        return _bulk_page(complex_, range_form=form, status=refusal.status)
    return _bulk_page(complex_, range_form=form, preview=preview_households(complex_, listed))


@bp.route("/complexes/<int:complex_id>/households/import", methods=["POST"])
@login_required
@unit_of_work
def household_import_preview(complex_id):
    complex_ = _managed_complex(complex_id)
    form = HouseholdFileForm()
    if not form.validate_on_submit():
        return _bulk_page(complex_, file_form=form, status=400)
    upload = form.file.data
    try:
        listed = households_in_file(upload.read(MAX_FILE_BYTES + 1), upload.filename or "")
    except HouseholdListRefused as refusal:
        form.form_errors.append(str(refusal))
        return _bulk_page(complex_, file_form=form, status=refusal.status)
    return _bulk_page(complex_, file_form=form, preview=preview_households(complex_, listed))


@bp.route("/complexes/<int:complex_id>/households/bulk", methods=["POST"])
@login_required
@unit_of_work
def household_bulk_add(complex_id):
    complex_ = _managed_complex(complex_id)
    form = HouseholdListConfirmForm()
    if not form.validate_on_submit():
        flash(_("This preview is too old or was changed. Make the preview again."), "error")
        return _bulk_page(complex_, status=400)
    with operating(lambda status: _bulk_page(complex_, status=status)):
        keys = unseal(form.households.data, secret=current_app.secret_key, complex_id=complex_.id)
        added, _listed_already = add_household_list(
            complex_, keys, actor=current_user, make_codes=form.make_codes.data
        )
    flash(_("%(count)s households were added.", count=len(added)), "success")
    if not form.make_codes.data:
        return redirect(url_for(".household_list", complex_id=complex_.id))
    ids = [household.id for household in added]  # the slips of these, on the next page
    return redirect(
        url_for(".household_list", complex_id=complex_.id, first=min(ids), last=max(ids))
    )


@bp.route("/complexes/<int:complex_id>/codes/generate", methods=["POST"])
@login_required
@unit_of_work
def codes_generate(complex_id):
    complex_ = _managed_complex(complex_id)
    _confirmed()
    with operating():
        count = generate_codes(complex_, actor=current_user)
    flash(
        _("%(count)s new codes were made.", count=count)
        if count
        else _("Every household already has a code."),
        "success",
    )
    return redirect(url_for(".household_list", complex_id=complex_.id))


@bp.route(
    "/complexes/<int:complex_id>/households/<int:household_id>/code/regenerate", methods=["POST"]
)
@login_required
@unit_of_work
def code_regenerate(complex_id, household_id):
    complex_ = _managed_complex(complex_id)
    household = _household_of(complex_, household_id)
    _confirmed()
    with operating():
        code = regenerate_code(household, actor=current_user)
    flash(
        _(
            "%(household)s has a new code: %(code)s. The old code no longer works.",
            household=household.label,
            code=format_code(code.code),
        ),
        "success",
    )
    return redirect(url_for(".household_list", complex_id=complex_.id))


def _code_of(complex_, code_id):
    code = db.session.get(InvitationCode, code_id)
    if code is None or code.household.complex_id != complex_.id:
        abort(404)
    return code


@bp.route("/complexes/<int:complex_id>/codes/<int:code_id>/revoke")
@login_required
def code_revoke_ask(complex_id, code_id):
    """Revoking cannot be undone: this page names the household whose code stops working,
    and its button posts the revocation. (It shows no code: nothing here lets anyone in.)"""
    complex_ = _managed_complex(complex_id)
    code = _code_of(complex_, code_id)
    if not code.is_live:
        raise Conflict(_("This code has already been revoked."))
    return render_template(
        "complexes/code_revoke.html",
        complex=complex_,
        household=code.household,
        code=code,
        members=queries.member_count(code.household_id),
        form=ConfirmForm(),
    )


@bp.route("/complexes/<int:complex_id>/codes/<int:code_id>/revoke", methods=["POST"])
@login_required
@unit_of_work
def code_revoke(complex_id, code_id):
    complex_ = _managed_complex(complex_id)
    code = _code_of(complex_, code_id)
    _confirmed()
    with operating():
        revoke_code(code, actor=current_user)
    flash(
        _("The code of %(household)s no longer works.", household=code.household.label), "success"
    )
    return redirect(url_for(".household_list", complex_id=complex_.id))


@bp.route("/complexes/<int:complex_id>/codes/print")
@login_required
def codes_print(complex_id):
    complex_ = _managed_complex(complex_id)
    slips = queries.printable_code_rows(complex_.id, batch=_batch())
    page = render_template(
        "complexes/codes_print.html",
        complex=complex_,
        slips=slips,
        join_url=url_for("auth.join", _external=True),
    )
    # A sheet of every live code lets people in: who printed it is kept.
    return personal_data_shown(
        page,
        "codes.print",
        complex_,
        actor=current_user,
        complex_id=complex_.id,
        after={"count": len(slips)},
    )
