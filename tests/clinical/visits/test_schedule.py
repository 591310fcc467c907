"""The schedule: a local day's appointments in order, and check-in as one audited write."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from app.clinical import records
from app.clinical.visits.schedule import Schedule
from app.errors import InvalidRecord, NotFound, PermissionDenied
from app.store.resources import put_resource
from fhir_common import fhir_json
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "desk": ("Frank Desk", "front-desk"),
         "bill": ("Bill Ing", "billing"),
         "beer": ("Georgann Beer", "physician")}  # named as a Synthea practitioner


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """One store for the module (two Synthea patients and their practitioners); each test
    books on a day of its own."""
    yield from signed_in_users(tmp_path_factory.mktemp("schedule") / "store", USERS)


@pytest.fixture
def desk(clinic):
    return clinic["desk"]


@pytest.fixture(scope="module")
def people(clinic):
    """Patient ids by family name, and two practitioners as (reference, "Given Family")."""
    with clinic["desk"].store.read() as conn:
        patients = dict(conn.execute(text(
            "SELECT json_extract(json, '$.name[0].family'), id FROM resource "
            "WHERE type = 'Patient'")).all())
        doctors = conn.execute(text(
            "SELECT 'Practitioner/' || id, json_extract(json, '$.name[0].given[0]') || ' ' || "
            "json_extract(json, '$.name[0].family') FROM resource WHERE type = 'Practitioner' "
            "ORDER BY id LIMIT 2")).all()
    return patients, doctors



def book(ws, people, day: date, hhmm: str, family="Conn", doctor=0, **kwargs):
    patients, doctors = people
    start = datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time())
    return Schedule(ws.store).book(ws.session, patients[family], doctors[doctor][0], start, 20,
                                   kwargs.pop("kind", "Follow-up"), **kwargs)


def test_a_day_lists_its_appointments_in_local_time_order(desk, people, auckland):
    day = date(2031, 11, 24)
    late = book(desk, people, day, "23:40", "Johnston")
    early = book(desk, people, day, "00:05")
    middle = book(desk, people, day, "09:30", kind="Check-up")
    book(desk, people, day - timedelta(days=1), "23:55")
    book(desk, people, day + timedelta(days=1), "00:00")
    book(desk, people, day, "10:00", status="entered-in-error")

    listed = Schedule(desk.store).today(desk.session, day).appointments

    assert [a.id for a in listed] == [early.id, middle.id, late.id]
    patients, doctors = people
    shown = listed[1]
    assert (shown.start.strftime("%H:%M"), shown.end.strftime("%H:%M")) == ("09:30", "09:50")
    assert shown.start.utcoffset() == timedelta(hours=13)
    assert (shown.patient_id, shown.patient_name) == (patients["Conn"], "Conn, Liz")
    assert (shown.practitioner, shown.type, shown.status) == (doctors[0][1], "Check-up", "booked")


def test_mine_is_the_providers_practitioner_found_as_the_calendar_finds_it(desk, people):
    day = date(2031, 11, 25)
    with desk.store.read() as conn:
        beer = "Practitioner/" + conn.execute(text(
            "SELECT id FROM resource WHERE type = 'Practitioner' "
            "AND json_extract(json, '$.name[0].family') = 'Beer'")).scalar_one()
    patients, _ = people
    start = datetime.combine(day, datetime.strptime("10:00", "%H:%M").time())
    mine = Schedule(desk.store).book(desk.session, patients["Conn"], beer, start, 20,
                                     "Follow-up")
    book(desk, people, day, "11:00", doctor=1)

    listed = Schedule(desk.store).today(desk.session, day, provider="beer")

    assert [a.id for a in listed.appointments] == [mine.id]
    assert listed.total == 1


def test_reading_the_day_audits_one_row_naming_the_patients_shown(desk, people):
    day = date(2031, 11, 26)
    shown = [book(desk, people, day, hhmm, family) for hhmm, family in
             (("08:30", "Conn"), ("09:00", "Johnston"), ("09:30", "Conn"))]

    Schedule(desk.store).today(desk.session, day)

    with desk.store.read() as conn:
        rows = conn.execute(text(
            "SELECT entity, patient, user, detail FROM audit WHERE action = 'read' "
            "AND detail LIKE 'schedule of 2031-11-26%' ORDER BY seq")).all()
    assert rows == [("Appointment", None, "desk", "schedule of 2031-11-26, appointments 1-3 "
                     f"of 3; patients: {shown[0].patient_id}, {shown[1].patient_id}")]


def test_check_in_writes_record_outbox_and_audit_together(desk, people):
    booked = book(desk, people, date(2031, 11, 27), "09:00")

    arrived = Schedule(desk.store).check_in(desk.session, booked.id)

    assert arrived.status == "arrived"
    with desk.store.read() as conn:
        stored = conn.execute(text("SELECT json_extract(json, '$.status') FROM resource "
                                   "WHERE type = 'Appointment' AND id = :id"),
                              {"id": booked.id}).scalar_one()
        outbox = conn.execute(text("SELECT op, json_extract(json, '$.status') FROM outbox "
                                   "WHERE id = :id ORDER BY seq"), {"id": booked.id}).all()
        audited = conn.execute(text("SELECT action, patient, detail FROM audit "
                                    "WHERE entity = :e AND action != 'read' ORDER BY seq"),
                               {"e": f"Appointment/{booked.id}"}).all()
    assert stored == "arrived"
    assert outbox == [("create", "booked"), ("update", "arrived")]
    assert audited[-1] == ("update", booked.patient_id, "checked in (arrived)")
    assert len(audited) == 2


def test_a_check_in_whose_audit_row_fails_leaves_nothing_changed(desk, people, monkeypatch):
    booked = book(desk, people, date(2031, 11, 28), "09:00")

    def broken(conn, events):
        raise RuntimeError("disk full")

    monkeypatch.setattr(records.audit, "append_many", broken)
    with pytest.raises(RuntimeError):
        Schedule(desk.store).check_in(desk.session, booked.id)

    with desk.store.read() as conn:
        assert conn.execute(text("SELECT json_extract(json, '$.status') FROM resource "
                                 "WHERE id = :id"), {"id": booked.id}).scalar_one() == "booked"
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                            {"id": booked.id}).scalar_one() == 1


def test_an_appointment_fhir_refuses_is_not_checked_in(desk, people):
    """As a pull may have stored it: a duration FHIR R4 does not allow."""
    booked = book(desk, people, date(2031, 12, 2), "11:00")
    with desk.store.write() as conn:
        stored = conn.execute(text("SELECT json FROM resource WHERE id = :id"),
                              {"id": booked.id}).scalar_one()
        put_resource(conn, {**fhir_json.loads(stored), "minutesDuration": -5}, "sync",
                     "2031-11-20T00:00:00+00:00")

    with pytest.raises(InvalidRecord, match=r"^Not a valid FHIR R4 Appointment: "
                                            r"Appointment\.minutesDuration: -5 is not a "
                                            r"positiveInt"):
        Schedule(desk.store).check_in(desk.session, booked.id)

    with desk.store.read() as conn:
        assert conn.execute(text("SELECT json_extract(json, '$.status') FROM resource "
                                 "WHERE id = :id"), {"id": booked.id}).scalar_one() == "booked"


def test_billing_reads_the_day_but_may_not_check_in(clinic, people):
    booked = book(clinic["desk"], people, date(2031, 11, 29), "09:00")
    billing = clinic["bill"]

    listed = Schedule(billing.store).today(billing.session, date(2031, 11, 29))
    assert [a.id for a in listed.appointments] == [booked.id]
    with pytest.raises(PermissionDenied, match="may not book appointments and check patients in"):
        Schedule(billing.store).check_in(billing.session, booked.id)


@pytest.mark.parametrize(("status", "reason"), [
    ("cancelled", "appointment at 09:00 on 30 Nov was cancelled; book a new one"),
    ("arrived", "is already checked in"),
    ("fulfilled", "is already over"),
])
def test_check_in_is_refused_with_the_reason(desk, people, status, reason):
    booked = book(desk, people, date(2031, 11, 30), "09:00", status=status)

    with pytest.raises(InvalidRecord, match=reason) as refused:
        Schedule(desk.store).check_in(desk.session, booked.id)

    assert refused.value.message.startswith("The patient cannot be checked in")


def test_checking_in_an_unknown_appointment_says_so(desk):
    with pytest.raises(NotFound, match="no appointment nope to check in"):
        Schedule(desk.store).check_in(desk.session, "nope")


def test_booking_checks_what_it_is_given(desk, people):
    patients, doctors = people
    service, at = Schedule(desk.store), datetime(2031, 12, 1, 9)
    with pytest.raises(NotFound, match="no patient"):
        service.book(desk.session, "missing", doctors[0][0], at, 20, "Routine")
    with pytest.raises(InvalidRecord, match="not a Practitioner/<id>"):
        service.book(desk.session, patients["Conn"], "Patient/x", at, 20, "Routine")
    with pytest.raises(InvalidRecord, match="not an appointment status"):
        service.book(desk.session, patients["Conn"], doctors[0][0], at, 20, "Routine",
                     status="done")
    assert service.today(desk.session, at.date()).total == 0
