"""Benchmark: a provider's week in the Calendar tab, read and painted, against the Today tab
painting its first page of the same store in the same run.

    python -m tests.perf.bench_week_view [--per-day 40] [--providers 5] [--runs 20]

Prints JSON. An encrypted store of this week (Monday to Sunday) with `--providers`
clinicians, each with `--per-day` appointments every day (12 minutes apart from 08:00, so
the busiest days run over the lunch break and past closing). Each run builds the real
widget on Qt's offscreen platform, waits until its background reads have answered (the
calendar: providers, then seven audited day reads; Today: the first page) and grabs it
(a full paint); p50/p95 of `--runs`. Issue 14's target: the week in at most 150 ms.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import orjson

from app.clinical.records import ChangeFeed
from app.clinical.visits.booking import Booking
from app.clinical.visits.encounters import Encounters
from app.clinical.visits.providers import USER_SYSTEM
from app.clinical.visits.schedule import Schedule
from app.clinical.visits.week import Weeks
from app.security.policy import Policy, SchedulingPolicy
from app.store import audit_log as audit
from app.store import schema
from app.store.resources import put_resources
from tests.perf.bench_store import CLINICIAN, ms, open_store

MONDAY = date.today() - timedelta(days=date.today().weekday())  # Today is inside the week
PATIENTS = 1000
TIMEOUT_S = 60.0


def person(kind: str, number: int, **more) -> dict:
    return {"resourceType": kind, "id": f"{kind.lower()}-{number}",
            "name": [{"family": f"Family{number}", "given": [f"Given{number}"]}], **more}


def appointment(number: int, doctor: int, start: datetime) -> dict:
    return {"resourceType": "Appointment", "id": str(uuid.uuid4()), "status": "booked",
            "appointmentType": {"text": ("Routine", "Check-up", "Follow-up")[number % 3]},
            "start": start.isoformat(timespec="seconds"),
            "end": (start + timedelta(minutes=12)).isoformat(timespec="seconds"),
            "participant": [
                {"actor": {"reference": f"Patient/patient-{number % PATIENTS}"},
                 "status": "accepted"},
                {"actor": {"reference": f"Practitioner/practitioner-{doctor}"},
                 "status": "accepted"}]}


def fill(store, providers: int, per_day: int) -> int:
    booked = [appointment(n, doctor, datetime.combine(MONDAY + timedelta(days=day),
                                                      datetime.min.time()).astimezone()
                          + timedelta(hours=8, minutes=12 * n))
              for doctor in range(providers) for day in range(7) for n in range(per_day)]
    at = audit.now_text()
    with store.write() as conn:
        conn.execute(schema.app_user.insert(), [
            {"name": f"doc{n}", "full_name": f"Given{n} Family{n}", "role": "physician",
             "password_hash": "", "locked": 0, "created_at": at, "password_changed_at": at}
            for n in range(providers)])
        put_resources(conn, [person("Patient", n) for n in range(PATIENTS)] + [
            person("Practitioner", n, identifier=[{"system": USER_SYSTEM, "value": f"doc{n}"}])
            for n in range(providers)], "bench", at)
        put_resources(conn, booked, "bench", at)
    return len(booked)


def station(store) -> SimpleNamespace:
    """What the two views use of a Workstation, over the benchmark's store."""
    feed, schedule = ChangeFeed(), Schedule(store)
    booking = Booking(store, SchedulingPolicy())
    return SimpleNamespace(store=store, session=CLINICIAN, changes=feed, schedule=schedule,
                           encounters=Encounters(store), booking=booking,
                           weeks=Weeks(store, booking), policy=Policy.default())


def painted(app, background, build, ready) -> float:
    """Seconds from building the view to its full paint, once its reads have answered."""
    start = time.perf_counter()
    view = build()
    view.resize(1400, 900)
    view.show()
    while not (ready(view) and not background.busy):
        app.processEvents()
        if time.perf_counter() - start > TIMEOUT_S:
            raise TimeoutError("the view never finished loading")
    view.grab()
    seconds = time.perf_counter() - start
    view.close()
    view.deleteLater()
    app.processEvents()
    return seconds


def run(args) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.calendar.view import CalendarView
    from app.ui.common.background import Background
    from app.ui.today.view import TodayView

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "week", encrypted=True)
        try:
            count = fill(store, args.providers, args.per_day)
            ws, background = station(store), Background()
            week, today = [], []
            for _ in range(args.runs):
                week.append(painted(app, background, lambda: CalendarView(ws, background),
                                    lambda v: v.grid.week is not None))
                today.append(painted(app, background, lambda: TodayView(ws, background),
                                     lambda v: v.model.rowCount() > 0))
            shown = sum(len(d.appointments) for d in ws.weeks.week(CLINICIAN, "doc0",
                                                                    MONDAY).days)
            background.wait_until_idle()
        finally:
            store.close()
    week_ms, today_ms = ms(week), ms(today)
    return {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "platform": app.platformName(), "appointments": count,
            "week_appointments_shown": shown, "runs": args.runs,
            "week_view_ms": week_ms, "baseline_today_first_page_ms": today_ms,
            "target_ms": 150,
            "ratios": {"week_p95_over_today_p95": round(week_ms["p95"] / today_ms["p95"], 2)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--providers", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    print(orjson.dumps(run(parser.parse_args(argv)), option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
