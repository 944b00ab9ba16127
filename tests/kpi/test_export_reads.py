"""An export of one board table reads what that table needs and nothing else: the
business models file reads no figures, a figures file no business models, and the
complexes file only the figures its columns show."""

import pytest

from gachi.kpi.tables import ROLLUP_CODES
from tests.conftest import counted_queries, sign_in
from tests.kpi.helpers import known_cohort


def _statements(client, path):
    client.get(path)  # the first may compute the figures ahead
    with counted_queries() as statements:
        assert client.get(path).status_code == 200
    return statements


def _reads(statements, table):
    return [
        statement
        for statement in statements
        if f"FROM {table}" in statement or f"JOIN {table}" in statement
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_export_reads_only_its_own_table(client, make, kind):
    scene = known_cohort(make)
    sign_in(client, scene.staff)
    base = f"/staff/cohorts/{scene.cohort.id}/board"

    models = _statements(client, f"{base}/models.{kind}")
    assert _reads(models, "business_models")
    assert not _reads(models, "kpi_figures") and not _reads(models, "kpi_rollups")

    for name in ("kpis", "districts", "categories", "complexes"):
        figures = _statements(client, f"{base}/{name}.{kind}")
        assert _reads(figures, "kpi_rollups"), name
        assert not _reads(figures, "business_models"), name


def test_the_complexes_export_reads_only_the_figures_it_shows(client, make):
    scene = known_cohort(make)
    sign_in(client, scene.staff)
    path = f"/staff/cohorts/{scene.cohort.id}/board/complexes.csv"
    (figures,) = _reads(_statements(client, path), "kpi_figures")
    assert "kpi_figures.kpi_id IN" in figures
    header = client.get(path).get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert len(header.split(",")) == 3 + len(ROLLUP_CODES) + 2  # name, district, stage; budget
