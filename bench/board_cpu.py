"""The board's CPU per request, in process: a staff member's GET of a cohort's board
through Flask's test client, `time.process_time()` over many requests (after a few to
warm up), as JSON on stdout.

It runs against the code of any checkout (`--root`), so `bench/heavy.py --before DIR`
can time the code before a change and the code now on the same city, each in a fresh
process, in alternating rounds:

    .venv/bin/python bench/board_cpu.py --db sqlite:///instance/bench-4300.sqlite3
    .venv/bin/python bench/board_cpu.py --root /tmp/before --db ... --requests 50
    .venv/bin/python bench/board_cpu.py --db ... --profile   (cProfile's top 40)
"""

import argparse
import json
import sys
import time
from pathlib import Path


def _setup(root, url):
    sys.path.insert(0, str(root))
    from sqlalchemy import select

    from bench.common import STAFF_USERNAME, bench_app

    app = bench_app(url)  # first: it imports every model
    from gachi.auth.models import User
    from gachi.complexes.models import Cohort
    from gachi.extensions import db
    from gachi.kpi.queries import figures_state
    from gachi.kpi.refresh import refresh

    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id).order_by(Cohort.id))
        if figures_state(cohort_id) is None:
            refresh(cohort_id, full=True)
        token = db.session.scalar(select(User).where(User.username == STAFF_USERNAME)).get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client, f"/staff/cohorts/{cohort_id}/board"


def _get(client, path):
    response = client.get(path)
    body = response.get_data()
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return len(body)


def measure(client, path, requests, warmups):
    for _ in range(warmups):
        _get(client, path)
    wall, cpu = time.perf_counter(), time.process_time()
    size = 0
    for _ in range(requests):
        size = _get(client, path)
    return {
        "cpu_ms": (time.process_time() - cpu) * 1000 / requests,
        "wall_ms": (time.perf_counter() - wall) * 1000 / requests,
        "bytes": size,
        "requests": requests,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--db", required=True, help="the city's database URL")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--path", default=None, help="another page than the board")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    client, path = _setup(Path(args.root).resolve(), args.db)
    path = args.path or path
    if args.profile:
        import cProfile
        import pstats

        for _ in range(args.warmups):
            _get(client, path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            _get(client, path)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        return
    import gachi

    figures = measure(client, path, args.requests, args.warmups)
    print(json.dumps({**figures, "code": str(Path(gachi.__file__).parent.parent)}))


if __name__ == "__main__":
    main()
