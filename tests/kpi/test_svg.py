"""The board's charts drawn as SVG on the server, for the PDF reports."""

import re
from decimal import Decimal

from gachi.kpi.charts import Chart
from gachi.kpi.svg import bar_chart, column_chart, draw, fit, text_width


def _bars(svg):
    """{value label: bar length} of a horizontal bar chart."""
    lengths = [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    values = re.findall(r">([^<]*%)</text>", svg)
    return lengths, values


def test_bars_are_as_long_as_their_values_and_say_them():
    chart = Chart("achievement", "bar", ["제안된 생활문제", "출석률"], [50, 100], "%")

    svg = str(bar_chart(chart, "지표별 달성률 (%)"))

    assert svg.startswith("<svg") and 'aria-label="지표별 달성률 (%)"' in svg
    lengths, values = _bars(svg)
    assert lengths[1] == 2 * lengths[0]
    assert values == ["50%", "100%"]
    assert "제안된 생활문제" in svg and "출석률" in svg


def test_the_target_line_stands_at_100_even_when_every_bar_falls_short():
    chart = Chart("achievement", "bar", ["예약"], [Decimal(40)], "%")

    svg = str(bar_chart(chart, "달성률", reference=100))

    bar = float(re.search(r'<rect [^>]*width="([\d.]+)"', svg).group(1))
    start = float(re.search(r'<rect x="([\d.]+)"', svg).group(1))
    line = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke-dasharray', svg).group(1))
    assert round(line - start, 1) == round(bar * 100 / 40, 1)
    assert ">100%</text>" in svg


def test_no_data_draws_no_bar_and_says_so():
    chart = Chart("turnout", "bar", ["마포구", "은평구"], [Decimal("42.9"), None], "%")

    svg = str(bar_chart(chart, "자치구별 투표율 (%)"))

    assert svg.count("<rect") == 1
    assert ">42.9%</text>" in svg and ">—</text>" in svg


def test_labels_and_titles_are_text_never_markup():
    chart = Chart("turnout", "bar", ['<script>alert("x")</script>'], [1])

    svg = str(draw(chart, "<b>제목</b>"))

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;제목&lt;/b&gt;" in svg


def test_a_long_korean_label_is_cut_to_fit():
    label = "아주 긴 이름의 지표" * 10
    assert text_width("가나") == 2 * text_width("가") > 2 * text_width("a")
    cut = fit(label, 200)
    assert cut.endswith("…") and text_width(cut) <= 200 and label.startswith(cut[:-1])
    assert fit("출석률", 200) == "출석률"


def test_a_year_of_weeks_is_drawn_as_columns_with_labels_that_fit():
    weeks = [f"2026-W{week:02}" for week in range(1, 53)]
    chart = Chart("activity", "line", weeks, list(range(52)))

    svg = str(draw(chart, "주별 참여"))

    assert svg.count("<rect") == 52  # one a week; the week with 0 acts has no height
    written = re.findall(r">(2026-W\d\d)</text>", svg)
    assert 2 <= len(written) <= 12 and written[0] == "2026-W01"
    assert str(column_chart(Chart("activity", "line", [], []), "비어 있음")).startswith("<svg")
