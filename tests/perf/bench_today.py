"""Benchmark: the Today view of a very busy day, paged, against the old whole-day read.

    python -m tests.perf.bench_today --appointments 10000 100000 [--views 5]

Prints JSON. For each size, one day of that many appointments (1,000 patients, 20
practitioners) in an encrypted store: the first page, the last page and "Mine" (p50/p95 of
`--views` runs) and the audit rows each view writes; and, in the same run, the old path
(the whole day read, built and audited row by row inside one write transaction, as before
the day was paged) timed once, as the baseline.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import orjson
import sqlalchemy

from app.clinical.visits import schedule
from app.clinical.visits.schedule import PAGE_SIZE, Schedule
from app.store import audit_log as audit
from app.store import schema
from app.store.resources import put_resources
from fhir_common import fhir_json
from tests.perf.bench_store import CLINICIAN, open_store

DAY = date(2031, 6, 2)
PATIENTS, PRACTITIONERS = 1000, 20
# The day as it was read before it was paged: every record of the day, in full.
OLD_DAY_QUERY = sqlalchemy.text(
    "SELECT json FROM resource WHERE type = 'Appointment' AND deleted = 0"
    " AND datetime(json_extract(json, '$.start')) >= :since"
    " AND datetime(json_extract(json, '$.start')) < :until")


def person(kind: str, number: int) -> dict:
    return {"resourceType": kind, "id": f"{kind.lower()}-{number}",
            "name": [{"family": f"Family{number}", "given": [f"Given{number}"]}]}


def appointment(number: int) -> dict:
    start = datetime.combine(DAY, clock(7)).astimezone() + timedelta(seconds=number * 0.4)
    return {"resourceType": "Appointment", "id": str(uuid.uuid4()), "status": "booked",
            "appointmentType": {"text": "Walk-in"},
            "start": start.isoformat(timespec="seconds"),
            "end": (start + timedelta(minutes=10)).isoformat(timespec="seconds"),
            "participant": [
                {"actor": {"reference": f"Patient/patient-{number % PATIENTS}"},
                 "status": "accepted"},
                {"actor": {"reference": f"Practitioner/practitioner-{number % PRACTITIONERS}"},
                 "status": "accepted"}]}


def fill(store, count: int) -> None:
    at = audit.now_text()
    with store.write() as conn:
        conn.execute(schema.app_user.insert(), {  # "Mine": the user whose Practitioner is 3
            "name": "doc3", "full_name": "Given3 Family3", "role": "physician",
            "password_hash": "", "locked": 0, "created_at": at, "password_changed_at": at})
        put_resources(conn, [person("Patient", n) for n in range(PATIENTS)]
                      + [person("Practitioner", n) for n in range(PRACTITIONERS)], "bench", at)
        for chunk in range(0, count, 10_000):
            put_resources(conn, [appointment(n) for n in range(chunk, min(count, chunk + 10_000))],
                          "bench", at)


def old_today(store) -> int:
    """The old path, as it was: the day read, built, sorted and audited per appointment, all
    in one write transaction. Returns the number of appointments listed."""
    since, until = (schedule._utc_text(datetime.combine(d, clock.min).astimezone())
                    for d in (DAY, DAY + timedelta(days=1)))
    with store.write() as conn:
        resources = [r for r in (fhir_json.loads(body) for body in conn.execute(
            OLD_DAY_QUERY, {"since": since, "until": until}).scalars())
            if r.get("status") != "entered-in-error"]
        listed = sorted(schedule.listed(conn, resources),
                        key=lambda a: (a.start, a.patient_name, a.id))
        audit.append_many(conn, [audit.event_for(
            CLINICIAN, "read", patient=a.patient_id, entity=f"Appointment/{a.id}",
            detail=f"schedule of {DAY.isoformat()}") for a in listed])
    return len(listed)


def audit_rows(store) -> int:
    with store.read() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM audit").scalar_one()


def timed_views(store, views: int, **asked) -> dict:
    seconds, before = [], audit_rows(store)
    for _ in range(views):
        start = time.perf_counter()
        page = Schedule(store).today(CLINICIAN, DAY, **asked)
        seconds.append(time.perf_counter() - start)
    ordered = sorted(seconds)
    return {"shown": len(page.appointments), "total": page.total,
            "p50_s": round(statistics.median(ordered), 3),
            "p95_s": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 3),
            "audit_rows_per_view": (audit_rows(store) - before) / views}


def measure(tmp: Path, count: int, views: int) -> dict:
    store = open_store(tmp / f"day-{count}", encrypted=True)
    try:
        made = time.perf_counter()
        fill(store, count)
        result = {"appointments": count, "fill_s": round(time.perf_counter() - made, 1),
                  "first_page": timed_views(store, views),
                  "last_page": timed_views(store, views, first=count - 1),
                  "mine": timed_views(store, views, provider="doc3")}
        before, start = audit_rows(store), time.perf_counter()
        listed = old_today(store)
        result["old_whole_day_baseline"] = {
            "shown": listed, "seconds": round(time.perf_counter() - start, 3),
            "audit_rows_per_view": audit_rows(store) - before}
        return result
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--views", type=int, default=5, help="timed views of each kind")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = {"page_size": PAGE_SIZE, "day": DAY.isoformat(), "measured_at":
                  datetime.now(UTC).isoformat(timespec="seconds"),
                  "days": [measure(Path(tmp), count, args.views) for count in args.appointments]}
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
