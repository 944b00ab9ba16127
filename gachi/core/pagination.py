"""A page of a list: its rows and where it stands among the others."""

from dataclasses import dataclass
from math import ceil


@dataclass
class Page:
    rows: list
    number: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages
