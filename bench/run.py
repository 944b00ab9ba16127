"""The city-scale benchmark: generate, serve with gunicorn on loopback, measure, report.

    .venv/bin/python bench/run.py --db sqlite --sizes 43,430
    .venv/bin/python bench/run.py --db postgresql://postgres@127.0.0.1:5432/gachi_bench --sizes 430

For every size: a city is generated (SQLite: instance/bench-<size>.sqlite3; PostgreSQL:
the given database, its schema dropped and made again), its KPI figures are computed
ahead (a full refresh, timed, then the refresh job with nothing changed, timed), the
app and the baseline app (bench/baseline_app.py) are started under gunicorn (--workers
sync workers each, 2 by default; free ports on 127.0.0.1) with the scheduler's kpi.refresh
job beside them (bench/refresher.py, every 30 seconds, its runs reported), and the board
and the KPI API are timed against the bare aggregate (the longest statement the API
runs). At the largest size also: a complex's page and a resident's home; votes, bookings
and bookings on full sessions (the waiting list) from 32 concurrent clients, each run
interleaved with a run of the baseline's bare INSERT for --rounds rounds (the ratio per
round, its median and spread; see writes()); a worker's peak memory, and the refresh
job's run that takes in those writes.
Each run stops by itself (a number of requests or some seconds). The table is printed
and written to bench/results/<date>-<db>.md.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import UTC

from bench import generate, load, report
from bench.common import (
    PASSWORD,
    ROOT,
    SECRET_KEY,
    STAFF_TOTP_SECRET,
    STAFF_USERNAME,
    database_kind,
    driver_url,
    sqlite_url,
)
from bench.probe import (
    probe,
    refresh_runs,
    time_refresh,
    wait_for_refresh_run,
    write_aggregate,
)

CLIENTS = 32
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL")
    parser.add_argument("--sizes", default="43,430", help="complexes, comma-separated")
    parser.add_argument("--residents", type=int, default=150)
    parser.add_argument("--requests", type=int, default=40, help="per latency run")
    parser.add_argument("--seconds", type=float, default=20, help="per latency run")
    parser.add_argument(
        "--write-requests", type=int, default=1000, help="per write run of the app, per round"
    )
    parser.add_argument(
        "--write-seconds", type=float, default=5, help="per write run (app or bare), per round"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="write rounds, each kind beside a bare INSERT run"
    )
    parser.add_argument(
        "--app-root",
        default=str(ROOT),
        help="the checkout whose app gunicorn serves (e.g. one of main, to measure before "
        "a change with the same bench); the city is made by this one's code",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="sync workers of each gunicorn, the app's and the baseline's alike "
        "(the README deploys 4)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an already generated city of that size (SQLite: its file; "
        "PostgreSQL: the database, when it holds that many complexes)",
    )
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="measure the board and the API only (results file ...-reads.md)",
    )
    return parser.parse_args(argv)


# Servers --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


class Server:
    """A gunicorn master with `workers` sync workers on 127.0.0.1, stopped by its own pid."""

    def __init__(self, app_path, env, ready_path, workers, root=ROOT):
        self.port, self.workers = free_port(), workers
        # A file, not a pipe: a pipe nobody reads fills up and stops the workers mid-run.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "--chdir",
                str(root),
                app_path,
            ],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self._wait(ready_path)

    def log_tail(self, size=2000):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def _wait(self, path, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log_tail())
            try:
                status, _, _ = load.Client(self.port, timeout=30).request("GET", path)
                if status < 500 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn on port {self.port} did not answer in {seconds} s")

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def peak_rss_mb(self):
        """The largest VmHWM (peak resident set) of the workers, in MiB."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def make_scratch_table(url):
    from sqlalchemy import create_engine, text

    if database_kind(url) == "sqlite":
        ddl = (
            "CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, "
            "body VARCHAR(100) NOT NULL, created_at VARCHAR(40) NOT NULL)"
        )
    else:
        ddl = (
            "CREATE TABLE IF NOT EXISTS bench_scratch (id SERIAL PRIMARY KEY, "
            "body VARCHAR(100) NOT NULL, created_at VARCHAR(40) NOT NULL)"
        )
    engine = create_engine(driver_url(url))
    with engine.begin() as connection:
        connection.execute(text(ddl))
    engine.dispose()


