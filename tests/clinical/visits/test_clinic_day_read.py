"""The clinic's day as the calendar reads it (every provider and room a column, one audit
row), and moving an appointment to another provider or room, checked against their hours."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import text

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.clinic_day import ClinicDays
from app.clinical.visits.provider_move import move_to_provider, move_to_room
from app.security.policy import SchedulingPolicy
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "nina": ("Nina Park", "nurse"),
         "bill": ("Bill Ing", "billing")}
MONDAY = date(2031, 3, 3)
THURSDAY = date(2031, 3, 6)  # a day the other tests leave free


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    yield from signed_in_users(tmp_path_factory.mktemp("clinic_day") / "store", USERS)


def at(clock: str, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock)).astimezone()


def audit_rows(store) -> list:
    with store.read() as conn:
        return conn.execute(text("SELECT user, detail FROM audit ORDER BY rowid")).all()


def test_the_day_puts_each_appointment_under_its_provider_and_room_and_audits_once(clinic):
    doc = clinic["doc"]
    booking = Booking(doc.store, SchedulingPolicy(), doc.changes, clock=lambda: at("07:00"))
    with doc.store.read() as conn:
        patient = conn.execute(text("SELECT id FROM resource WHERE type = 'Patient' LIMIT 1")
                               ).scalar_one()
    elena = booking.book(doc.session, BookingRequest(patient, at("09:00"), "Routine", "doc",
                                                     room="Room 2"))
    nina = booking.book(doc.session, BookingRequest(patient, at("10:00"), "Routine", "nina"))
    booking.book(doc.session, BookingRequest(patient, at("09:00", date(2031, 3, 4)), "Routine",
                                             "doc"))  # the next day: not shown
    bill = clinic["bill"]
    before = len(audit_rows(bill.store))
    day = ClinicDays(bill.store, booking).day(bill.session, MONDAY)
    assert [(c.heading, [a.id for a in c.appointments]) for c in day.providers] == [
        ("Elena Ortiz", [elena.id]), ("Nina Park", [nina.id])]
    assert [(c.heading, [a.id for a in c.appointments]) for c in day.rooms] == [
        ("Room 1", []), ("Room 2", [elena.id]), ("Treatment room", [])]
    assert day.providers[0].open_hours[0][0] == at("08:00") and len(
        day.providers[0].open_hours) == 2  # lunch taken out
    rows = audit_rows(bill.store)
    assert len(rows) == before + 1 and rows[-1].user == "bill"
    assert rows[-1].detail == (f"clinic calendar, {MONDAY}, appointments shown: 2; "
                               f"patients: {patient}")


def test_moving_to_another_provider_checks_their_hours_and_keeps_the_room(clinic):
    doc = clinic["doc"]
    booking = Booking(doc.store, SchedulingPolicy(), doc.changes, clock=lambda: at("07:00"))
    with doc.store.read() as conn:
        patient = conn.execute(text("SELECT id FROM resource WHERE type = 'Patient' LIMIT 1")
                               ).scalar_one()
    first = booking.book(doc.session, BookingRequest(patient, at("14:00"), "Check-up", "doc",
                                                     room="Room 1"))
    with pytest.raises(BookingRefused, match="outside Nina Park's hours"):
        move_to_provider(booking, doc.session, first.id, "nina", at("12:15"))
    moved = move_to_provider(booking, doc.session, first.id, "nina", at("15:00"))
    assert (moved.practitioner, moved.start, moved.end) == ("Nina Park", at("15:00"),
                                                            at("15:30"))
    day = ClinicDays(doc.store, booking).day(doc.session, MONDAY)
    assert first.id in [a.id for a in day.providers[1].appointments]
    assert first.id not in [a.id for a in day.providers[0].appointments]
    assert first.id in [a.id for a in day.rooms[0].appointments]
    assert any((r.detail or "").endswith("Nina Park at 15:00 on Mon 03 Mar 2031")
               and "moved from Elena Ortiz at 14:00" in r.detail
               for r in audit_rows(doc.store))
    with pytest.raises(BookingRefused, match="bill.*not a clinician"):
        move_to_provider(booking, doc.session, first.id, "bill", at("16:00"))


def test_moving_into_another_room_keeps_one_room_and_the_provider(clinic):
    doc = clinic["doc"]
    booking = Booking(doc.store, SchedulingPolicy(), doc.changes, clock=lambda: at("07:00"))
    with doc.store.read() as conn:
        patient = conn.execute(text("SELECT id FROM resource WHERE type = 'Patient' LIMIT 1")
                               ).scalar_one()
    first = booking.book(doc.session, BookingRequest(patient, at("10:00", THURSDAY), "Routine",
                                                     "doc", room="Room 1"))
    moved = move_to_room(booking, doc.session, first.id, "Treatment room", at("10:30", THURSDAY))
    assert (moved.practitioner, moved.start) == ("Elena Ortiz", at("10:30", THURSDAY))
    with doc.store.read() as conn:
        stored = conn.execute(text("SELECT json FROM resource WHERE id = :id"),
                              {"id": first.id}).scalar_one()
    assert stored.count("Location/") == 1  # in one room: the old one given up
    day = ClinicDays(doc.store, booking).day(doc.session, THURSDAY)
    assert [[a.id for a in room.appointments] for room in day.rooms] == [[], [], [first.id]]
    assert any("moved from Room 1 at 10:00" in (r.detail or "") and (r.detail or "").endswith(
        "Treatment room at 10:30 on Thu 06 Mar 2031") for r in audit_rows(doc.store))
    with pytest.raises(BookingRefused, match="'Room 9' is not one of this clinic's rooms"):
        move_to_room(booking, doc.session, first.id, "Room 9", at("11:00", THURSDAY))
