"""The audit log for staff admins: filtered, paged, and as a CSV file."""

from flask import Blueprint, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from gachi.audit import queries
from gachi.audit.actions import label_of
from gachi.audit.forms import AuditFilterForm
from gachi.core.access import require, staff_required
from gachi.core.audit import AuditEntry, personal_data_shown
from gachi.core.spreadsheets import csv_response
from gachi.core.time import seoul_today, to_seoul

bp = Blueprint("audit", __name__)


def _filter_form():
    """The filters, or none when they cannot be read (with a 400 and a message)."""
    require(current_user.can_read_audit_log(current_user))
    form = AuditFilterForm(request.args)
    return form, form.validate()


def _logged(response, action, form, valid):
    """Reading the log shows who looked at whom: that is logged as well, with the filters."""
    filters = {
        name: request.args.get(name)
        for name in ("person", "action", "complex_name", "since", "until")
        if request.args.get(name)
    }
    return personal_data_shown(
        response, action, AuditEntry, actor=current_user, after=filters if valid else None
    )


@bp.route("/staff/audit")
@staff_required
def audit_log():
    form, valid = _filter_form()
    filters = form.filters() if valid else queries.AuditFilters()
    page = queries.entry_page(filters, page=(form.page.data or 1) if valid else 1)
    filter_args = {key: value for key, value in request.args.items() if key != "page"}
    html = render_template(
        "audit/audit_log.html",
        form=form,
        page=page,
        label_of=label_of,
        filters_refused=not valid,
        filter_args=filter_args,
    )
    return _logged((html, 200 if valid else 400), "audit_log.view", form, valid)


EXPORT_HEADERS = ("시각", "누가", "역할", "한 일", "대상", "단지", "관련된 사람")


def _export_rows(rows):
    yield EXPORT_HEADERS
    for row in rows:
        entry = row.entry
        yield [
            f"{to_seoul(entry.created_at):%Y-%m-%d %H:%M:%S}",
            row.actor_name or "",
            str(row.actor_role.label) if row.actor_role else "",
            str(label_of(entry.action)),
            f"{entry.object_type} {entry.object_id}" if entry.object_id else entry.object_type,
            row.complex_name or "",
            "; ".join(name for name, _role in row.subjects),
        ]


@bp.route("/staff/audit.csv")
@staff_required
def audit_log_csv():
    form, valid = _filter_form()
    if not valid:
        return _logged(
            (
                render_template(
                    "audit/audit_log.html",
                    form=form,
                    page=None,
                    label_of=label_of,
                    filters_refused=True,
                    filter_args={},
                ),
                400,
            ),
            "audit_log.view",
            form,
            valid,
        )
    with force_locale("ko"):
        response = csv_response(
            list(_export_rows(queries.export_rows(form.filters()))),
            f"gachi-audit-{seoul_today():%Y%m%d}.csv",
        )
    return _logged(response, "audit_log.export", form, valid)
