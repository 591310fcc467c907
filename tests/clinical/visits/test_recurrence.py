"""Repeating appointments: one real Appointment per occurrence, sharing a series, each moved
or cancelled alone or "this and following"; a series is booked whole or not at all."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.booking_errors import BookingRefused
from app.clinical.visits.recurrence import RECURRENCE, Series
from app.clinical.visits.slots import SERIES
from app.security.policy import SchedulingPolicy
from app.store.resources import get_resource
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "desk": ("Frank Desk", "front-desk")}
MONDAY = date(2032, 3, 1)


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    yield from signed_in_users(tmp_path_factory.mktemp("series") / "store", USERS)


@pytest.fixture(scope="module")
def patients(clinic):
    with clinic["desk"].store.read() as conn:
        return dict(conn.execute(text("SELECT json_extract(json, '$.name[0].family'), id "
                                      "FROM resource WHERE type = 'Patient'")).all())


def at(month: int, hhmm: str, weeks: int = 0, days: int = 0) -> datetime:
    """A time in a test's own stretch of eight weeks from a Monday."""
    day = MONDAY + timedelta(weeks=8 * month + weeks, days=days)
    return datetime.combine(day, time.fromisoformat(hhmm)).astimezone()


def series(ws, **rules) -> Series:
    return Series(Booking(ws.store, SchedulingPolicy(**rules), ws.changes,
                          clock=lambda: at(0, "07:00")))


def weekly(ws, patient: str, start: datetime, rule="FREQ=WEEKLY;COUNT=6", **rules):
    return series(ws, **rules).book(ws.session, BookingRequest(patient, start, "Follow-up",
                                                               "doc"), rule)


def appointments(ws) -> int:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT count(*) FROM resource WHERE type = 'Appointment'"
                                 )).scalar_one()


def stored(ws, appointment_id: str) -> dict:
    with ws.store.read() as conn:
        return get_resource(conn, "Appointment", appointment_id)


