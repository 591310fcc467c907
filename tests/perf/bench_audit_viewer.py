"""Benchmark: the Admin tab's Audit trail over a trail of a million rows, against a bare
COUNT(*) of the trail in the same run.

    python -m tests.perf.bench_audit_viewer [--rows 1000000] [--runs 20]

Prints JSON. An encrypted store whose audit trail holds `--rows` chained rows (three users,
1,000 patients, one row in a thousand an export), written with append_many as the workstation
writes them, and one named Patient. Each figure is AuditTrail.page as the screen calls it
(the filter, the capped count, the first page of 500 with names, its own audit row and the
commit), as the auditor. Issue 17's target: the first page in under 200 ms at p95.
"""

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from app.clinical.audit_trail.viewer import AuditTrail, TrailQuery
from app.security.roles import Role
from app.security.session import Session
from app.store import audit_log as audit
from app.store.resources import put_resources
from tests.perf.bench_store import ms, open_store

AUDITOR = Session("bench-auditor", "Benchmark", Role.AUDITOR, datetime.now(UTC))
BATCH = 50_000
PATIENTS = 1000
NAMED = {"resourceType": "Patient", "id": "patient-7",
         "name": [{"family": "Conn", "given": ["Liz"]}], "birthDate": "1980-03-14"}
QUERIES = {"unfiltered": TrailQuery(), "by user": TrailQuery(user="nina"),
           "by patient name": TrailQuery(patient="Conn"),
           "by action (rare)": TrailQuery(action="export"),
           "by time (one day)": TrailQuery(since="2026-01-05", until="2026-01-05")}


def event(n: int) -> audit.Event:
    second = n * 2  # a row every two seconds: a million span about 23 days
    at = datetime.fromtimestamp(1767225600 + second, UTC).isoformat(timespec="microseconds")
    return audit.Event(at, ("drlee", "nina", "frank")[n % 3], "physician",
                       "export" if n % 1000 == 999 else "read", "success",
                       f"patient-{n % PATIENTS}", "Patient", "chart opened")


def fill(store, rows: int) -> float:
    began = time.perf_counter()
    with store.write() as conn:
        put_resources(conn, [NAMED], "bench", audit.now_text())
    for first in range(0, rows, BATCH):
        with store.write() as conn:
            audit.append_many(conn, [event(n) for n in range(first, min(first + BATCH, rows))])
    return time.perf_counter() - began


def timed(action, runs: int) -> tuple[list[float], object]:
    samples, answer = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answer = action()
        samples.append(time.perf_counter() - start)
    return samples, answer


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "audit", encrypted=True)
        try:
            built = fill(store, args.rows)

            def bare_count() -> int:
                with store.read() as conn:
                    return conn.exec_driver_sql("SELECT count(*) FROM audit").scalar_one()

            bare, counted = timed(bare_count, args.runs)
            trail, figures, said = AuditTrail(store), {}, {}
            for name, query in QUERIES.items():
                samples, page = timed(lambda q=query: trail.page(AUDITOR, q), args.runs)
                figures[name], said[name] = ms(samples), page.summary()
            first = trail.page(AUDITOR, TrailQuery())
            older, _ = timed(lambda: trail.page(AUDITOR, TrailQuery(), first.rows[-1], 501,
                                                (first.total, first.more_than)), args.runs)
        finally:
            store.close()
    worst = max(figures.values(), key=lambda f: f["p95"])
    return {"rows": args.rows, "build_s": round(built, 1), "bare_count_rows": counted,
            "baseline_bare_count_ms": ms(bare), "first_page_ms": figures,
            "older_page_ms": ms(older), "shown": said, "worst_first_page_p95_ms": worst["p95"],
            "ratios": {"worst_first_page_p95_over_bare_count_p95":
                       round(worst["p95"] / max(ms(bare)["p95"], 0.01), 1)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    json.dump(run(parser.parse_args(argv)), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