# Runs -----------------------------------------------------------------------------------


def signed_in(port, username):
    client = load.Client(port)
    client.sign_in(username, PASSWORD, totp_secret=STAFF_TOTP_SECRET)
    return client


def reads(app, baseline, found, args, everything):
    staff = signed_in(app.port, STAFF_USERNAME)
    bounds = {"count": args.requests, "seconds": args.seconds}
    runs = {
        "board": load.sequential(staff, found.paths["board"], **bounds),
        "api": load.sequential(load.Client(app.port), found.paths["api"], **bounds),
        "aggregate": load.sequential(load.Client(baseline.port), "/aggregate", **bounds),
    }
    if everything:
        runs["complex"] = load.sequential(staff, found.paths["complex"], **bounds)
        resident = signed_in(app.port, found.resident_username)
        runs["home"] = load.sequential(resident, found.paths["home"], **bounds)
    return runs


WRITE_KINDS = ("vote", "book", "wait")  # "wait": a booking on a full session


def writes(app, baseline, found, args):
    """Each write kind interleaved with its bare baseline, A B A B: for `--rounds` rounds,
    every kind's run next to a run of the bare INSERT (A first in even rounds, B first in
    odd ones, so that a drift of the shared machine weighs on both alike). Each round gives
    a ratio per kind; the latencies of all rounds are pooled for p50/p95.

    Votes and bookings are timed the same way: the POST, up to its answer (a redirect, or
    the receipt page where the vote renders it), not the page the browser GETs after it.
    Every client votes once per ballot and books once per session; its place in the
    fixtures carries over from round to round."""
    residents = [signed_in(app.port, f"r1-{number}") for number in range(CLIENTS)]
    baseline_clients = [load.Client(baseline.port) for _ in range(CLIENTS)]
    bounds = {"count": args.write_requests, "seconds": args.write_seconds}
    sent = {kind: dict.fromkeys(map(id, residents), 0) for kind in WRITE_KINDS}

    def _next(kind, client, fixtures):
        number = sent[kind][id(client)]
        if number >= len(fixtures):
            return None
        sent[kind][id(client)] = number + 1
        return fixtures[number]

    def vote(client, _number):
        fixture = _next("vote", client, found.write_ballots)
        if fixture is None:
            return None
        ballot_id, option_id = fixture
        status, _, elapsed = client.post(f"/ballots/{ballot_id}/vote", {"choices": option_id})
        return status in (200, 302, 303), status, elapsed

    def booking(kind, fixtures):
        def book(client, _number):
            session_id = _next(kind, client, fixtures)
            if session_id is None:
                return None
            status, _, elapsed = client.post(
                f"/sessions/{session_id}/book",
                {"party_size": 1, "dependants": "", "request_key": uuid.uuid4().hex},
            )
            return status in (302, 303), status, elapsed

        return book

    def insert(client, _number):
        status, _, elapsed = client.request("POST", "/insert", {})
        return status == 204, status, elapsed

    senders = {
        "vote": vote,
        "book": booking("book", found.write_sessions),
        "wait": booking("wait", found.full_sessions),
    }
    rounds = []
    for number in range(args.rounds):
        measured = {}
        for kind in WRITE_KINDS:
            order = ("app", "bare") if number % 2 == 0 else ("bare", "app")
            for side in order:
                if side == "app":
                    measured[kind] = load.concurrent(residents, senders[kind], **bounds)
                else:
                    measured[f"{kind}_insert"] = load.concurrent(
                        baseline_clients, insert, count=10**9, seconds=args.write_seconds
                    )
        rounds.append(measured)
        print(
            f"  round {number + 1}: "
            + ", ".join(
                f"{kind} {measured[kind].per_second or 0:,.0f}/s "
                f"(bare {measured[kind + '_insert'].per_second or 0:,.0f}/s, "
                f"{report.ratio_of(measured[kind], measured[kind + '_insert']):.2f}×)"
                for kind in WRITE_KINDS
            ),
            flush=True,
        )
    return rounds


