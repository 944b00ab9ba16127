"""CSV import: good lines load whole; every other line is reported with its reason.

The file goes through its import job as the scheduler runs it (see test_import_jobs)."""

import io

import pytest
from sqlalchemy import func, select

from gachi.core.errors import DomainError
from gachi.core.time import utcnow
from gachi.enterprises.jobs import run_import_jobs
from gachi.enterprises.models import Enterprise, ImportJob, LegalForm
from gachi.enterprises.operations import queue_import
from gachi.extensions import db
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import csrf_token, sign_in_directly

HEADER = "name,legal_form,categories,districts,description,contact\n"


def enterprise_names():
    return set(db.session.scalars(select(Enterprise.name)))


def import_enterprises(data, *, actor):
    """Upload `data` as `actor` and run its import job to the end, as the scheduler does."""
    job = queue_import(data, filename="enterprises.csv", locale="en", actor=actor, now=utcnow())
    db.session.commit()
    run_import_jobs(utcnow())
    return db.session.get(ImportJob, job.id)


def added(job):
    return sorted(line["text"] for line in job.added_lines)


def skipped(job):
    return [line["line"] for line in job.skipped_lines]


def enterprise(name):
    return db.session.scalars(select(Enterprise).where(Enterprise.name == name)).one()


def mixed_file():
    return b"".join(
        [
            b"\xef\xbb\xbf" + HEADER.encode(),
            "초록마을돌봄,사회적협동조합,돌봄;건강,은평구;서대문구,어르신 돌봄,02-123-4567\n".encode(),
            "트리플래닛,소셜벤처,environment,서울 전역,,\n".encode(),  # already in the directory
            "초록마을돌봄,협동조합,care,마포구,,\n".encode(),  # the same name again
            "반쪽기업,협동조합,care\n".encode(),  # too few fields
            '"닫히지 않은 따옴표,협동조합,care,마포구,,\n'.encode(),  # malformed
            "EUC-KR 기업,협동조합,care,마포구,,\n".encode("euc-kr"),  # not UTF-8
            "이상한기업,주식회사,care,마포구,,\n".encode(),  # unknown legal form
            "모르는분야,협동조합,우주,마포구,,\n".encode(),  # unknown category
            "모르는구,협동조합,care,해운대구,,\n".encode(),  # unknown district
            b"Seoul Food Co,social_venture,Food,Seoul-wide,,\r\n",
        ]
    )


def test_a_mixed_file_loads_the_good_lines_and_reports_every_other_line(make):
    staff = make.staff()
    make.enterprise(name="트리플래닛")
    job = import_enterprises(mixed_file(), actor=staff)

    assert added(job) == ["Seoul Food Co", "초록마을돌봄"]
    assert skipped(job) == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = {line["line"]: line["reason"] for line in job.skipped_lines}
    assert "already in the directory" in reasons[3]
    assert "also on line 2" in reasons[4]
    assert "fields" in reasons[5]
    assert "quotes" in reasons[6]
    assert "not UTF-8" in reasons[7]
    assert "legal form" in reasons[8]
    assert "category" in reasons[9]
    assert "district" in reasons[10]
    assert enterprise_names() == {"트리플래닛", "초록마을돌봄", "Seoul Food Co"}


def test_a_good_line_is_loaded_whole(make):
    import_enterprises(mixed_file(), actor=make.staff())
    green = enterprise("초록마을돌봄")
    assert green.legal_form is LegalForm.SOCIAL_COOPERATIVE
    assert [category.code for category in green.categories] == ["care", "health"]
    assert [district.value for district in green.districts] == ["eunpyeong", "seodaemun"]
    assert (green.contact, green.verified, green.source) == ("02-123-4567", False, "import")
    seoul = enterprise("Seoul Food Co")
    assert seoul.seoul_wide and seoul.districts == []


