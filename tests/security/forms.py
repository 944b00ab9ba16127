"""The forms a page shows: where each posts and the fields it sends, read from its HTML."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlparse


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    values: list = field(default_factory=list)  # the value it holds, or a select's options
    multiple: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name → Field
    multipart: bool = False


class _FormParser(HTMLParser):
    def __init__(self, page_path):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urlparse(attrs.get("action") or self.page_path).path
            self._form = Form(
                action,
                attrs.get("method", "get").upper(),
                multipart="multipart" in attrs.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None or "name" not in attrs:
            if tag == "option" and self._select is not None:
                self._select.values.append(attrs.get("value", ""))
            return
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            known = self._form.fields.setdefault(attrs["name"], Field(attrs["name"], kind))
            known.values.append(attrs.get("value", "on" if kind in ("checkbox", "radio") else ""))
            known.multiple = known.multiple or (kind == "checkbox" and len(known.values) > 1)
        elif tag == "select":
            self._select = self._form.fields.setdefault(
                attrs["name"], Field(attrs["name"], "select", multiple="multiple" in attrs)
            )
        elif tag == "textarea":
            self._textarea = self._form.fields.setdefault(
                attrs["name"], Field(attrs["name"], "textarea")
            )
        elif tag == "option" and self._select is not None:
            self._select.values.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None and not self._textarea.values:
            self._textarea.values.append(data.lstrip("\n"))


def forms_on(page_path, html):
    """Every POST form on a page, as Form objects."""
    parser = _FormParser(page_path)
    parser.feed(html)
    return [form for form in parser.forms if form.method == "POST"]
