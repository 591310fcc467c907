"""Benchmark: the next free slot over eight weeks for twenty providers, against a plain day
listing of the same store in the same run.

    python -m tests.perf.bench_slots [--providers 20] [--weeks 8] [--queries 50]

Prints JSON. Two encrypted stores, each with `--providers` clinicians working the packaged
clinic week (32 fifteen-minute slots a weekday) for `--weeks` weeks:

- "busy": each slot booked with a chance of `--occupancy` (0.85), the clinic as it runs;
- "booked_out": every slot booked but one per provider, on a random day: the worst case,
  as a search must read the whole stretch to find it.

Timed in each (p50/p95 of `--queries` runs, from a random time in the first week): the
next free Follow-up with a named provider, and with any provider; and as the baseline,
Today's first page of a day of the same store (app.clinical.visits.schedule).
"""

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson

from app.clinical.visits.availability import Availability
from app.clinical.visits.booking import Booking
from app.clinical.visits.providers import USER_SYSTEM
from app.clinical.visits.schedule import Schedule
from app.security.policy import SchedulingPolicy
from app.store import audit_log as audit
from app.store import schema
from app.store.resources import put_resources
from tests.perf.bench_store import CLINICIAN, ms, open_store

MONDAY = date(2031, 6, 2)
PATIENTS = 1000


def person(kind: str, number: int, **more) -> dict:
    return {"resourceType": kind, "id": f"{kind.lower()}-{number}",
            "name": [{"family": f"Family{number}", "given": [f"Given{number}"]}], **more}


def appointment(patient: int, doctor: int, start: datetime, minutes: int) -> dict:
    return {"resourceType": "Appointment", "id": str(uuid.uuid4()), "status": "booked",
            "appointmentType": {"text": "Follow-up"},
            "start": start.isoformat(timespec="seconds"),
            "end": (start + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
            "participant": [
                {"actor": {"reference": f"Patient/patient-{patient}"}, "status": "accepted"},
                {"actor": {"reference": f"Practitioner/practitioner-{doctor}"},
                 "status": "accepted"}]}


def fill(store, providers: int, weeks: int, occupancy: float | None,
         rng: random.Random) -> int:
    """Each provider's slots for `weeks` booked with a chance of `occupancy`; None: all
    but one each. Returns how many were booked."""
    week = Availability().template_of("*")
    grid = timedelta(minutes=15)
    booked = []
    for doctor in range(providers):
        slots = [opens + grid * n
                 for day in (MONDAY + timedelta(days=d) for d in range(7 * weeks))
                 for opens, closes in week.open_hours(day)
                 for n in range(int((closes - opens) / grid))]
        if occupancy is None:
            slots.pop(rng.randrange(len(slots)))  # the one free slot
        else:
            slots = [at for at in slots if rng.random() < occupancy]
        booked += [appointment(rng.randrange(PATIENTS), doctor, at, 15) for at in slots]
    at = audit.now_text()
    with store.write() as conn:
        conn.execute(schema.app_user.insert(), [
            {"name": f"doc{n}", "full_name": f"Given{n} Family{n}", "role": "physician",
             "password_hash": "", "locked": 0, "created_at": at, "password_changed_at": at}
            for n in range(providers)])
        put_resources(conn, [person("Patient", n) for n in range(PATIENTS)] + [
            person("Practitioner", n, identifier=[{"system": USER_SYSTEM, "value": f"doc{n}"}])
            for n in range(providers)], "bench", at)
        for chunk in range(0, len(booked), 10_000):
            put_resources(conn, booked[chunk:chunk + 10_000], "bench", at)
    return len(booked)


def timed(action, queries: int) -> tuple[dict, object]:
    seconds, answer = [], None
    for _ in range(queries):
        start = time.perf_counter()
        answer = action()
        seconds.append(time.perf_counter() - start)
    return ms(seconds), answer


def measure(root: Path, args, occupancy: float | None, rng: random.Random) -> dict:
    store = open_store(root, encrypted=True)
    try:
        made = time.perf_counter()
        count = fill(store, args.providers, args.weeks, occupancy, rng)
        fill_s = time.perf_counter() - made
        monday = datetime.combine(MONDAY, datetime.min.time()).astimezone()
        booking = Booking(store, SchedulingPolicy(search_weeks=args.weeks), clock=lambda: monday)

        def some_time() -> datetime:
            return monday + timedelta(minutes=15 * rng.randrange(4 * 24 * 7))

        named, slot = timed(lambda: booking.next_free(
            CLINICIAN, "Follow-up", f"doc{rng.randrange(args.providers)}", some_time()),
            args.queries)
        anyone, first = timed(lambda: booking.next_free(CLINICIAN, "Follow-up", None,
                                                        some_time()), args.queries)
        day, page = timed(lambda: Schedule(store).today(CLINICIAN, MONDAY), args.queries)
    finally:
        store.close()
    return {"appointments": count, "fill_s": round(fill_s, 1),
            "next_free_ms": {"named_provider": named, "any_provider": anyone},
            "found": {"named": slot is not None, "any": first is not None},
            "baseline_day_list_ms": {**day, "appointments_that_day": page.total},
            "ratios": {"named_p95_over_day_list_p95": round(named["p95"] / day["p95"], 2),
                       "any_p95_over_day_list_p95": round(anyone["p95"] / day["p95"], 2)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--occupancy", type=float, default=0.85)
    args = parser.parse_args(argv)
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        result = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "scale": {"providers": args.providers, "weeks": args.weeks,
                            "queries": args.queries, "occupancy": args.occupancy},
                  "busy": measure(Path(tmp) / "busy", args, args.occupancy, rng),
                  "booked_out": measure(Path(tmp) / "booked-out", args, None, rng)}
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
