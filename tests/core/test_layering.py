"""The code map, checked: imports run down the layers, no module reaches itself round a
circle of imports, and operations and queries never touch the request.

How the imports are read: every `import gachi…` and `from gachi… import …` in
gachi/**/*.py, parsed with `ast`, at module level and inside functions alike. A
function-level import is a dependency all the same (it runs the first time the
function does), and deferring an import is how both circles issue 12 found were
hidden, so it counts. Only imports under `if TYPE_CHECKING:` are left out: they never
run. `from gachi.kpi import queries` is an import of gachi.kpi.queries; importing a
module does not count as importing the packages above it.

The layers, from the bottom (an area may import its own layer and those below it):

    core          the app's ground: db base, errors, access, time, enums, forms base,
                  the unit-of-work edge; gachi.extensions
    people and    auth (accounts, roles, sign-in), complexes (complexes, households,
    places        cohorts, participations and their stages), coordinators (placements),
                  notifications (messages and mail to users)
    residents     proposals (problems, supports, comments), workshops, ballots,
                  notices (a complex's notice board)
    the work      enterprises (the directory), matching (offers to enterprises), plans
                  (execution plans and budgets), programs (programmes, sessions,
                  bookings, rosters, feedback)
    looking back  evaluations, bizmodels (business models), kpi (indicators, targets,
                  figures computed ahead, the board)
    across        public (public pages, a resident's home), api (JSON), audit (the audit
                  log), privacy (a person's data, closing an account)

Above them all, the app itself (`gachi` and its top-level modules: create_app, models,
cli, demo, scheduler, templating, backup) may import any area; no area imports it.

An area's pages are its own: no area imports another's views or forms (a form or a
helper that several areas use lives in core, as core.forms does).

Imports that break these rules today are listed below as known exceptions, each with
what removes it. The lists only shrink: an exception that no longer happens fails the
test too, so that it is deleted from here when the change that removed it lands.
"""

import ast
from pathlib import Path

import pytest

GACHI = Path(__file__).resolve().parents[2] / "gachi"

LAYERS = (
    ("core", "extensions"),
    ("auth", "complexes", "coordinators", "districts", "notifications", "people"),
    ("proposals", "workshops", "ballots", "notices"),
    ("enterprises", "matching", "plans", "programs"),
    ("evaluations", "bizmodels", "kpi"),
    ("public", "api", "audit", "privacy"),
)
# `gachi` itself and its top-level modules: the app's assembly, above every layer.
APP = {"", "backup", "cli", "demo", "models", "scheduler", "templating"}

# Circles among modules, as the sets of modules each goes round.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}

# (importing module, imported module): what removes it.
KNOWN_UPWARD_IMPORTS = {
    # core reaches up to answer errors as JSON under /api/ and to find who is signed in.
    ("gachi.core.errors_views", "gachi.api.views"): "API_PREFIX and json_error into core",
    ("gachi.core.errors_views", "gachi.auth.sessions"): "error pages given the visitor by auth",
    # Account pages and lists name a partner's enterprise.
    ("gachi.auth.queries", "gachi.enterprises.models"): "enterprise membership as a grant row",
    ("gachi.auth.views", "gachi.enterprises.models"): "enterprise membership as a grant row",
    # The coordinator's home reads across the areas: a query for the public/home area.
    ("gachi.coordinators.queries", "gachi.ballots.models"): "coordinator home to a top area",
    ("gachi.coordinators.queries", "gachi.enterprises.models"): "coordinator home to a top area",
    ("gachi.coordinators.queries", "gachi.matching.models"): "coordinator home to a top area",
    ("gachi.coordinators.queries", "gachi.matching.operations"): "coordinator home to a top area",
    ("gachi.coordinators.queries", "gachi.matching.queries"): "coordinator home to a top area",
    ("gachi.coordinators.queries", "gachi.proposals.models"): "coordinator home to a top area",
    # Program.can_run asks whether a signed evaluation handed the programme over.
    ("gachi.programs.models", "gachi.evaluations.queries"): "organisers as a grant programs reads",
}

# (importing module, imported views or forms module): what removes it.
KNOWN_PAGE_IMPORTS = {
    ("gachi.core.errors_views", "gachi.api.views"): "API_PREFIX and json_error into core",
}


