"""Forms of the KPI pages: board filters, a new KPI, targets and actuals, CSV upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.core.forms import BaseForm, finite_number, options
from gachi.kpi.models import Direction
from gachi.kpi.queries import Filters


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class BoardFilterForm(BaseForm):
    """The board's filters, read from the query string."""

    class Meta:
        csrf = False

    district = SelectField(
        _l("District"),
        default="",
        choices=options([("", _l("All districts")), *District.choices()]),
    )
    category = SelectField(_l("Problem category"), coerce=_int_or_none, default=None)
    stage = SelectField(
        _l("Stage"), default="", choices=options([("", _l("Any stage")), *Stage.choices()])
    )
    page = IntegerField(
        _l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)]
    )

    def filters(self):
        return Filters(
            district=District(self.district.data) if self.district.data else None,
            category_id=self.category.data,
            stage=Stage(self.stage.data) if self.stage.data else None,
        )


class KpiForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Use lower-case letters, digits and _.")),
        ],
    )
    name_ko = StringField(_l("Name in Korean"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=100)])
    unit_ko = StringField(_l("Unit in Korean"), validators=[DataRequired(), Length(max=10)])
    unit_en = StringField(_l("Unit in English"), validators=[DataRequired(), Length(max=20)])
    direction = SelectField(_l("Which direction is good"), choices=options(Direction.choices()))
    definition_ko = TextAreaField(_l("What is counted, in Korean"), validators=[Length(max=2000)])
    definition_en = TextAreaField(_l("What is counted, in English"), validators=[Length(max=2000)])

    def kpi_fields(self):
        return {
            name: getattr(self, name).data
            for name in (
                "code",
                "name_ko",
                "name_en",
                "unit_ko",
                "unit_en",
                "definition_ko",
                "definition_en",
            )
        } | {"direction": Direction(self.direction.data)}


def figures_form(kpis, values, label):
    """A form with one optional number per KPI (`kpi_<id>`), filled with `values`."""

    class FiguresForm(BaseForm):
        pass

    for kpi in kpis:
        setattr(
            FiguresForm,
            f"kpi_{kpi.id}",
            DecimalField(
                label(kpi),
                places=2,
                validators=[Optional(), finite_number, NumberRange(min=0, max=99999999999999)],
            ),
        )
    form = FiguresForm(data={f"kpi_{kpi_id}": value for kpi_id, value in values.items()})
    form.kpi_fields = [(kpi, form[f"kpi_{kpi.id}"]) for kpi in kpis]
    return form


class ImportActualsForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])
