"""The benchmark's table: machine, versions, date, figures and the issue's goals."""

import os
import platform
import sqlite3
import statistics
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.common import BENCH_DIR, database_kind

BOARD_GOAL_MS = 100
CITY = 4300
NAMES = {
    "board": "Center board (staff)",
    "api": "KPI API, cohort results",
    "complex": "A complex's page (staff)",
    "home": "A resident's home",
}


def _ms(value):
    return "–" if value is None else f"{value:,.1f}"


def _ratio(numerator, denominator):
    return "–" if not numerator or not denominator else f"{numerator / denominator:,.2f}"


def machine():
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} CPUs (nproc), {memory_kib / 1024 / 1024:.1f} GiB memory, {model}"


def versions(url):
    parts = [
        f"Python {platform.python_version()}",
        f"Flask {version('flask')}",
        f"SQLAlchemy {version('sqlalchemy')}",
        f"gunicorn {version('gunicorn')}",
    ]
    if database_kind(url) == "sqlite":
        parts.append(f"SQLite {sqlite3.sqlite_version}")
    else:
        import psycopg

        with psycopg.connect(url) as connection:
            parts.append(f"PostgreSQL {connection.execute('SHOW server_version').fetchone()[0]}")
        parts.append(f"psycopg {version('psycopg')}")
    return ", ".join(parts)


def _generation(results):
    lines = ["| Complexes | Rows | Generation (s) |", "|---:|---:|---:|"]
    for result in results:
        generated = result["generated"]
        lines.append(
            f"| {result['size']:,} | {generated['rows']:,} | {generated['seconds']:.1f} |"
            if generated
            else f"| {result['size']:,} | (reused) | – |"
        )
    return lines


