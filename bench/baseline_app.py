"""The baseline the app is measured against: a minimal Flask app on the same database.

    BENCH_DATABASE_URL=... BENCH_AGGREGATE=/path/aggregate.json gunicorn bench.baseline_app:app

POST /insert does one INSERT into a scratch table (bench_scratch, made by bench/run.py);
GET /aggregate runs the board's own aggregate statement (the cohort totals, captured
from the app by bench/run.py, with its parameters) straight on the driver: no ORM, no
template, no session. Same SQLite settings as the app (WAL, synchronous NORMAL, a busy
timeout), so the difference is the app's own work.
"""

import json
import os
from datetime import UTC, datetime

from flask import Flask, jsonify
from sqlalchemy import create_engine, event, text

from bench.common import driver_url

app = Flask(__name__)


def _engine(url):
    if url.startswith(("postgres://", "postgresql://")):
        return create_engine(driver_url(url), pool_size=5)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def _decoded(value):
    if isinstance(value, dict) and "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    return value


def _aggregate():
    with open(os.environ["BENCH_AGGREGATE"], encoding="utf-8") as source:
        captured = json.load(source)
    parameters = captured["parameters"]
    if isinstance(parameters, dict):
        return captured["statement"], {key: _decoded(value) for key, value in parameters.items()}
    return captured["statement"], tuple(_decoded(value) for value in parameters)


engine = _engine(os.environ["BENCH_DATABASE_URL"])
AGGREGATE_SQL, AGGREGATE_PARAMETERS = _aggregate()


@app.post("/insert")
def insert_one():
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO bench_scratch (body, created_at) VALUES (:body, :at)"),
            {"body": "baseline", "at": datetime.now(UTC).isoformat()},
        )
    return "", 204


@app.get("/aggregate")
def aggregate():
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(AGGREGATE_SQL, AGGREGATE_PARAMETERS).all()
    return jsonify({"rows": len(rows), "first": [str(value) for value in rows[0]]})
