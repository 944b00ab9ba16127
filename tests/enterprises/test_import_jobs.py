"""A long import runs as a job: the upload only checks the file and keeps it, the
scheduler's job imports it batch by batch, and the job's page shows how far it is and, at
the end, what was added, what was not and why."""

import csv
import io
import re
import threading
import unicodedata
from datetime import timedelta

from sqlalchemy import func, select

from gachi.core.audit import AuditEntry
from gachi.core.time import utcnow
from gachi.enterprises.jobs import STALE_CLAIM, claim_import, run_import_jobs
from gachi.enterprises.models import Enterprise, ImportJob, ImportStatus
from gachi.enterprises.operations import queue_import
from gachi.extensions import db
from gachi.scheduler import run_job
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import sign_in_directly
from tests.enterprises.test_import import HEADER, KOREAN_EXCEL_FILE, mixed_file, upload


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def a_long_file(lines=250, bad_every=50):
    """`lines` enterprises; every `bad_every`th has a legal form nobody knows."""
    rows = [HEADER]
    for number in range(1, lines + 1):
        form = "주식회사" if number % bad_every == 0 else "협동조합"
        rows.append(f"마을기업 {number:03d},{form},care,마포구,,\n")
    return "".join(rows).encode()


def job_id_of(response):
    assert response.status_code == 303
    return int(re.fullmatch(r".*/staff/imports/(\d+)", response.headers["Location"]).group(1))


def progress_of(page):
    return re.search(r'<progress[^>]*max="(\d+)" value="(\d+)"', page).groups()


def test_an_upload_is_kept_as_a_job_and_imported_batch_by_batch(client, make):
    signed_in(client, make.staff())
    response = upload(client, a_long_file())
    job_id = job_id_of(response)
    assert (count(Enterprise), count(ImportJob)) == (0, 1)  # the upload only kept the file

    page = client.get(f"/staff/imports/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page
    assert progress_of(page) == ("250", "0")
    assert "0 / 250 lines" in page and "waits for the scheduler" in page

    now = utcnow()
    assert run_import_jobs(now, max_batches=1) == 1
    page = client.get(f"/staff/imports/{job_id}").get_data(as_text=True)
    assert progress_of(page) == ("250", "100")
    assert "100 / 250 lines" in page and "98 added, 2 not added" in page
    assert '<meta http-equiv="refresh"' in page
    assert count(Enterprise) == 98

    assert run_import_jobs(now) == 2  # the two batches left
    page = text_of(client.get(f"/staff/imports/{job_id}"))
    assert '<meta http-equiv="refresh"' not in page
    assert progress_of(page) == ("250", "250")
    assert "The import is finished: 245 enterprises were added; 5 lines were not." in page
    assert count(Enterprise) == 245
    assert run_import_jobs(now) == 0  # nothing is imported twice


def test_the_page_says_which_lines_were_not_added_and_why(client, make):
    make.enterprise(name="트리플래닛")
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, mixed_file()))
    run_import_jobs(utcnow())

    page = text_of(client.get(f"/staff/imports/{job_id}"))
    assert "2 enterprises were added; 8 lines were not." in page
    assert "The file was read as UTF-8." in page
    rows = dict(re.findall(r'<tr class="error"><td>(\d+)</td><td>.*?</td><td>(.*?)</td>', page))
    assert sorted(map(int, rows)) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "already in the directory" in rows["3"]
    assert "not UTF-8" in rows["7"]
    assert "Unknown legal form" in rows["8"]
    assert "초록마을돌봄" in page and "Seoul Food Co" in page  # the enterprises added

    download = client.get(f"/staff/imports/{job_id}/skipped.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Line", "Text", "Reason"]
    assert [line[0] for line in lines[1:]] == ["3", "4", "5", "6", "7", "8", "9", "10"]
    assert "district" in lines[-1][2]


def test_the_reasons_are_written_in_the_uploaders_language(korean_client, make):
    sign_in_directly(korean_client, make.staff())
    job_id = job_id_of(
        upload(korean_client, HEADER.encode() + "가나,주식회사,care,마포구,,\n".encode())
    )
    run_import_jobs(utcnow())
    job = db.session.get(ImportJob, job_id)
    assert "알 수 없는 법인 형태" in job.outcomes[0]["reason"]
    assert "알 수 없는 법인 형태" in text_of(korean_client.get(f"/staff/imports/{job_id}"))


def test_a_korean_excel_file_is_imported_as_cp949(client, make):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, KOREAN_EXCEL_FILE.encode("cp949")))
    assert run_job("enterprises.imports", utcnow()) == "done"  # as the scheduler runs it
    page = text_of(client.get(f"/staff/imports/{job_id}"))
    assert "CP949" in page and "2 enterprises were added; 0 lines were not." in page
    assert set(db.session.scalars(select(Enterprise.name))) == {"초록마을돌봄", "소녀방앗간"}


