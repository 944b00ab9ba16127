"""URL converters: an id in a URL is a number a table's id column can hold."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Ids are PostgreSQL `integer` (SERIAL) columns: 2147483648 in a query is an error there,
# not "no such row". A bigger number in a URL matches no route, a 404 like any unknown id.
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` with an upper bound: /ballots/99999999999 is a 404, never a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
