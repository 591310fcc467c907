"""Booking as the front desk meets it: the next free time, booking, overbooking, moving,
cancelling, no-shows, the waiting list, check-out and walk-ins, each one audited write."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.waitlist import Waitlist, WaitlistRequest
from app.errors import PermissionDenied
from app.security.policy import SchedulingPolicy
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "nina": ("Nina Park", "nurse"),
         "desk": ("Frank Desk", "front-desk"), "bill": ("Bill Ing", "billing")}
MONDAY = date(2031, 3, 3)  # each test books on a week of its own, from this one on


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    yield from signed_in_users(tmp_path_factory.mktemp("booking") / "store", USERS)


@pytest.fixture(scope="module")
def patients(clinic):
    with clinic["desk"].store.read() as conn:
        return dict(conn.execute(text("SELECT json_extract(json, '$.name[0].family'), id "
                                      "FROM resource WHERE type = 'Patient'")).all())


def at(week: int, hhmm: str, weekday: int = 0) -> datetime:
    day = MONDAY + timedelta(weeks=week, days=weekday)
    return datetime.combine(day, time.fromisoformat(hhmm)).astimezone()


def service(ws, now: datetime | None = None, **rules) -> Booking:
    """The booking service with the clock at `now` (default: 07:00 on MONDAY)."""
    return Booking(ws.store, SchedulingPolicy(**rules), ws.changes,
                   clock=lambda: now or at(0, "07:00"))


def stored_appointments(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM resource WHERE type = 'Appointment'"
                                 )).scalar_one()


def resource(ws, appointment_id: str) -> dict:
    with ws.store.read() as conn:
        from app.store.resources import get_resource
        return get_resource(conn, "Appointment", appointment_id)


def test_a_booking_holds_the_type_length_and_both_participants(clinic, patients):
    desk = clinic["desk"]
    booked = service(desk).book(desk.session, BookingRequest(
        patients["Conn"], at(0, "09:00"), "Follow-up", "doc"))
    record = resource(desk, booked.id)
    assert (booked.status, booked.type, booked.practitioner) == ("booked", "Follow-up",
                                                                  "Elena Ortiz")
    assert (booked.start, booked.end) == (at(0, "09:00"), at(0, "09:15"))
    assert record["appointmentType"]["coding"][0]["code"] == "FOLLOWUP"
    actors = [p["actor"]["reference"] for p in record["participant"]]
    assert actors[0] == f"Patient/{patients['Conn']}" and actors[1].startswith("Practitioner/")
    with desk.store.read() as conn:
        schedules = conn.execute(text(
            "SELECT count(*) FROM resource WHERE type = 'Schedule' AND "
            "json_extract(json, '$.actor[0].reference') = :ref"), {"ref": actors[1]}).scalar()
    assert schedules == 1  # the provider's calendar, made at the first booking


def test_the_next_free_time_skips_bookings_and_breaks(clinic, patients):
    desk = clinic["desk"]
    booking = service(desk, now=at(1, "11:20"))
    booking.book(desk.session, BookingRequest(patients["Conn"], at(1, "11:30"), "Check-up",
                                              "doc"))
    free = booking.next_free(desk.session, "Check-up", "doc")
    assert (free.provider, free.start) == ("doc", at(1, "13:00"))  # 11:30-12:00, then lunch
    anyone = booking.next_free(desk.session, "Follow-up")
    assert anyone.start == at(1, "11:30") and anyone.provider == "nina"


@pytest.mark.parametrize("when, says", [
    ((0, "06:00"), "is in the past"),
    ((2, "07:30"), "is outside Elena Ortiz's hours that day (08:00-12:00, 13:00-17:00)"),
    ((2, "12:00"), "outside Elena Ortiz's hours"),
    ((2, "10:00", 6), "Elena Ortiz does not see patients on Sundays"),
])
def test_a_time_the_provider_cannot_take_is_refused_and_nothing_is_stored(
        clinic, patients, when, says):
    desk = clinic["desk"]
    before = stored_appointments(desk)
    with pytest.raises(BookingRefused, match=re.escape(says)):
        service(desk, now=at(0, "07:00")).book(desk.session, BookingRequest(
            patients["Conn"], at(*when), "Follow-up", "doc"))
    assert stored_appointments(desk) == before


def test_an_unknown_type_is_refused_with_the_clinics_types(clinic, patients):
    desk = clinic["desk"]
    with pytest.raises(BookingRefused, match="'Massage' is not one of this clinic's "
                                             "appointment types: Routine, Check-up"):
        service(desk).book(desk.session, BookingRequest(patients["Conn"], at(3, "09:00"),
                                                        "Massage", "doc"))


def test_overbooking_needs_a_reason_and_stays_under_the_hourly_limit(clinic, patients):
    desk, booking = clinic["desk"], service(clinic["desk"])
    booking.book(desk.session, BookingRequest(patients["Conn"], at(4, "09:00"), "Follow-up",
                                              "doc"))
    over = BookingRequest(patients["Johnston"], at(4, "09:00"), "Follow-up", "doc")
    with pytest.raises(BookingRefused, match="Elena Ortiz is already booked 09:00-09:15 "
                                             ".*overbook with a reason"):
        booking.book(desk.session, over)
    squeezed = booking.book(desk.session, BookingRequest(
        patients["Johnston"], at(4, "09:00"), "Follow-up", "doc", overbook_reason="fever"))
    assert resource(desk, squeezed.id)["extension"][0]["valueString"] == "fever"
    booking.book(desk.session, BookingRequest(patients["Conn"], at(4, "09:30"), "Follow-up",
                                              "doc"))
    with pytest.raises(BookingRefused, match="already has 1 overbooked appointment.*allows 1 "
                                             "an hour"):
        booking.book(desk.session, BookingRequest(
            patients["Johnston"], at(4, "09:30"), "Follow-up", "doc", overbook_reason="pain"))


def test_a_patient_is_never_booked_twice_at_once(clinic, patients):
    desk, booking = clinic["desk"], service(clinic["desk"])
    booking.book(desk.session, BookingRequest(patients["Conn"], at(5, "10:00"), "Check-up",
                                              "doc"))
    with pytest.raises(BookingRefused, match="The patient already has an appointment "
                                             "10:00-10:30"):
        booking.book(desk.session, BookingRequest(patients["Conn"], at(5, "10:15"),
                                                  "Follow-up", "nina"))


def test_a_move_keeps_the_appointment_and_says_where_it_was(clinic, patients):
    desk, booking = clinic["desk"], service(clinic["desk"])
    first = booking.book(desk.session, BookingRequest(patients["Conn"], at(6, "09:00"),
                                                      "Follow-up", "doc"))
    moved = booking.move(desk.session, first.id, at(6, "14:00"))
    assert (moved.id, moved.start, moved.end) == (first.id, at(6, "14:00"), at(6, "14:15"))
    with desk.store.read() as conn:
        detail = conn.execute(text("SELECT detail FROM audit WHERE entity = :e ORDER BY seq "
                                   "DESC LIMIT 1"), {"e": f"Appointment/{first.id}"}).scalar()
    assert detail.startswith(f"moved from 09:00 on {at(6, '09:00'):%a %d %b %Y} to 14:00")


def test_cancel_keeps_the_reason_and_a_cancelled_appointment_stays_cancelled(clinic, patients):
    desk, booking = clinic["desk"], service(clinic["desk"])
    made = booking.book(desk.session, BookingRequest(patients["Conn"], at(7, "09:00"),
                                                     "Follow-up", "doc"))
    booking.cancel(desk.session, made.id, "patient is travelling")
    record = resource(desk, made.id)
    assert (record["status"], record["cancelationReason"]["text"]) == (
        "cancelled", "patient is travelling")
    for act in (lambda: booking.cancel(desk.session, made.id),
                lambda: booking.move(desk.session, made.id, at(7, "10:00"))):
        with pytest.raises(BookingRefused, match=f"{made.id} cannot be .*: it was cancelled"):
            act()
    again = booking.book(desk.session, BookingRequest(patients["Johnston"], at(7, "09:00"),
                                                      "Follow-up", "doc"))
    assert again.status == "booked"  # the cancelled time is free again


def test_a_no_show_is_marked_only_once_its_time_has_come(clinic, patients):
    desk = clinic["desk"]
    made = service(desk).book(desk.session, BookingRequest(patients["Conn"], at(8, "09:00"),
                                                           "Follow-up", "doc"))
    with pytest.raises(BookingRefused, match="still to come"):
        service(desk).no_show(desk.session, made.id)
    missed = service(desk, now=at(8, "09:30")).no_show(desk.session, made.id, "no answer")
    assert missed.status == "noshow"
    assert resource(desk, made.id)["comment"] == "No-show: no answer"


def test_a_freed_time_is_offered_to_the_waiting_list_and_filled(clinic, patients):
    desk = clinic["desk"]
    booking = service(desk)
    waitlist = Waitlist(booking)
    taken = booking.book(desk.session, BookingRequest(patients["Conn"], at(9, "09:00"),
                                                      "Follow-up", "doc"))
    waiting = waitlist.add(desk.session, WaitlistRequest(
        patients["Johnston"], "Follow-up", MONDAY, MONDAY + timedelta(weeks=12)))
    too_long = waitlist.add(desk.session, WaitlistRequest(
        patients["Johnston"], "Check-up", MONDAY, MONDAY + timedelta(weeks=12)))
    booking.cancel(desk.session, taken.id, "feels better")
    offers = waitlist.offers(desk.session, taken.id)
    assert waiting.id in [w.id for w in offers] and too_long.id not in [w.id for w in offers]
    filled = waitlist.fill(desk.session, waiting.id, taken.id)
    assert (filled.id, filled.status, filled.start, filled.practitioner) == (
        waiting.id, "booked", at(9, "09:00"), "Elena Ortiz")


def test_check_out_fulfils_an_arrival_but_not_while_its_visit_goes_on(clinic, patients):
    desk, doc, now = clinic["desk"], clinic["doc"], at(10, "09:05")
    seen, jab = (service(desk).book(desk.session, BookingRequest(
        patients[family], at(10, "09:00"), "Follow-up", user))
        for family, user in (("Conn", "doc"), ("Johnston", "nina")))
    for arrived in (seen, jab):
        desk.schedule.check_in(desk.session, arrived.id)
    visit = doc.encounters.start_visit(doc.session, patients["Conn"], seen.id)
    with pytest.raises(BookingRefused, match="still in progress; the clinician finishes it"):
        service(desk, now).check_out(desk.session, seen.id)
    doc.encounters.finish_visit(doc.session, visit["id"])  # which checks the patient out
    assert resource(desk, seen.id)["status"] == "fulfilled"
    assert service(desk, now).check_out(desk.session, jab.id).status == "fulfilled"


def test_a_walk_in_is_booked_now_and_already_here(clinic, patients):
    desk = clinic["desk"]
    seen = service(desk, now=at(11, "10:07")).walk_in(desk.session, patients["Johnston"])
    assert (seen.status, seen.type, seen.start) == ("arrived", "Walk-in", at(11, "10:07"))
    assert seen.practitioner in ("Elena Ortiz", "Nina Park")


def test_billing_may_not_book_and_is_told_which_permission(clinic, patients):
    bill = clinic["bill"]
    with pytest.raises(PermissionDenied, match="book appointments"):
        service(bill).book(bill.session, BookingRequest(patients["Conn"], at(12, "09:00"),
                                                        "Follow-up", "doc"))


def test_a_room_holds_one_appointment_at_a_time(clinic, patients):
    desk, booking = clinic["desk"], service(clinic["desk"])
    booking.book(desk.session, BookingRequest(patients["Conn"], at(13, "09:00"), "Check-up",
                                              "doc", room="Room 1"))
    with pytest.raises(BookingRefused, match="Room 1 is taken 09:00-09:30 on .*; choose "
                                             "another room or time"):
        booking.book(desk.session, BookingRequest(patients["Johnston"], at(13, "09:15"),
                                                  "Follow-up", "nina", room="Room 1"))
    with pytest.raises(BookingRefused, match="'Broom cupboard' is not one of this clinic's "
                                             "rooms \\(Room 1, Room 2, Treatment room\\)"):
        booking.book(desk.session, BookingRequest(patients["Johnston"], at(13, "09:15"),
                                                  "Follow-up", "nina", room="Broom cupboard"))
    other = booking.book(desk.session, BookingRequest(patients["Johnston"], at(13, "09:15"),
                                                      "Follow-up", "nina", room="Room 2"))
    location = resource(desk, other.id)["participant"][2]["actor"]
    assert location["display"] == "Room 2" and location["reference"].startswith("Location/")
    with desk.store.read() as conn:
        calendars = conn.execute(text(
            "SELECT count(*) FROM resource WHERE type = 'Schedule' AND "
            "json_extract(json, '$.actor[0].reference') = :ref"),
            {"ref": location["reference"]}).scalar()
    assert calendars == 1


@pytest.mark.parametrize("to, says", [
    ((14, "12:15"), "12:15-12:30 on {day} is outside Elena Ortiz's hours that day "
                    "(08:00-12:00, 13:00-17:00)"),  # the lunch break
    ((14, "16:55"), "is outside Elena Ortiz's hours"),  # runs past closing
    ((14, "10:00", 6), "Elena Ortiz does not see patients on Sundays"),
])
def test_a_move_to_a_time_the_provider_cannot_take_is_refused_and_leaves_it(
        clinic, patients, to, says):
    desk, booking = clinic["desk"], service(clinic["desk"])
    first = booking.book(desk.session, BookingRequest(patients["Johnston"], at(14, "09:00"),
                                                      "Follow-up", "doc"))
    with pytest.raises(BookingRefused, match=re.escape(says.format(
            day=f"{at(*to):%a %d %b %Y}"))):
        booking.move(desk.session, first.id, at(*to))
    assert resource(desk, first.id)["start"] == at(14, "09:00").isoformat(timespec="seconds")
    booking.cancel(desk.session, first.id)  # the next case books the same time
