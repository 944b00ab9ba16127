"""The notice board: the complex's residents read it; its coordinator (and staff) write,
edit, unpin, remove and print notices. Another complex's people get a 404."""

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from gachi.complexes.models import Complex
from gachi.core.access import load_for, require
from gachi.core.forms import ConfirmForm
from gachi.core.handlers import operating, unit_of_work
from gachi.core.pdf import PdfUnavailable, pdf_response
from gachi.core.qr import qr_data_uri
from gachi.core.time import seoul_today, utcnow
from gachi.notices import operations, queries
from gachi.notices.forms import NewNoticeForm, NoticeForm
from gachi.notices.models import Notice

bp = Blueprint("notices", __name__)


@bp.route("/complexes/<int:complex_id>/notices")
@login_required
def notice_board(complex_id):
    complex_ = load_for(current_user, Complex, complex_id)
    today = seoul_today()
    manages = complex_.can_manage(current_user)
    return render_template(
        "notices/board.html",
        complex=complex_,
        notices=queries.board(complex_.id, today),
        past=queries.past_notices(complex_.id, today) if manages else [],
        manages=manages,
    )


@bp.route("/my/notices")
@login_required
def my_notices():
    if not current_user.is_resident:
        abort(404)
    return redirect(url_for(".notice_board", complex_id=current_user.complex_id))


@bp.route("/complexes/<int:complex_id>/notices/new", methods=["GET", "POST"])
@login_required
@unit_of_work
def notice_new(complex_id):
    complex_ = load_for(current_user, Complex, complex_id)
    require(complex_.can_manage(current_user))
    form = NewNoticeForm()
    page = lambda status: _form_page(form, complex_, None, status)  # noqa: E731
    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    with operating(page, form=form):
        notice = operations.post_notice(
            complex_, **form.values(), actor=current_user, now=utcnow(), today=seoul_today()
        )
    flash(_("The notice is on the board."), "success")
    return redirect(url_for(".notice_detail", notice_id=notice.id))


@bp.route("/notices/<int:notice_id>")
@login_required
def notice_detail(notice_id):
    notice = load_for(current_user, Notice, notice_id)
    return render_template("notices/detail.html", notice=notice, today=seoul_today())


@bp.route("/notices/<int:notice_id>/edit", methods=["GET", "POST"])
@login_required
@unit_of_work
def notice_edit(notice_id):
    notice = load_for(current_user, Notice, notice_id)
    require(notice.can_edit(current_user))
    form = NoticeForm(obj=notice)
    page = lambda status: _form_page(form, notice.complex, notice, status)  # noqa: E731
    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    with operating(page, form=form):
        operations.edit_notice(
            notice, **form.values(), actor=current_user, now=utcnow(), today=seoul_today()
        )
    flash(_("The notice is changed."), "success")
    return redirect(url_for(".notice_detail", notice_id=notice.id))


@bp.route("/notices/<int:notice_id>/unpin", methods=["POST"])
@login_required
@unit_of_work
def notice_unpin(notice_id):
    notice = load_for(current_user, Notice, notice_id)
    require(notice.can_unpin(current_user))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with operating():
        operations.unpin_notice(notice, actor=current_user, now=utcnow())
    flash(_("The notice is no longer pinned."), "success")
    return redirect(url_for(".notice_detail", notice_id=notice.id))


@bp.route("/notices/<int:notice_id>/remove", methods=["GET", "POST"])
@login_required
@unit_of_work
def notice_remove(notice_id):
    notice = load_for(current_user, Notice, notice_id)
    require(notice.can_remove(current_user))
    form = ConfirmForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("notices/remove.html", notice=notice, form=form), status
    with operating():
        operations.remove_notice(notice, actor=current_user, now=utcnow())
    flash(_("The notice is taken off the board."), "success")
    return redirect(url_for(".notice_board", complex_id=notice.complex_id))


@bp.route("/notices/<int:notice_id>/poster")
@login_required
def notice_poster(notice_id):
    """The A4 poster as a page to print from the browser."""
    notice = load_for(current_user, Notice, notice_id)
    require(notice.can_manage(current_user))
    return _poster_html(notice)


@bp.route("/notices/<int:notice_id>/poster.pdf")
@login_required
def notice_poster_pdf(notice_id):
    notice = load_for(current_user, Notice, notice_id)
    require(notice.can_manage(current_user))
    try:
        return pdf_response(_poster_html(notice, for_pdf=True), f"notice-{notice.id}.pdf")
    except PdfUnavailable:
        page = render_template(
            "errors/error.html",
            title=_("The poster cannot be made right now"),
            status=503,
            detail=_("PDFs cannot be made on this server at the moment. Print the poster page."),
        )
        return page, 503


POSTER_CSS = Path("css") / "poster.css"


def _poster_html(notice, for_pdf=False):
    url = url_for(".notice_detail", notice_id=notice.id, _external=True)
    css = (Path(current_app.static_folder or "") / POSTER_CSS).read_text() if for_pdf else None
    return render_template(
        "pdf/notice_poster.html",
        notice=notice,
        qr=qr_data_uri(url),
        notice_url=url,
        poster_css=Markup(css) if css else None,  # our own file, not anyone's input
    )


def _form_page(form, complex_, notice, status):
    return render_template("notices/form.html", form=form, complex=complex_, notice=notice), status
