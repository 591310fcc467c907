"""Two clinicians with the same name keep their own patients: an appointment is a
provider's by their Practitioner reference, on Today's "Mine" as on their calendar."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import text

from app.clinical.visits.booking import Booking, BookingRequest
from app.clinical.visits.schedule import Schedule
from app.security.policy import SchedulingPolicy
from tests.conftest import signed_in_users

USERS = {"sam": ("Sam Lee", "physician"), "samlee": ("Sam Lee", "nurse"),
         "desk": ("Frank Desk", "front-desk")}
DAY = date(2031, 6, 3)  # a Tuesday


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    yield from signed_in_users(tmp_path_factory.mktemp("namesakes") / "store", USERS)


def test_namesakes_never_see_each_others_patients(clinic):
    desk = clinic["desk"]
    with desk.store.read() as conn:
        conn_id, johnston_id = (conn.execute(text(
            "SELECT id FROM resource WHERE type = 'Patient' "
            "AND json_extract(json, '$.name[0].family') = :family"), {"family": f}).scalar_one()
            for f in ("Conn", "Johnston"))
    booking = Booking(desk.store, SchedulingPolicy(), clock=lambda: datetime.combine(
        DAY, time(7)).astimezone())
    at = datetime.combine(DAY, time(9)).astimezone()
    mine = booking.book(desk.session, BookingRequest(conn_id, at, "Follow-up", "sam"))
    theirs = booking.book(desk.session, BookingRequest(johnston_id, at, "Follow-up", "samlee"))

    schedule = Schedule(desk.store)
    assert [a.id for a in schedule.today(desk.session, DAY, "sam").appointments] == [mine.id]
    assert [a.id for a in schedule.today(desk.session, DAY, "samlee").appointments] == [
        theirs.id]
    assert schedule.today(desk.session, DAY, "desk").total == 0  # not a clinician