def test_a_weekly_series_is_six_real_appointments_sharing_a_series(clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Conn"], at(0, "09:00"))
    assert [a.start for a in made.appointments] == [at(0, "09:00", n) for n in range(6)]
    assert len({a.id for a in made.appointments}) == 6 and made.capped is None
    record = stored(desk, made.appointments[3].id)
    assert record["identifier"] == [{"system": SERIES, "value": made.series_id}]
    assert record["extension"] == [{"url": RECURRENCE, "valueString": "FREQ=WEEKLY;COUNT=6"}]


def test_one_occurrence_moves_alone_and_this_and_following_move_together(clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Conn"], at(1, "09:00")).appointments
    booking = Booking(desk.store, SchedulingPolicy(), desk.changes, clock=lambda: at(0, "07:00"))
    booking.move(desk.session, made[1].id, at(1, "11:00", 1))
    moved = series(desk).move_following(desk.session, made[3].id, at(1, "10:00", 3))
    assert [a.id for a in moved] == [a.id for a in made[3:]]
    starts = [stored(desk, a.id)["start"] for a in made]
    assert [datetime.fromisoformat(s).astimezone() for s in starts] == [
        at(1, "09:00"), at(1, "11:00", 1), at(1, "09:00", 2), at(1, "10:00", 3),
        at(1, "10:00", 4), at(1, "10:00", 5)]


def test_this_and_following_cancel_leaves_the_earlier_ones_booked(clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Johnston"], at(2, "14:00")).appointments
    series(desk).cancel_following(desk.session, made[4].id, "moving away")
    statuses = [stored(desk, a.id)["status"] for a in made]
    assert statuses == ["booked"] * 4 + ["cancelled"] * 2
    assert stored(desk, made[5].id)["cancelationReason"]["text"] == "moving away"


def test_a_rule_without_an_end_is_capped_and_says_so(clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Conn"], at(3, "16:00"), "FREQ=WEEKLY", max_occurrences=8)
    assert len(made.appointments) == 8
    assert made.capped == (
        "The repeat rule 'FREQ=WEEKLY' has no end (COUNT or UNTIL), so it was capped at 8 "
        f"appointments, the last at {at(3, '16:00', 7):%H:%M on %a %d %b %Y} "
        "(policy scheduling.max_occurrences).")


@pytest.mark.parametrize("rule, says", [
    ("FREQ=FORTNIGHTLY;COUNT=3", "The repeat rule 'FREQ=FORTNIGHTLY;COUNT=3' is not an RFC 5545 "
                                 "RRULE"),
    ("every tuesday", "is not an RFC 5545 RRULE"),
    ("FREQ=DAILY;COUNT=400", "makes more than 52 appointments"),
    ("FREQ=MINUTELY;INTERVAL=5;COUNT=3", "overlap each other"),
])
def test_a_rule_that_cannot_be_booked_is_refused_and_nothing_is_stored(
        clinic, patients, rule, says):
    desk = clinic["desk"]
    before = appointments(desk)
    with pytest.raises(BookingRefused, match=says):
        weekly(desk, patients["Conn"], at(4, "09:00"), rule)
    assert appointments(desk) == before


def test_a_series_with_dates_that_cannot_be_booked_is_refused_naming_them(clinic, patients):
    desk = clinic["desk"]
    Booking(desk.store, SchedulingPolicy(), desk.changes, clock=lambda: at(0, "07:00")).book(
        desk.session, BookingRequest(patients["Johnston"], at(5, "09:00", days=2),
                                     "Follow-up", "doc"))
    before = appointments(desk)
    with pytest.raises(BookingRefused) as refused:
        weekly(desk, patients["Conn"], at(5, "09:00"), "FREQ=DAILY;COUNT=7")
    assert refused.value.message.startswith(
        "The series was not booked: 2 of its 7 dates cannot be booked, nothing was stored. "
        f"{at(5, '09:00', days=2):%a %d %b %Y}: Elena Ortiz is already booked 09:00-09:15")
    assert f"{at(5, '09:00', days=6):%a %d %b %Y}: Elena Ortiz does not see patients on " \
           "Sundays" in refused.value.message
    assert appointments(desk) == before


def test_an_overlapping_series_is_refused(clinic, patients):
    desk = clinic["desk"]
    first = weekly(desk, patients["Conn"], at(6, "10:00"))
    with pytest.raises(BookingRefused, match="overlaps another repeating series of the same "
                                             f"patient or provider \\({first.series_id}\\)"):
        weekly(desk, patients["Johnston"], at(6, "10:00", 2), "FREQ=WEEKLY;COUNT=3")


def test_an_until_in_utc_ends_the_series_on_that_day(clinic, patients):
    desk = clinic["desk"]
    last = at(7, "09:00", 3)
    rule = f"RRULE:FREQ=WEEKLY;UNTIL={last.date():%Y%m%d}T235959Z"
    made = weekly(desk, patients["Johnston"], at(7, "09:00"), rule)
    assert [a.start for a in made.appointments] == [at(7, "09:00", n) for n in range(4)]
    assert made.rule == rule.removeprefix("RRULE:") and made.capped is None


def test_this_and_following_moved_into_the_lunch_break_is_refused_and_none_move(
        clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Johnston"], at(3, "09:00"), "FREQ=WEEKLY;COUNT=3").appointments
    with pytest.raises(BookingRefused) as refused:
        series(desk).move_following(desk.session, made[1].id, at(3, "12:15", 1))
    assert "The occurrences were not moved" in refused.value.message
    assert "12:15-12:30 on" in refused.value.message and "outside Elena Ortiz's hours" in (
        refused.value.message)
    assert [datetime.fromisoformat(stored(desk, a.id)["start"]).astimezone() for a in made] == [
        at(3, "09:00", n) for n in range(3)]
