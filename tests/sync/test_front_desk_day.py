"""Issue 14's day at the front desk, offline on workstation A, then seen on workstation B.

A front-desk clerk registers a walk-in (the duplicate check names the look-alike), books a
weekly visit for 6 weeks, moves one, marks one not attended, fills a cancelled time from the
waiting list and prints the day sheet, with no server. After both sync, B's calendar shows
all of it; a time booked on both while offline becomes a conflict B sees.

The booking clock is fixed (a future week) so "in the past" and "its time has come" are the
test's to choose; a real SEKMET server sits between A and B.
"""

from datetime import date, datetime, time, timedelta

import pdfplumber
import pytest

from app.bootstrap import open_workstation
from app.clinical.patients.registration import NewPatient, Registration
from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.day_sheet import DaySheet, DaySheetRequest
from app.clinical.visits.recurrence import Series
from app.clinical.visits.waitlist import Waitlist, WaitlistRequest
from app.clinical.visits.week import Weeks
from tests.sync.stations import sync

MONDAY = date(2032, 3, 1)
PASSWORD = "clinic pass 12"


def at(day: int, hhmm: str) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time.fromisoformat(hhmm)).astimezone()


def station(env, root, name):
    """A store with a clerk "desk" and Dr Elena Ortiz ("doc"); the clerk signed in."""
    from app.bootstrap import init_store
    init_store(env, root, "admin", "Ada Admin", "admin pass 12")
    admin = open_workstation(env, root, "admin", "admin pass 12")
    admin.users.add(admin.session, "desk", f"Frank {name}", "front-desk", PASSWORD)
    admin.users.add(admin.session, "doc", "Elena Ortiz", "physician", PASSWORD)
    admin.store.close()
    return open_workstation(env, root, "desk", PASSWORD)


@pytest.fixture
def desks(env, tmp_path):
    one, other = station(env, tmp_path / "a", "Able"), station(env, tmp_path / "b", "Baker")
    yield one, other
    one.store.close()
    other.store.close()


def clock(ws, now: datetime) -> Booking:
    return Booking(ws.store, ws.policy.scheduling, ws.changes, clock=lambda: now)


def register(ws, family, given, **more) -> dict:
    done = Registration(ws.store, ws.policy.registration, ws.changes).register(
        ws.session, NewPatient(family, given, "1980-03-14", "female", **more),
        despite_candidates=True)
    return done.patient


def statuses(ws, monday: date) -> dict[str, str]:
    """What B's calendar shows of Dr Ortiz's week: "Family, Given Mon 09:00" -> status."""
    week = Weeks(ws.store, ws.booking).week(ws.session, "doc", monday)
    return {f"{a.patient_name} {a.start:%a %H:%M}": a.status
            for d in week.days for a in d.appointments}


def test_a_front_desk_day_offline_reaches_the_other_workstation(desks, fhir_server, tmp_path):
    a, b = desks
    morning = clock(a, at(0, "08:00"))
    bea = register(a, "Quist", "Bea")
    cy = register(a, "Adjei", "Cy")
    found = Registration(a.store, a.policy.registration, a.changes).register(
        a.session, NewPatient("Quist", "Beatrice", "1980-03-14", "female"))
    assert found.patient is None and [c.name for c in found.candidates] == ["Quist, Bea"]
    walk_in = register(a, "Quist", "Beatrice", phone="+233 20 555 0101")
    arrived = morning.walk_in(a.session, walk_in["id"], "doc")
    assert arrived.status == "arrived"

    series = Series(morning).book(a.session, BookingRequest(
        bea["id"], at(0, "09:00"), "Follow-up", "doc"), "FREQ=WEEKLY;COUNT=6")
    first, second, third = series.appointments[:3]
    morning.move(a.session, third.id, at(15, "10:00"))
    Waitlist(morning).add(a.session, WaitlistRequest(cy["id"], "Follow-up",
                                                     MONDAY + timedelta(weeks=1),
                                                     MONDAY + timedelta(days=11), "doc"))
    morning.cancel(a.session, second.id, "Bea travels that week")
    [offer] = Waitlist(morning).offers(a.session, second.id)
    Waitlist(morning).fill(a.session, offer.id, second.id)
    clock(a, at(0, "10:00")).no_show(a.session, first.id, "did not come")

    sheet = DaySheet(a.store).print(a.session, DaySheetRequest(
        MONDAY, tmp_path / "day.pdf", "doc", "a4"))
    with pdfplumber.open(sheet.path) as pdf:
        printed = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Quist, Beatrice" in printed and "Quist, Bea" in printed and "No-show" in printed

    sync(a, fhir_server)
    sync(b, fhir_server)
    assert statuses(b, MONDAY) == {"Quist, Beatrice Mon 08:00": "arrived",
                                   "Quist, Bea Mon 09:00": "noshow"}
    assert statuses(b, MONDAY + timedelta(weeks=1)) == {"Quist, Bea Mon 09:00": "cancelled",
                                                        "Adjei, Cy Mon 09:00": "booked"}
    assert statuses(b, MONDAY + timedelta(weeks=2)) == {"Quist, Bea Tue 10:00": "booked"}
    assert [statuses(b, MONDAY + timedelta(weeks=n)) for n in (3, 4, 5)] == [
        {"Quist, Bea Mon 09:00": "booked"}] * 3


def test_a_time_booked_on_both_offline_is_a_conflict_on_the_second_to_sync(desks, fhir_server):
    a, b = desks
    ann = register(a, "Mensah", "Ann")
    clock(a, at(0, "08:00")).book(a.session, BookingRequest(
        ann["id"], at(1, "09:00"), "Follow-up", "doc"))  # makes Dr Ortiz's Practitioner
    sync(a, fhir_server)
    sync(b, fhir_server)
    kofi = register(b, "Boateng", "Kofi")
    clock(a, at(0, "08:00")).book(a.session, BookingRequest(
        ann["id"], at(2, "14:00"), "Follow-up", "doc"))
    clock(b, at(0, "08:00")).book(b.session, BookingRequest(
        kofi["id"], at(2, "14:00"), "Check-up", "doc"))
    sync(a, fhir_server)
    sync(b, fhir_server)
    [conflict] = b.conflicts.list(b.session)
    assert conflict.kind == "double-booking"
    assert "Elena Ortiz is booked twice at 14:00" in conflict.reason
