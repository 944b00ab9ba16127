"""Loading objects through the user's scope: outside it, a 404."""

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from gachi.extensions import db

M = TypeVar("M")


def load_for(
    user: Any,
    model: type[M],
    object_id: int,
    *,
    permission: str = "can_view",
    options: Sequence[Any] = (),
) -> M:
    """Get `model` by id if `user` may see it, else 404 (ids don't leak).

    `permission` names the object's `can_*` rule that defines the user's scope;
    `options` are loader options that bring what that rule reads in the same query
    (e.g. the participation and complex behind a ballot) instead of one lazy load each.
    """
    obj = db.session.get(model, object_id, options=options)
    if obj is None or not getattr(obj, permission)(user):
        abort(404)
    return obj


def require(allowed: bool) -> None:
    """A missing right inside one's own scope is a 403."""
    if not allowed:
        abort(403)


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The coarse gate for the center's pages: signed in (else the login page), then staff."""

    @wraps(view)
    @login_required
    def staff_view(*args: Any, **kwargs: Any) -> Any:
        require(current_user.is_staff)
        return view(*args, **kwargs)

    return staff_view