def test_a_file_without_a_usable_header_loads_nothing(make):
    with pytest.raises(DomainError, match="columns"):
        import_enterprises("이름,분야\n가,care\n".encode(), actor=make.staff())
    with pytest.raises(DomainError, match="empty"):
        import_enterprises(b"\xef\xbb\xbf\n\n", actor=make.staff())
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_korean_headers_are_understood(make):
    data = "이름,법인형태,분야,지역\n한글머리기업,마을기업,먹거리,관악\n".encode()
    assert added(import_enterprises(data, actor=make.staff())) == ["한글머리기업"]


KOREAN_EXCEL_FILE = (
    "이름,법인형태,분야,지역,소개,연락처\r\n"
    "초록마을돌봄,사회적협동조합,돌봄;건강,은평구;서대문구,어르신 돌봄,02-123-4567\r\n"
    "소녀방앗간,사회적기업,먹거리,서울 전역,,\r\n"
)


def test_a_file_saved_by_korean_excel_is_read_as_cp949(make):
    job = import_enterprises(KOREAN_EXCEL_FILE.encode("cp949"), actor=make.staff())
    assert added(job) == ["소녀방앗간", "초록마을돌봄"]
    assert (skipped(job), job.encoding) == ([], "CP949")
    green = enterprise("초록마을돌봄")
    assert [district.value for district in green.districts] == ["eunpyeong", "seodaemun"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_utf8_file_is_read_as_utf8_with_or_without_its_mark(make, bom):
    job = import_enterprises(bom + KOREAN_EXCEL_FILE.encode(), actor=make.staff())
    assert (job.added, skipped(job), job.encoding) == (2, [], "UTF-8")


def test_one_odd_line_in_a_cp949_file_is_refused_alone(make):
    data = KOREAN_EXCEL_FILE.encode("cp949") + b"\xff\xfe,,,,,\n"  # neither encoding
    job = import_enterprises(data, actor=make.staff())
    assert job.encoding == "CP949" and job.added == 2
    assert skipped(job) == [4]
    assert "not CP949" in job.skipped_lines[0]["reason"]


@pytest.mark.parametrize(
    "data",
    [
        KOREAN_EXCEL_FILE.encode("utf-16"),  # Excel's "유니코드 텍스트"
        KOREAN_EXCEL_FILE.encode("utf-16-le"),  # the same without its mark
        HEADER.encode() + b"\xff\xfe\xfd,\xff\xfe,care,\xff,,\n",  # bytes nothing reads
    ],
)
def test_a_file_in_another_encoding_is_refused_whole_in_korean(korean_client, make, data):
    sign_in_directly(korean_client, make.staff())
    response = upload(korean_client, data)
    assert response.status_code == 400
    assert "UTF-8도 CP949" in text_of(response)
    assert enterprise_names() == set()


def upload(client, data, filename="enterprises.csv", content_type="text/csv"):
    return client.post(
        "/staff/enterprises/import",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token(client, "/staff/enterprises/import"),
            "file": (io.BytesIO(data), filename, content_type),
        },
    )


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("enterprises.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("enterprises.csv", "image/png"),
    ],
)
def test_a_file_that_is_not_csv_is_refused(client, make, filename, content_type):
    signed_in(client, make.staff())
    response = upload(client, mixed_file(), filename, content_type)
    assert response.status_code == 400
    assert "Choose a CSV file" in text_of(response)
    assert enterprise_names() == set()


def test_a_file_too_large_is_refused(client, make, monkeypatch):
    # A smaller limit: the test client spools a body of megabytes to a file it never closes.
    monkeypatch.setattr("gachi.enterprises.operations.MAX_IMPORT_BYTES", 1024 * 1024 // 4)
    signed_in(client, make.staff())
    response = upload(client, HEADER.encode() + b"x" * (1024 * 1024 // 4 + 1))
    assert response.status_code == 400
    assert "too large" in text_of(response)


def test_only_staff_import(client, make):
    signed_in(client, make.coordinator(make.complex_()))
    assert upload(client, mixed_file()).status_code == 403
