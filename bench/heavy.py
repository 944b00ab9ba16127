"""The heavy pages of issue 16, in process: a complex's results, a programme's results
and the board's complexes export (XLSX and CSV), timed on cities of several sizes with
the sizes interleaved request by request (43, 430, 43, 430, ...), so a shared machine's
load falls on every size alike; the ratio of each size's p50 to the smallest's is the
figure that counts. Through Flask's test client (no gunicorn, no network): what the app
itself costs per request.

    .venv/bin/python -m bench.heavy --sizes 43,430 --requests 20   (or make bench-heavy)

Cities are those `make bench` (or `python -m bench.generate`) made,
instance/bench-<size>.sqlite3, or --city SIZE=URL. Figures computed ahead are made
first if a city has none.

The board's CPU per request (`time.process_time()`, bench/board_cpu.py) is measured on
the largest city, for the code now and, with `--before DIR` (a checkout of the code
before a change, e.g. `git worktree add --detach /tmp/before main` with the .venv
linked and `make translations` run there), for that code too: each in a fresh process,
in alternating rounds (before, now, before, now, ...), on the same city, so both meet
the same load.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bench.common import ROOT, STAFF_USERNAME, bench_app, sqlite_url

PAGES = {
    "results": "A complex's results",
    "programme": "A programme's results",
    "xlsx": "Board export complexes.xlsx",
    "csv": "Board export complexes.csv",
}


def _city(url):
    """(app, staff session token, {page: path}) of one generated city."""
    app = bench_app(url)  # first: it imports every model
    from gachi.auth.models import User
    from gachi.complexes.models import Cohort, Complex, Participation
    from gachi.extensions import db
    from gachi.kpi.queries import figures_state
    from gachi.kpi.refresh import refresh
    from gachi.programs.models import Program

    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id).order_by(Cohort.id))
        if figures_state(cohort_id) is None:
            refresh(cohort_id, full=True)
        complex_id = db.session.scalar(select(Complex.id).order_by(Complex.id))
        participation_id = db.session.scalar(
            select(Participation.id).where(Participation.complex_id == complex_id)
        )
        program_id = db.session.scalar(
            select(Program.id).where(Program.participation_id == participation_id).limit(1)
        )
        token = db.session.scalar(select(User).where(User.username == STAFF_USERNAME)).get_id()
        db.session.remove()
    board = f"/staff/cohorts/{cohort_id}/board"
    paths = {
        "results": f"/participations/{participation_id}/results",
        "programme": f"/programs/{program_id}/results",
        "xlsx": f"{board}/complexes.xlsx",
        "csv": f"{board}/complexes.csv",
    }
    return app, token, paths


def _get(app, token, path):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    started = time.perf_counter()
    response = client.get(path)
    body = response.get_data()
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed * 1000, len(body)


def measure(cities, requests, pages=tuple(PAGES), warmups=2):
    """{page: {size: [ms, ...]}}, the sizes interleaved request by request."""
    times = {page: {size: [] for size in cities} for page in pages}
    for page in pages:
        for round_ in range(warmups + requests):
            for size, (app, token, paths) in cities.items():
                ms, _ = _get(app, token, paths[page])
                if round_ >= warmups:
                    times[page][size].append(ms)
    return times


def _p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(times, sizes):
    smallest = sizes[0]
    lines = [
        f"| Page | Complexes | p50 ms | p95 ms | p50 ÷ p50 at {smallest} | n |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page in times:
        label = PAGES[page]
        base = statistics.median(times[page][smallest])
        for size in sizes:
            values = times[page][size]
            p50 = statistics.median(values)
            lines.append(
                f"| {label} | {size:,} | {p50:.1f} | {_p95(values):.1f} | "
                f"{p50 / base:.2f} | {len(values)} |"
            )
    return "\n".join(lines)


def board_cpu(url, roots, rounds=3, requests=50):
    """{label: [CPU ms per request, one per round]} for each {label: checkout}, each
    round a fresh process per checkout, the checkouts alternating."""
    script = Path(__file__).resolve().parent / "board_cpu.py"
    cpu = {label: [] for label in roots}
    for _round in range(rounds):
        for label, root in roots.items():
            command = [sys.executable, str(script), "--root", str(root), "--db", url]
            out = subprocess.run(
                [*command, "--requests", str(requests)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            cpu[label].append(json.loads(out.strip().splitlines()[-1])["cpu_ms"])
    return cpu


def board_report(cpu, size, requests):
    title = f"Board, CPU per request ({requests} requests a round)"
    lines = [
        f"| {title} | Complexes | median ms | rounds (ms) |",
        "|---|---:|---:|---|",
    ]
    for label, values in cpu.items():
        rounds = ", ".join(f"{value:.1f}" for value in values)
        lines.append(f"| {label} | {size:,} | {statistics.median(values):.1f} | {rounds} |")
    if "before" in cpu:
        ratios = [now / before for before, now in zip(cpu["before"], cpu["now"], strict=True)]
        lines.append(
            f"\nNow ÷ before: {statistics.median(cpu['now']) / statistics.median(cpu['before']):.2f}"
            f" (per round {min(ratios):.2f}–{max(ratios):.2f})"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="43,430", help="complexes, comma-separated")
    parser.add_argument("--city", action="append", default=[], help="SIZE=URL (else SQLite)")
    parser.add_argument("--requests", type=int, default=20, help="per page and size")
    parser.add_argument("--pages", default=",".join(PAGES), help=", ".join(PAGES))
    parser.add_argument("--before", help="a checkout of the code before, for the board's CPU")
    parser.add_argument("--board-rounds", type=int, default=3)
    parser.add_argument("--board-requests", type=int, default=50)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    urls = {size: sqlite_url(size) for size in sizes}
    for city in args.city:
        size, url = city.split("=", 1)
        urls[int(size)] = url
    cities = {size: _city(urls[size]) for size in sizes}
    pages = [page for page in args.pages.split(",") if page]
    print(report(measure(cities, args.requests, pages), sizes))
    roots = {"before": Path(args.before), "now": ROOT} if args.before else {"now": ROOT}
    cpu = board_cpu(urls[sizes[-1]], roots, args.board_rounds, args.board_requests)
    print()
    print(board_report(cpu, sizes[-1], args.board_requests))


if __name__ == "__main__":
    main()
