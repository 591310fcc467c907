"""How many appointments "this and following" would change, asked when one is opened."""

from sqlalchemy import text

from app.clinical.visits import series_of
from app.clinical.visits.booking import Booking, BookingRequest
from app.security.policy import SchedulingPolicy
from tests.clinical.visits.test_recurrence import at, clinic, patients, weekly  # noqa: F401

MONTH = 20  # a stretch of the test calendar no other test books


def test_the_count_runs_from_the_one_opened_and_leaves_out_the_cancelled(clinic, patients):
    desk = clinic["desk"]
    made = weekly(desk, patients["Conn"], at(MONTH, "09:00"), "FREQ=WEEKLY;COUNT=5"
                  ).appointments
    booking = Booking(desk.store, SchedulingPolicy(), desk.changes,
                      clock=lambda: at(0, "07:00"))
    records = booking.records
    assert series_of.following(records, desk.session, made[0].id) == 5
    assert series_of.following(records, desk.session, made[3].id) == 2
    booking.cancel(desk.session, made[4].id, "away")
    assert series_of.following(records, desk.session, made[1].id) == 3
    assert series_of.following(records, desk.session, made[4].id) == 0  # cancelled already
    with desk.store.read() as conn:
        detail = conn.execute(text("SELECT detail FROM audit ORDER BY seq DESC LIMIT 1"
                                   )).scalars().all()
    assert detail[0].endswith(": 3 occurrences from this one on")


def test_an_appointment_of_no_series_counts_nothing(clinic, patients):
    desk = clinic["desk"]
    booking = Booking(desk.store, SchedulingPolicy(), desk.changes,
                      clock=lambda: at(0, "07:00"))
    alone = booking.book(desk.session, BookingRequest(patients["Conn"], at(MONTH, "15:00"),
                                                      "Routine", "doc"))
    assert series_of.following(booking.records, desk.session, alone.id) == 0
