"""Benchmark: clinic reports over a year of visits, against a bare SQL count of the same
rows in the same run.

    python -m tests.perf.bench_reports [--visits 100000] [--runs 5]

Prints JSON. An encrypted store holding `--visits` finished Encounters spread evenly over
one year (20 providers, 4 visit types, 5,000 patients), written straight into the store as
a sync would (put_resources), with as many Appointments. Each visit report runs over the
whole year, so it counts every row; the no-show rate counts every appointment. The
baseline is `SELECT count(*)` of the same Encounters, which reads the rows but no JSON;
`index_count_ms` counts the entries of the reports' index (schema v14) alone.
Issue 16's target: a report over 100,000 visits in at most 1 s.
"""

import argparse
import json
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from app.clinical.reports.catalogue import ClinicReports
from app.clinical.reports.table import Period
from app.store import audit_log as audit
from app.store.resources import put_resources
from app.store.schema.v14 import VISIT_START, VISIT_TOOK_PLACE
from tests.perf.bench_store import CLINICIAN, ms, open_store

FIRST = date(2025, 1, 1)
DAYS = 365
PROVIDERS, TYPES, PATIENTS = 20, ("Check-up", "Follow-up", "Walk-in", "New patient"), 5000
REPORTS = ("visits-per-day", "visits-per-week", "new-patients", "no-show-rate")
BARE_COUNT = "SELECT count(*) FROM resource WHERE type = 'Encounter' AND deleted = 0"
INDEX_COUNT = ("SELECT count(*) FROM resource INDEXED BY visit_by_start WHERE "
               f"{VISIT_TOOK_PLACE} AND {VISIT_START} >= '2000-01-01'")  # its entries alone
BATCH = 10_000


def visit(n: int, visits: int) -> tuple[dict, dict]:
    """The nth visit of the year and its appointment."""
    start = (datetime.combine(FIRST, datetime.min.time()).astimezone()
             + timedelta(days=n * DAYS // visits, hours=8 + n % 9, minutes=n % 60))
    when, doctor = start.isoformat(timespec="seconds"), n % PROVIDERS
    patient = {"reference": f"Patient/patient-{n % PATIENTS}"}
    encounter = {"resourceType": "Encounter", "id": f"visit-{n}", "status": "finished",
                 "class": {"code": "AMB"}, "type": [{"text": f"{TYPES[n % 4]} visit"}],
                 "subject": patient,
                 "participant": [{"individual": {"display": f"Doctor {doctor}"}}],
                 "period": {"start": when, "end": when}}
    appointment = {"resourceType": "Appointment", "id": f"appt-{n}",
                   "status": "noshow" if n % 11 == 0 else "fulfilled", "start": when,
                   "end": when, "participant": [
                       {"actor": patient, "status": "accepted"},
                       {"actor": {"reference": f"Practitioner/doctor-{doctor}"},
                        "status": "accepted"}]}
    return encounter, appointment


def fill(store, visits: int) -> float:
    """Write the year; seconds it took."""
    began, at = time.perf_counter(), audit.now_text()
    with store.write() as conn:
        put_resources(conn, [{"resourceType": "Practitioner", "id": f"doctor-{d}",
                              "name": [{"family": f"Doctor{d}", "given": ["Ann"]}]}
                             for d in range(PROVIDERS)], "bench", at)
    for first in range(0, visits, BATCH):
        made = [record for n in range(first, min(first + BATCH, visits))
                for record in visit(n, visits)]
        with store.write() as conn:
            put_resources(conn, made, "bench", at)
    return time.perf_counter() - began


def timed(action, runs: int) -> tuple[list[float], object]:
    samples, answer = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answer = action()
        samples.append(time.perf_counter() - start)
    return samples, answer


def run(args) -> dict:
    year = Period(FIRST, FIRST + timedelta(days=DAYS - 1))
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "reports", encrypted=True)
        try:
            built = fill(store, args.visits)
            reports = ClinicReports(store)

            def count(query: str) -> int:
                with store.read() as conn:
                    return conn.exec_driver_sql(query).scalar_one()

            bare, counted = timed(lambda: count(BARE_COUNT), args.runs)
            indexed, _ = timed(lambda: count(INDEX_COUNT), args.runs)
            figures, totals = {}, {}
            for name in REPORTS:
                samples, table = timed(lambda n=name: reports.run(CLINICIAN, n, year),
                                       args.runs)
                figures[name], totals[name] = ms(samples), table.total
        finally:
            store.close()
    worst = max(figures.values(), key=lambda f: f["p95"])
    return {"visits": args.visits, "build_s": round(built, 1), "bare_count_rows": counted,
            "baseline_bare_count_ms": ms(bare), "index_count_ms": ms(indexed),
            "report_ms": figures,
            "visits_counted": {name: totals[name][-1] for name in REPORTS[:2]},
            "worst_report_p95_ms": worst["p95"],
            "ratios": {"worst_report_p95_over_bare_count_p95":
                       round(worst["p95"] / max(ms(bare)["p95"], 0.01), 1)}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    json.dump(run(parser.parse_args(argv)), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
