"""Domain errors: a broken rule, with a code and a message in the user's language."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Raised by operations; handlers roll back and show `message` with `status`, next to
    the form field named by `field` when there is one."""

    code = "domain_error"
    status = 400
    field: str | None = None
    default_message = _l("This action is not allowed right now.")

    def __init__(self, message: object = None, **params: object) -> None:
        self.message = message or self.default_message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class NotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _l("This conflicts with the current state; reload and try again.")


class GateNotMet(DomainError):
    code = "gate_not_met"
    status = 409
