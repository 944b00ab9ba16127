"""The unit-of-work edge every handler that changes data passes through.

As in Indico's `RH._process`, the handler itself holds no transaction code. It reads

    @bp.route("/things/<int:thing_id>/do", methods=["POST"])
    @login_required
    @unit_of_work
    def do_thing(thing_id):
        thing = load_for(current_user, Thing, thing_id)           # load
        require(thing.can_do(current_user))                       # check
        form = DoForm()
        if not form.validate_on_submit():                         # validate
            return _thing_page(thing, form, status=400)
        with operating(lambda status: _thing_page(thing, form, status=status), form=form):
            do(thing, actor=current_user, **form.fields())        # operate
        flash(_("Done."), "success")
        return redirect(url_for(".thing_detail", thing_id=thing.id))  # respond

and the edge does the rest: it commits when the answer is below 400 and rolls back
otherwise; a `DomainError` raised inside `operating()` rolls back and answers with the page
given to it, the message on the form (or flashed) and the error's 4xx; one raised anywhere
else answers with the error page and its 4xx.

On SQLite the handler loads and checks in a read transaction, and the database's one write
lock is taken as it enters `operating()` (see `gachi.core.db.begin_writing`); a write
before that is a mistake the edge refuses loudly, on every database alike.

A refusal that must itself leave a record (a wrong password the sign-in throttle counts)
gives `operating()` an `on_refusal`: the operation's writes are undone and the record kept.

A GET handler never commits; the few that must record something (who saw personal data,
`gachi.core.audit`; a two-factor secret being set up) write inside `read_that_writes()`
and say why.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import flash, g, has_request_context, make_response, request
from flask.typing import ResponseReturnValue
from sqlalchemy import event
from sqlalchemy.orm import Session

from gachi.core.db import SAFE_METHODS, begin_writing, commit_keeping_loaded
from gachi.core.errors import DomainError
from gachi.extensions import db

RefusalPage = Callable[[int], ResponseReturnValue]


class Refused(Exception):
    """Carries the page that shows an operation's refusal out to the edge."""

    def __init__(self, response: ResponseReturnValue):
        super().__init__("refused")
        self.response = response


def unit_of_work(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Own the handler's transaction: commit below 400, roll back otherwise."""

    @wraps(view)
    def handle(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        g.unit_of_work = True
        try:
            response = make_response(view(*args, **kwargs))
        except Refused as refused:
            db.session.rollback()
            return refused.response
        except BaseException:  # a DomainError goes on to the error page (core.errors_views)
            db.session.rollback()
            raise
        if response.status_code < 400 and request.method not in SAFE_METHODS:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    # Loading and checking run in a read transaction (see gachi.core.db.reads_first).
    handle.reads_first = True  # type: ignore[attr-defined]
    handle.unit_of_work = True  # type: ignore[attr-defined]
    return handle


@contextmanager
def operating(
    refusal_page: RefusalPage | None = None,
    *,
    form: Any = None,
    on_refusal: Callable[[DomainError], None] | None = None,
) -> Iterator[None]:
    """The operate step of a handler: takes the write lock, and turns a refusal into
    `refusal_page(status)` with the message next to the form field the error names, else
    on `form` (or flashed when there is none).

    `on_refusal(error)` writes what a refusal itself leaves behind: it runs once the
    operation's writes are undone, still under the write lock, and what it writes is
    committed although the answer is a refusal."""
    begin_writing(db.session)
    attempt = db.session.begin_nested() if on_refusal is not None else None
    try:
        yield
    except DomainError as error:
        if attempt is not None and on_refusal is not None:
            attempt.rollback()
            on_refusal(error)
            commit_keeping_loaded(db.session)
        else:
            db.session.rollback()
        if refusal_page is None:
            raise
        if form is not None:
            _show_on(form, error)
            form.refusal = error  # for a page that shows more than the message
        else:
            flash(str(error), "error")
        raise Refused(refusal_page(error.status)) from error
    if attempt is not None:
        attempt.commit()


def _show_on(form: Any, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@contextmanager
def read_that_writes() -> Iterator[None]:
    """A GET handler that must write, on purpose and saying why, writes inside this block:
    it takes the write lock (on SQLite, for these writes only) and commits as the block
    ends, keeping what the request loaded. The edge itself never commits a GET."""
    begin_writing(db.session)
    yield
    commit_keeping_loaded(db.session)


@event.listens_for(Session, "before_flush")
def _writes_only_while_operating(session, _flush_context, _instances):
    """In a unit of work, a change flushed before `operating()` would be written inside
    the read transaction (on SQLite, one that cannot wait for the write lock)."""
    if not (session.new or session.dirty or session.deleted):
        return
    if has_request_context() and g.get("unit_of_work") and not g.get("sqlite_writes"):
        raise RuntimeError("a unit of work wrote before operating(): wrap the operation in it")
