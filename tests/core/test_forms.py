"""Text in: NFC-normalised, length-checked, no control characters."""

import unicodedata

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from gachi.core.forms import BaseForm, options


class NoteForm(BaseForm):
    class Meta:
        csrf = False

    title = StringField("Title", validators=[DataRequired()])
    short = StringField("Short", [Length(max=5)])
    body = TextAreaField("Body")
    secret = PasswordField("Secret")


def submit(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = NoteForm(formdata=MultiDict(data))
        valid = form.validate()
        for field in form:  # render the lazy messages while the request is here
            field.errors = [str(error) for error in field.errors]
        return form, valid


def test_korean_typed_decomposed_is_stored_composed(app):
    decomposed = unicodedata.normalize("NFD", "육아 문제")
    assert decomposed != "육아 문제"
    form, valid = submit(app, title=decomposed)
    assert valid
    assert form.title.data == "육아 문제"


def test_single_line_text_is_trimmed_but_passwords_are_not(app):
    form, _ = submit(app, title="  놀이방  ", secret=" pass word ")
    assert form.title.data == "놀이방"
    assert form.secret.data == " pass word "


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "line\nbreak", "\x7f", "a\x85b"])
def test_control_characters_in_a_line_are_refused_with_a_message(app, bad):
    form, valid = submit(app, title=bad)
    assert not valid
    assert "Control characters are not allowed." in form.title.errors


def test_a_textarea_keeps_line_breaks_but_refuses_nul(app):
    form, valid = submit(app, title="t", body="첫 줄\r\n둘째 줄\t끝")
    assert valid
    form, valid = submit(app, title="t", body="첫 줄\x00")
    assert not valid and form.body.errors


def test_lengths_are_checked_by_the_form_even_without_a_declared_limit(app):
    form, valid = submit(app, title="가" * 201)
    assert not valid and form.title.errors
    form, valid = submit(app, title="ok", short="가나다라마바")
    assert not valid and form.short.errors
    form, valid = submit(app, title="ok", body="가" * 5001)
    assert not valid and form.body.errors


def test_a_form_made_again_and_again_keeps_one_set_of_text_rules(app):
    """Every request makes its forms anew from the same class: the rules must not pile up."""
    for _ in range(5):
        form, _valid = submit(app, title=" 제목 ", short="abc", body="b", secret="s")
    assert len(form.title.filters) == 2  # NFC, then strip
    assert len(form.body.filters) == 1  # NFC only
    assert sum(isinstance(v, Length) for v in form.title.validators) == 1
    assert form.title.data == "제목"


class ChoiceForm(BaseForm):
    class Meta:
        csrf = False

    kind = SelectField("Kind", choices=options([("a", "A")]))


@pytest.mark.parametrize(
    "language, message", [("ko", "올바르지 않은 선택값입니다."), ("en", "Not a valid choice.")]
)
def test_wtforms_own_messages_speak_the_readers_language(app, language, message):
    with app.test_request_context(method="POST"), force_locale(language):
        form = ChoiceForm(formdata=MultiDict({"kind": "z"}))
        assert not form.validate()
        assert [str(error) for error in form.kind.errors] == [message]
