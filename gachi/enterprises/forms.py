"""Forms for the enterprise directory: filters, add/edit, CSV import."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from gachi.complexes.districts import District
from gachi.core.forms import BaseForm, options
from gachi.enterprises.models import LegalForm

# Browsers and spreadsheet programs send CSV under several names.
CSV_CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "text/comma-separated-values",
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class EnterpriseFilterForm(BaseForm):
    """The directory's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Name contains"), validators=[Optional(), Length(max=100)])
    category = SelectField(_l("Category"), coerce=_int_or_none)
    district = SelectField(
        _l("Serves district"),
        default="",
        choices=options([("", _l("All districts")), *District.choices()]),
    )
    legal_form = SelectField(
        _l("Legal form"),
        default="",
        choices=options([("", _l("Any legal form")), *LegalForm.choices()]),
    )
    verified = BooleanField(_l("Verified only"))
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )

    def filters(self):
        return {
            "search": self.q.data or None,
            "category_id": self.category.data,
            "district": self.district.data or None,
            "legal_form": self.legal_form.data or None,
            "verified_only": bool(self.verified.data),
        }


class EnterpriseForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    legal_form = SelectField(
        _l("Legal form"), choices=options(LegalForm.choices()), coerce=LegalForm
    )
    category_ids = CheckboxesField(_l("Categories it works on"), coerce=int)
    seoul_wide = BooleanField(_l("Serves all of Seoul"))
    districts = CheckboxesField(
        _l("Districts it serves"), coerce=District, choices=options(District.choices())
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    contact = StringField(_l("Contact"), validators=[Length(max=200)])
    verified = BooleanField(_l("Verified by the center"))

    def validate_category_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one category."))

    def validate_districts(self, field):
        if not field.data and not self.seoul_wide.data:
            raise ValidationError(_l("Choose the districts it serves, or all of Seoul."))

    def enterprise_fields(self):
        return {
            "name": self.name.data,
            "legal_form": self.legal_form.data,
            "seoul_wide": self.seoul_wide.data,
            "description": self.description.data or "",
            "contact": self.contact.data or "",
            "verified": self.verified.data,
        }


def _csv_content_type(form, field):
    upload = field.data
    if upload and upload.mimetype not in CSV_CONTENT_TYPES:
        raise ValidationError(_l("Choose a CSV file (.csv)."))


class ImportForm(BaseForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file (.csv).")),
            FileAllowed(["csv", "txt"], _l("Choose a CSV file (.csv).")),
            _csv_content_type,
        ],
    )