def test_a_claimed_import_is_left_alone_until_its_claim_goes_stale(client, make):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, a_long_file(120)))
    now = utcnow()
    assert claim_import(job_id, "first", now)
    assert not claim_import(job_id, "second", now)
    assert run_import_jobs(now + timedelta(minutes=1), token="second") == 0
    assert count(Enterprise) == 0

    # The first run died without a word: once its claim is stale, another takes over.
    later = now + STALE_CLAIM + timedelta(seconds=1)
    assert run_import_jobs(later, token="second") == 2
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.lines_done, job.added, job.skipped) == (ImportStatus.DONE, 120, 118, 2)


def test_two_runners_at_once_import_each_line_once(app, client, make):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, a_long_file(250)))
    now = utcnow()
    start = threading.Barrier(2, timeout=30)
    batches = []

    def runner(token):
        with app.app_context():
            try:
                start.wait()
                batches.append(run_import_jobs(now, token=token))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(token,)) for token in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert sorted(batches) == [0, 3]
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.lines_done, job.added, len(job.outcomes)) == (
        ImportStatus.DONE,
        250,
        245,
        250,
    )
    assert count(Enterprise) == 245
    created = select(func.count()).where(AuditEntry.action == "enterprise.create")
    assert db.session.scalar(created) == 245


def test_an_error_midway_stops_the_import_and_keeps_the_batches_done(client, make, monkeypatch):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, a_long_file(250)))
    now = utcnow()
    run_import_jobs(now, max_batches=1)

    def broken(job, **_kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("gachi.enterprises.jobs.import_batch", broken)
    run_import_jobs(now)
    job = db.session.get(ImportJob, job_id)
    assert (job.status, job.lines_done, job.added) == (ImportStatus.FAILED, 100, 98)
    assert "disk is full" in job.error
    page = text_of(client.get(f"/staff/imports/{job_id}"))
    assert "stopped because of an error after 100 lines" in page
    assert '<meta http-equiv="refresh"' not in page
    assert count(Enterprise) == 98


def test_a_file_that_cannot_be_read_is_refused_at_upload_and_leaves_no_job(korean_client, make):
    sign_in_directly(korean_client, make.staff())
    response = upload(korean_client, "이름,분야\n가,care\n".encode())
    assert response.status_code == 400
    assert "첫 줄" in text_of(response)
    response = upload(korean_client, KOREAN_EXCEL_FILE.encode("utf-16"))
    assert response.status_code == 400
    assert "UTF-8도 CP949" in text_of(response)
    assert (count(ImportJob), count(Enterprise)) == (0, 0)


def test_only_staff_start_or_watch_an_import(client, make):
    staff = make.staff()
    signed_in(client, staff)
    job_id = job_id_of(upload(client, a_long_file(10)))
    run_import_jobs(utcnow())
    for person in (make.coordinator(make.complex_()), make.partner(make.enterprise())):
        signed_in(client, person)
        assert upload(client, a_long_file(10)).status_code == 403
        assert client.get(f"/staff/imports/{job_id}").status_code == 403
        assert client.get(f"/staff/imports/{job_id}/skipped.csv").status_code == 403
    assert count(ImportJob) == 1


def test_the_import_page_lists_recent_imports(client, make):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, a_long_file(10, bad_every=5), filename="마포구 기업.csv"))
    run_import_jobs(utcnow())
    page = text_of(client.get("/staff/enterprises/import"))
    assert f'href="/staff/imports/{job_id}">마포구 기업.csv</a>' in page
    assert "Finished" in page and "8 added, 2 not added" in page


def test_the_file_name_is_kept_as_plain_text(make):
    job = queue_import(
        a_long_file(1),
        filename=unicodedata.normalize("NFD", " 마포구\x07 기업.csv "),
        locale="en",
        actor=make.staff(),
        now=utcnow(),
    )
    assert job.filename == "마포구 기업.csv"


def test_an_import_nobody_starts_says_the_scheduler_is_not_running(client, make):
    signed_in(client, make.staff())
    job_id = job_id_of(upload(client, a_long_file(10)))
    warning = "No scheduler has started this import for over a minute"
    assert warning not in text_of(client.get(f"/staff/imports/{job_id}"))

    job = db.session.get(ImportJob, job_id)
    job.created_at -= timedelta(minutes=2)
    db.session.commit()
    assert warning in text_of(client.get(f"/staff/imports/{job_id}"))
    run_import_jobs(utcnow())
    assert warning not in text_of(client.get(f"/staff/imports/{job_id}"))
