"""A provider's week as the calendar reads it: only their appointments, each day's open
hours, and one audit row naming the patients shown."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.week import Weeks
from app.errors import NotFound
from app.security.policy import SchedulingPolicy
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "nina": ("Nina Park", "nurse"),
         "bill": ("Bill Ing", "billing")}
MONDAY = date(2031, 3, 3)


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    yield from signed_in_users(tmp_path_factory.mktemp("week") / "store", USERS)


def at(weekday: int, clock: str) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=weekday), time.fromisoformat(clock)
                            ).astimezone()


def test_the_week_holds_only_the_providers_appointments_and_is_audited_once(clinic):
    doc = clinic["doc"]
    booking = Booking(doc.store, SchedulingPolicy(), doc.changes, clock=lambda: at(0, "07:00"))
    with doc.store.read() as conn:
        patient = conn.execute(text("SELECT id FROM resource WHERE type = 'Patient' LIMIT 1")
                               ).scalar_one()
    mine = booking.book(doc.session, BookingRequest(patient, at(1, "09:00"), "Routine", "doc"))
    booking.book(doc.session, BookingRequest(patient, at(1, "10:00"), "Routine", "nina"))
    bill = clinic["bill"]
    weeks = Weeks(bill.store, booking)
    with bill.store.read() as conn:
        audited = conn.execute(text("SELECT count(*) FROM audit")).scalar_one()
    week = weeks.week(bill.session, "doc", MONDAY + timedelta(days=3))
    assert week.monday == MONDAY and [d.day.weekday() for d in week.days] == list(range(7))
    assert [[a.id for a in d.appointments] for d in week.days] == [
        [], [mine.id], [], [], [], [], []]
    assert week.days[0].open_hours[0][0] == at(0, "08:00")  # the packaged clinic week
    assert len(week.days[0].open_hours) == 2  # lunch taken out
    with bill.store.read() as conn:
        rows = conn.execute(text("SELECT user, detail FROM audit ORDER BY rowid DESC LIMIT 1"
                                 )).one()
        after = conn.execute(text("SELECT count(*) FROM audit")).scalar_one()
    assert after == audited + 1 and rows.user == "bill"
    assert rows.detail == (f"calendar of Elena Ortiz, week of {MONDAY}, appointments shown: 1; "
                           f"patients: {patient}")
    with pytest.raises(NotFound, match="There is no clinician 'bill' with a calendar."):
        weeks.week(bill.session, "bill", MONDAY)
