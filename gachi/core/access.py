"""Loading objects through the user's scope: outside it, a 404."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from gachi.extensions import db


def load_for(user, model, object_id, *, permission="can_view", options=()):
    """Get `model` by id if `user` may see it, else 404 (ids don't leak).

    `permission` names the object's `can_*` rule that defines the user's scope;
    `options` are loader options that bring what that rule reads in the same query
    (e.g. the participation and complex behind a ballot) instead of one lazy load each.
    """
    obj = db.session.get(model, object_id, options=options)
    if obj is None or not getattr(obj, permission)(user):
        abort(404)
    return obj


def require(allowed: bool):
    """A missing right inside one's own scope is a 403."""
    if not allowed:
        abort(403)


def staff_required(view):
    """The coarse gate for the center's pages: signed in (else the login page), then staff."""

    @wraps(view)
    @login_required
    def staff_view(*args, **kwargs):
        require(current_user.is_staff)
        return view(*args, **kwargs)

    return staff_view
