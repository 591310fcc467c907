"""A busy day is listed a page at a time, audited once per page, and never blocks a save."""

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import event, text

from app.clinical.charting.vitals import Vitals
from app.clinical.visits.schedule import PAGE_SIZE, Schedule
from tests.clinical.visits.test_schedule import USERS, clinic, people  # noqa: F401 (fixtures)


def book_many(ws, people, day: date, count: int) -> list[str]:
    patients, doctors = people
    start = datetime.combine(day, datetime.min.time())
    return [Schedule(ws.store).book(ws.session, patients["Conn"], doctors[0][0],
                                    start + timedelta(minutes=n), 5, "Walk-in").id
            for n in range(count)]


def day_audit(ws, day: date) -> list[str]:
    with ws.store.read() as conn:
        return conn.execute(text("SELECT detail FROM audit WHERE action = 'read' AND detail "
                                 "LIKE :d ORDER BY seq"), {"d": f"schedule of {day}%"}).scalars()\
            .all()


def test_a_day_of_205_appointments_is_shown_200_at_a_time_with_one_audit_row_a_page(
        clinic, people):
    desk, day = clinic["desk"], date(2032, 1, 5)
    booked = book_many(desk, people, day, PAGE_SIZE + 5)

    first = Schedule(desk.store).today(desk.session, day)
    second = Schedule(desk.store).today(desk.session, day, first=PAGE_SIZE)

    assert [a.id for a in first.appointments + second.appointments] == booked
    assert (len(first.appointments), first.total, first.to_come) == (200, 205, 205)
    assert (second.first, len(second.appointments)) == (200, 5)
    conn_id = first.appointments[0].patient_id
    assert day_audit(desk, day) == [
        f"schedule of {day}, appointments 1-200 of 205; patients: {conn_id}",
        f"schedule of {day}, appointments 201-205 of 205; patients: {conn_id}"]


def test_a_vitals_save_while_the_day_is_being_read_is_saved(clinic, people):
    desk, doctor, day = clinic["desk"], clinic["doc"], date(2032, 1, 6)
    [booked] = book_many(desk, people, day, 1)
    reading, saved = threading.Event(), threading.Event()

    def hold_the_read(conn, cursor, statement, *_):
        if "FROM resource WHERE type = 'Appointment' AND id IN" in statement:
            reading.set()
            saved.wait(30)  # the day is still being read while the vitals are saved

    event.listen(desk.store.db.engine, "before_cursor_execute", hold_the_read)
    listed = []
    reader = threading.Thread(target=lambda: listed.append(
        Schedule(desk.store).today(desk.session, day)))
    reader.start()
    try:
        assert reading.wait(10)
        recorded = Vitals(doctor.store).record(doctor.session, people[0]["Conn"],
                                               {"heart_rate": "72"})
    finally:
        saved.set()
        reader.join()
        event.remove(desk.store.db.engine, "before_cursor_execute", hold_the_read)

    assert len(recorded) == 1
    assert [a.id for a in listed[0].appointments] == [booked]