def _reads(results):
    lines = [
        (
            "| Complexes | Page | p50 ms | p95 ms | bare aggregate p50 / p95 ms | ratio p50 | "
            "ratio p95 | queries | n |"
        ),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        runs, baseline = result["runs"], result["runs"]["aggregate"]
        for name in ("board", "api", "complex", "home"):
            if name not in runs:
                continue
            run = runs[name]
            compare = name in ("board", "api")
            lines.append(
                f"| {result['size']:,} | {NAMES[name]} | {_ms(run.p50)} | {_ms(run.p95)} | "
                + (
                    f"{_ms(baseline.p50)} / {_ms(baseline.p95)} | {_ratio(run.p50, baseline.p50)} | "
                    f"{_ratio(run.p95, baseline.p95)}"
                    if compare
                    else "– | – | –"
                )
                + f" | {result['queries'][name]} | {len(run.latencies)} |"
            )
    return lines


def _query_counts(results):
    sizes = [result["size"] for result in results]
    lines = [
        "| Page | " + " | ".join(f"{size:,} complexes" for size in sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in NAMES:
        lines.append(
            f"| {NAMES[name]} | "
            + " | ".join(str(result["queries"][name]) for result in results)
            + " |"
        )
    return lines


def _refresh(results):
    lines = [
        (
            "| Complexes | Full refresh s (rows written) | Job, nothing changed s | "
            "Job runs while measuring | Job s, max | Complexes recomputed per run, max |"
        ),
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        refresh = result["refresh"]
        runs = refresh["runs"]
        longest = max((seconds for seconds, _detail in runs), default=None)
        recomputed = max((_recomputed(detail) for _seconds, detail in runs), default=None)
        lines.append(
            f"| {result['size']:,} | {refresh['full_seconds']:,.1f} "
            f"({refresh['full_rows']:,}) | {refresh['again_seconds']:,.1f} | {len(runs)} | "
            f"{'–' if longest is None else f'{longest:,.1f}'} | "
            f"{'–' if recomputed is None else recomputed} |"
        )
    return lines


def _recomputed(detail):
    """job_runs.detail is "cohort:recomputed/seconds …" (gachi.kpi.refresh.refresh_all)."""
    counts = [int(part.split(":")[1].split("/")[0]) for part in detail.split() if "/" in part]
    return max(counts, default=0)


WRITE_GOAL = 0.33
WRITE_LABELS = {
    "vote": "Cast a vote",
    "book": "Book a seat",
    "wait": "Book a full session (waiting list)",
}


def ratio_of(run, bare):
    """The app run's requests/s over its bare INSERT run's (0 when either did nothing)."""
    if not run.per_second or not bare.per_second:
        return 0.0
    return run.per_second / bare.per_second


def write_ratios(rounds, kind):
    return [ratio_of(measured[kind], measured[f"{kind}_insert"]) for measured in rounds]


def _pooled(rounds, kind):
    from bench.load import Run

    pooled = Run()
    for measured in rounds:
        pooled.latencies += measured[kind].latencies
        for status, count in measured[kind].failures.items():
            pooled.failures[status] = pooled.failures.get(status, 0) + count
        pooled.seconds += measured[kind].seconds
    return pooled


def _writes(result):
    rounds = result.get("write_rounds")
    if not rounds:
        return ["Not measured in this run (--reads-only)."]
    size = result["size"]
    lines = [
        (
            f"Each round, every kind's run (32 clients, {size:,} complexes) beside a run of "
            "the bare INSERT (A B in even rounds, B A in odd ones); requests/s, and the "
            "ratio to the bare run beside it."
        ),
        "",
        "| Round | "
        + " | ".join(f"{WRITE_LABELS[kind]} /s (bare /s, ratio)" for kind in WRITE_LABELS)
        + " |",
        "|---:|" + "---:|" * len(WRITE_LABELS),
    ]
    for number, measured in enumerate(rounds, start=1):
        lines.append(
            f"| {number} | "
            + " | ".join(
                f"{measured[kind].per_second or 0:,.0f} "
                f"({measured[kind + '_insert'].per_second or 0:,.0f}, "
                f"{ratio_of(measured[kind], measured[kind + '_insert']):.2f}×)"
                for kind in WRITE_LABELS
            )
            + " |"
        )
    lines += [
        "",
        (
            "| Action | ratio, median of rounds | spread (min–max) | p50 ms | p95 ms | samples | "
            "refused | bare INSERT p50 / p95 ms |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, label in WRITE_LABELS.items():
        ratios = write_ratios(rounds, kind)
        run, bare = _pooled(rounds, kind), _pooled(rounds, f"{kind}_insert")
        refused = ", ".join(f"{count}×{status}" for status, count in run.failures.items()) or "0"
        lines.append(
            f"| {label} | {statistics.median(ratios):.2f}× | {min(ratios):.2f}–{max(ratios):.2f} | "
            f"{_ms(run.p50)} | {_ms(run.p95)} | {len(run.latencies)} | {refused} | "
            f"{_ms(bare.p50)} / {_ms(bare.p95)} |"
        )
    return lines


def refresh_interval_seconds():
    """The scheduler's own interval for kpi.refresh (gachi/scheduler.py)."""
    from gachi.scheduler import JOBS_BY_ID

    return JOBS_BY_ID["kpi.refresh"].every.total_seconds()


def goals(results):
    largest = results[-1]
    at = (
        f"at {CITY:,} complexes"
        if largest["size"] >= CITY
        else f"at {largest['size']:,} complexes only ({CITY:,} not measured in this run)"
    )
    lines = []
    for name, label in (("board", "Board"), ("api", "KPI API (cohort results)")):
        p95 = largest["runs"][name].p95
        lines.append(
            f"- {label} p95 < {BOARD_GOAL_MS} ms {at}: {_ms(p95)} ms — "
            + ("holds" if p95 is not None and p95 < BOARD_GOAL_MS else "does NOT hold")
        )
    refresh = largest["refresh"]
    longest = max((seconds for seconds, _detail in refresh["runs"]), default=None)
    if longest is None:
        lines.append(
            "- Figures a minute behind the data: the refresh job did not run while "
            "measuring — not shown"
        )
    else:
        every = refresh_interval_seconds()
        oldest = every + longest
        lines.append(
            f"- Figures a minute behind the data {at}: the refresh job runs every {every:.0f} s "
            f"and took at most {longest:,.1f} s ({len(refresh['runs'])} runs while measuring"
            + (
                ", the last one taking in the votes and bookings"
                if largest.get("write_rounds")
                else ""
            )
            + f"), so the board's figures are at most "
            f"{oldest:,.0f} s old; a full refresh (every complex) takes "
            f"{refresh['full_seconds']:,.1f} s — " + ("holds" if oldest <= 60 else "does NOT hold")
        )
    rounds = largest.get("write_rounds") or []
    for kind, label in WRITE_LABELS.items() if rounds else ():
        ratios = write_ratios(rounds, kind)
        share = statistics.median(ratios)
        lines.append(
            f"- {label} ≥ {WRITE_GOAL:.2f}× the bare INSERT, interleaved (issue 16): median "
            f"{share:.2f}× over {len(ratios)} rounds ({min(ratios):.2f}–{max(ratios):.2f}) — "
            + ("holds" if share >= WRITE_GOAL else "does NOT hold")
        )
    growing = [
        NAMES[name] for name in NAMES if len({result["queries"][name] for result in results}) > 1
    ]
    lines.append(
        "- Query counts do not grow with the data: "
        + ("holds" if not growing else "does NOT hold (" + ", ".join(growing) + ")")
        + (" (only one size measured)" if len(results) == 1 else "")
    )
    return lines


def markdown(results, url, workers):
    largest = results[-1]
    now = datetime.now(UTC)
    kind = database_kind(url)
    lines = [
        f"# gachi benchmark, {kind}, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions(url)}",
        f"- App: gunicorn, {workers} sync workers, 127.0.0.1; baseline: bench/baseline_app.py, the same",
        (
            "- Latencies: one client, requests one after another (after 2 warm-up requests); "
            "writes: 32 client threads, each kind interleaved with the bare INSERT. "
            "Query counts: the SQLAlchemy cursor event, in process."
        ),
        "",
        "## Generation",
        "",
        *_generation(results),
        "",
        "## Reads",
        "",
        *_reads(results),
        "",
        "## Queries per page",
        "",
        *_query_counts(results),
        "",
        "## Figures computed ahead (the kpi.refresh job)",
        "",
        *_refresh(results),
        "",
        "## Writes",
        "",
        *_writes(largest),
        "",
        "## Memory",
        "",
        (
            f"- Peak RSS (VmHWM) of one app worker: {_ms(largest.get('peak_rss_mb'))} MiB "
            f"(baseline worker: {_ms(largest.get('baseline_rss_mb'))} MiB)"
        ),
        "",
        "## Goals (issues 7 and 16)",
        "",
        *goals(results),
        "",
        "## Why",
        "",
        *why(results),
        "",
    ]
    return "\n".join(lines)


def save(text, url, suffix=""):
    folder = BENCH_DIR / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y-%m-%d}-{database_kind(url)}{suffix}.md"
    path.write_text(text, encoding="utf-8")
    return path


def why(results):
    """What the figures above come from (the parts a run cannot measure are said so)."""
    largest = results[-1]
    refresh = largest["refresh"]
    return [
        (
            "- The board, its exports and the KPI API read figures computed ahead "
            "(gachi/kpi/refresh.py): per complex and KPI a numerator and a denominator, and "
            "their roll-ups for the cohort, each district and each problem category, so a "
            "board page is a handful of small indexed reads whatever the size of the city; "
            "the reads' query counts above stay the same from size to size."
        ),
        (
            f"- Computing them from nothing costs {refresh['full_seconds']:,.1f} s at "
            f"{largest['size']:,} complexes (one GROUP BY per measure over the whole city). The "
            "scheduled job reads only the complexes whose rows changed since the last run "
            "(database triggers note each written row's parent in kpi_changes) and those with "
            f"a session that began or ended: {refresh['again_seconds']:,.1f} s with nothing "
            "changed (reading the stored figures and adding them up again), a little more "
            "per changed complex. Every complex is read anew once an hour."
        ),
        (
            "- On SQLite the job reads in a deferred transaction and writes only the rows "
            "that differ in one short transaction, so votes and bookings are not held up by it "
            "for more than that write."
        ),
        (
            "- Votes and bookings: see the write table. Each costs a few milliseconds of Python "
            "(the signed-in user and session, CSRF, the ballot or session with what its "
            "permission check reads, the form, the ORM's writes; a vote renders nothing, its "
            "receipt is shown by the GET it redirects to, not timed here, as the booking's page "
            "is not) against a "
            "fraction of a millisecond for the bare INSERT; the database's share is small and "
            "the figures' refresh takes none of it. On SQLite they load and check before they "
            "take the write lock (gachi/core/db.py, reads_first), so the workers queue only for "
            "each other's INSERTs."
        ),
    ]