def _module_name(path):
    parts = list(path.relative_to(GACHI.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(GACHI.rglob("*.py"))}


def _resolve(name):
    """The module an imported name lives in: the longest prefix that is a module."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


class _Imports(ast.NodeVisitor):
    def __init__(self, module, is_package):
        self.package = module if is_package else module.rpartition(".")[0]
        self.found = set()

    def visit_If(self, node):
        test = node.test
        name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
        if name == "TYPE_CHECKING":  # never runs
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node):
        base = node.module or ""
        if node.level:
            package = self.package.split(".")
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            self._add(full if full in MODULES else base)

    def _add(self, name):
        if name == "gachi" or name.startswith("gachi."):
            target = _resolve(name)
            if target is not None:
                self.found.add(target)


def imports_of(module, source=None):
    """The gachi modules `module` imports (see the module docstring for what counts)."""
    path = MODULES.get(module)
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    visitor = _Imports(module, is_package=path is not None and path.name == "__init__.py")
    visitor.visit(tree)
    return visitor.found - {module}


def import_graph():
    return {module: imports_of(module) for module in MODULES}


def circles(graph):
    """The strongly connected sets of modules (Tarjan): each is one or more circles."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == module:
                    break
            if len(members) > 1:
                found.append(frozenset(members))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return set(found)


def area(module):
    """gachi.kpi.queries -> "kpi"; gachi.cli -> "cli"; gachi -> ""."""
    return module.split(".")[1] if "." in module else ""


LAYER_OF = {name: level for level, names in enumerate(LAYERS) for name in names}


def upward_imports(graph):
    """(importer, imported) pairs where an area imports a layer above its own, or the app."""
    found = set()
    for module, targets in graph.items():
        if area(module) in APP:
            continue
        for target in targets:
            if area(target) in APP or LAYER_OF[area(target)] > LAYER_OF[area(module)]:
                found.add((module, target))
    return found


# The rules --------------------------------------------------------------------------------


def test_every_area_has_its_place_in_the_layers():
    areas = {area(module) for module in MODULES}
    assert sorted(areas - set(LAYER_OF) - APP) == []


def test_no_module_imports_itself_round_a_circle():
    found = circles(import_graph())
    assert sorted(sorted(circle) for circle in found - set(KNOWN_CIRCLES)) == []
    gone = set(KNOWN_CIRCLES) - found
    assert not gone, f"no longer a circle: delete from KNOWN_CIRCLES: {sorted(map(sorted, gone))}"


def test_imports_run_down_the_layers():
    found = upward_imports(import_graph())
    assert sorted(found - set(KNOWN_UPWARD_IMPORTS)) == []
    gone = set(KNOWN_UPWARD_IMPORTS) - found
    assert not gone, f"no longer imported: delete from KNOWN_UPWARD_IMPORTS: {sorted(gone)}"


def _is_page_module(module):
    last = module.rpartition(".")[2]
    return last == "forms" or last.endswith("views")


def other_areas_pages(graph):
    """(importer, imported) pairs where a module imports another area's views or forms."""
    return {
        (module, target)
        for module, targets in graph.items()
        if area(module) not in APP
        for target in targets
        if _is_page_module(target) and area(target) not in (area(module), "core")
    }


def test_no_area_imports_another_areas_pages():
    found = other_areas_pages(import_graph())
    assert sorted(found - set(KNOWN_PAGE_IMPORTS)) == []
    gone = set(KNOWN_PAGE_IMPORTS) - found
    assert not gone, f"no longer imported: delete from KNOWN_PAGE_IMPORTS: {sorted(gone)}"


REQUEST_STATE = {
    "flask": {"request", "session", "g", "flash"},
    "flask_login": {"current_user"},
}


def request_state_used(source):
    """The request state a module's source reaches for: `from flask import request`,
    `flask.g`, `from flask_login import current_user`, and the like."""
    used = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in REQUEST_STATE:
            used |= {
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name in REQUEST_STATE[node.module]
            }
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr in REQUEST_STATE.get(node.value.id, ())
        ):
            used.add(f"{node.value.id}.{node.attr}")
    return used


def _operations_and_queries():
    """operations.py and queries.py of every area and sub-area, and the modules of any
    operations/ or queries/ package."""
    return [module for module in MODULES if {"operations", "queries"} & set(module.split(".")[1:])]


def test_the_areas_have_operations_and_queries_to_check():
    assert {"gachi.kpi.queries", "gachi.matching.operations"} <= set(_operations_and_queries())


def test_operations_and_queries_never_touch_the_request():
    touching = {
        module: sorted(used)
        for module in _operations_and_queries()
        if (used := request_state_used(MODULES[module].read_text(encoding="utf-8")))
    }
    assert touching == {}


# The checks themselves can fail ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "used"),
    [
        ("from flask import request, current_app", {"flask.request"}),
        ("from flask import session as cookie", {"flask.session"}),
        ("import flask\ndef f():\n    return flask.g.user", {"flask.g"}),
        ("def f():\n    from flask import flash", {"flask.flash"}),
        ("from flask_login import current_user", {"flask_login.current_user"}),
        ("from gachi.extensions import db\nsession = db.session", set()),
    ],
)
def test_request_state_is_seen_wherever_it_is_imported(source, used):
    assert request_state_used(source) == used


def test_a_circle_closed_by_a_function_level_import_is_seen():
    assert imports_of("gachi.kpi.queries", "def f():\n    from gachi.kpi import refresh\n") == {
        "gachi.kpi.refresh"
    }
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}


def test_type_checking_imports_are_left_out():
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gachi.kpi import refresh\n"
    )
    assert imports_of("gachi.kpi.queries", source) == set()


def test_an_import_up_the_layers_is_seen():
    graph = {"gachi.core.time": {"gachi.kpi.queries"}, "gachi.kpi.views": {"gachi.core.time"}}
    assert upward_imports(graph) == {("gachi.core.time", "gachi.kpi.queries")}


def test_an_import_of_another_areas_form_is_seen():
    graph = {
        "gachi.kpi.views": {"gachi.kpi.forms", "gachi.core.forms", "gachi.plans.forms"},
        "gachi.plans.views": {"gachi.kpi.queries"},
    }
    assert other_areas_pages(graph) == {("gachi.kpi.views", "gachi.plans.forms")}
