"""Forms for placing coordinators at complexes."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from gachi.core.forms import BaseForm


class PlacementForm(BaseForm):
    """Place a coordinator at a complex; the view fills in the complexes."""

    complex_id = SelectField(_l("Complex"), coerce=int, validators=[InputRequired()])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day (leave empty if not known)"), validators=[Optional()])
    allow_overlap = BooleanField(_l("Allow two coordinators at once"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class PlaceAtComplexForm(PlacementForm):
    """Place a coordinator at one complex (from its page); the view fills in the
    coordinators, the complex is the page's."""

    complex_id = None  # type: ignore[assignment]
    coordinator_id = SelectField(_l("Coordinator"), coerce=int, validators=[InputRequired()])


class EndPlacementForm(BaseForm):
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])


class HandoverForm(BaseForm):
    """A coordinator leaves a complex; another takes over. The view fills in the coordinators."""

    successor_id = SelectField(_l("Who takes over"), coerce=int, validators=[InputRequired()])
    first_day = DateField(_l("Their first day"), validators=[InputRequired()])
    allow_overlap = BooleanField(_l("Allow two coordinators at once"))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
