"""The scheduler as it runs beside gunicorn, with its kpi.refresh job only (every
30 seconds, each run claimed in job_runs): the bench's figures stay under a minute behind
while it measures, and the job's runs (job_runs) say how long each took.

    .venv/bin/python bench/refresher.py --db sqlite:///instance/bench-430.sqlite3

The other jobs (reminders, waiting lists, ballots) are left out: their work is not
what the bench measures. Stopped with SIGTERM.
"""

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    from gachi.scheduler import build_scheduler

    app = bench_app(args.db)
    scheduler = build_scheduler(app, blocking=True)
    for job in scheduler.get_jobs():
        if job.id != "kpi.refresh":
            job.remove()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    scheduler.start()


if __name__ == "__main__":
    main()