class Refresher:
    """bench/refresher.py: the scheduler's kpi.refresh job every 30 seconds, as beside gunicorn."""

    def __init__(self, url):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "refresher.py"), "--db", url],
            env={**os.environ, "SECRET_KEY": SECRET_KEY},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=120)  # a refresh under way finishes first
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def measure(url, size, args, everything):
    from datetime import datetime

    print(f"Refreshing the figures of {size} complexes ...", flush=True)
    refreshed = time_refresh(url)
    print(
        f"  full refresh {refreshed['full_seconds']:.1f} s ({refreshed['full_rows']:,} rows), "
        f"then {refreshed['again_seconds']:.1f} s with nothing changed",
        flush=True,
    )
    found = probe(url)
    make_scratch_table(url)
    started = datetime.now(UTC)
    refresher = Refresher(url)
    with tempfile.TemporaryDirectory() as scratch:
        aggregate_path = Path(scratch) / "aggregate.json"
        write_aggregate(found, aggregate_path)
        app = Server(
            "wsgi:app",
            {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "GACHI_CONFIG": "development"},
            "/login",
            args.workers,
            root=Path(args.app_root),
        )
        baseline = Server(
            "bench.baseline_app:app",
            {"BENCH_DATABASE_URL": url, "BENCH_AGGREGATE": str(aggregate_path)},
            "/aggregate",
            args.workers,
        )
        try:
            result = {
                "size": size,
                "queries": found.query_counts,
                "runs": reads(app, baseline, found, args, everything),
            }
            if everything and not args.reads_only:
                print("Writes, interleaved with the bare INSERT ...", flush=True)
                result["write_rounds"] = writes(app, baseline, found, args)
                result["peak_rss_mb"] = app.peak_rss_mb()
                result["baseline_rss_mb"] = baseline.peak_rss_mb()
                # How far behind the board falls: the job's run that takes in the writes.
                print("Waiting for the refresh job to take in the writes ...", flush=True)
                if not wait_for_refresh_run(
                    url, datetime.now(UTC), seconds=2 * report.refresh_interval_seconds() + 120
                ):
                    print("  no run finished in time; the table shows the runs before", flush=True)
        finally:
            app.stop()
            baseline.stop()
            refresher.stop()
    result["refresh"] = {**refreshed, "runs": refresh_runs(url, started)}
    return result


def complexes_in(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(driver_url(url))
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM complexes"))
    except Exception:  # no city there yet  # nosec B110
        return None
    finally:
        engine.dispose()


def city(args, size):
    url = args.db if database_kind(args.db) == "postgresql" else sqlite_url(size)
    path = Path(url.removeprefix("sqlite:///")) if database_kind(url) == "sqlite" else None
    if args.reuse and (path.exists() if path is not None else complexes_in(url) == size):
        print(f"Reusing the city of {size} complexes at {path or url}")
        return url, None
    seconds, counts = generate.main(
        ["--complexes", str(size), "--db", url, "--residents", str(args.residents)]
    )
    return url, {"seconds": seconds, "rows": sum(counts.values())}


def main(argv=None):
    args = parse_args(argv)
    if database_kind(args.db) == "sqlite" and args.db != "sqlite":
        sys.exit("--db takes 'sqlite' or a postgresql:// URL")
    sizes = sorted(int(size) for size in args.sizes.split(","))
    results = []
    for size in sizes:
        url, generated = city(args, size)
        print(f"Measuring {size} complexes ...", flush=True)
        result = measure(url, size, args, everything=size == sizes[-1])
        result["generated"] = generated
        results.append(result)
    text = report.markdown(results, args.db, args.workers)
    print(text)
    path = report.save(text, args.db, "-reads" if args.reads_only else "")
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
