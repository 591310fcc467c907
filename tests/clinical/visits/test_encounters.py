"""Visits: started from a checked-in appointment (or from the chart), one in progress per
patient, finished once; each write is record + outbox + audit in one transaction."""

from datetime import date, datetime, time

import orjson
import pytest
from sqlalchemy import text

from app.clinical.fhir.validation import validation_errors
from app.clinical.visits.encounters import Encounters
from app.clinical.visits.schedule import Schedule
from app.errors import InvalidRecord, NotFound, PermissionDenied
from tests.conftest import signed_in_users

USERS = {"doc": ("Elena Ortiz", "physician"), "nina": ("Nina Nurse", "nurse"),
         "desk": ("Frank Desk", "front-desk"), "bill": ("Bill Ing", "billing")}


@pytest.fixture(scope="module")
def clinic(keyring_session, tmp_path_factory):
    """One store (two Synthea patients and their practitioners), a workstation per user."""
    yield from signed_in_users(tmp_path_factory.mktemp("encounters") / "store", USERS)


@pytest.fixture
def patient(clinic):
    """A patient of their own for each test, so visits in progress do not carry over."""
    desk = clinic["desk"]
    return desk.patients.register(desk.session, {
        "resourceType": "Patient", "name": [{"family": "Visit", "given": ["Vera"]}]})["id"]


@pytest.fixture
def appointment(clinic, patient):
    """Book the patient for today at 09:00; pass status="arrived" for a checked-in one."""
    desk = clinic["desk"]
    with desk.store.read() as conn:
        doctor = conn.execute(text("SELECT id FROM resource WHERE type = 'Practitioner' "
                                   "ORDER BY id LIMIT 1")).scalar_one()

    def booked(status: str = "booked"):
        return Schedule(desk.store).book(desk.session, patient, f"Practitioner/{doctor}",
                                         datetime.combine(date.today(), time(9)), 20,
                                         "Follow-up", status=status)
    return booked


def stored(ws, kind: str, rid: str) -> dict:
    with ws.store.read() as conn:
        return orjson.loads(conn.execute(text("SELECT json FROM resource WHERE type = :t "
                                              "AND id = :i"), {"t": kind, "i": rid}).scalar_one())


def trail(ws, rid: str) -> tuple[list, list]:
    """The outbox entries (op, status) and audit rows (user, action) of one resource."""
    with ws.store.read() as conn:
        outbox = conn.execute(text("SELECT op, json_extract(json, '$.status') FROM outbox "
                                   "WHERE id = :i ORDER BY seq"), {"i": rid}).all()
        audited = conn.execute(text("SELECT user, action FROM audit WHERE entity LIKE :e "
                                    "AND action != 'read' ORDER BY seq"), {"e": f"%/{rid}"}).all()
    return [tuple(r) for r in outbox], [tuple(r) for r in audited]


def test_starting_a_visit_from_a_checked_in_appointment(clinic, patient, appointment):
    nina = clinic["nina"]
    arrived = appointment("arrived")

    visit = Encounters(nina.store).start_visit(nina.session, patient, arrived.id)

    assert validation_errors("Encounter", orjson.dumps(visit)) == []
    assert (visit["status"], visit["class"]["code"]) == ("in-progress", "AMB")
    assert visit["subject"] == {"reference": f"Patient/{patient}"}
    assert [p["individual"]["display"] for p in visit["participant"]] == ["Nina Nurse"]
    assert visit["appointment"] == [{"reference": f"Appointment/{arrived.id}"}]
    assert visit["type"][0]["text"] == "Follow-up visit"
    assert datetime.fromisoformat(visit["period"]["start"]).date() == date.today()
    assert stored(nina, "Appointment", arrived.id)["status"] == "arrived"  # not seen yet
    assert trail(nina, visit["id"]) == ([("create", "in-progress")], [("nina", "create")])


def test_the_appointment_is_in_visit_while_it_lasts_and_fulfilled_once_finished(
        clinic, patient, appointment):
    nina, doc = clinic["nina"], clinic["doc"]
    arrived = appointment("arrived")
    visit = Encounters(nina.store).start_visit(nina.session, patient, arrived.id)

    [shown] = [a for a in Schedule(doc.store).today(doc.session, date.today()).appointments
               if a.id == arrived.id]
    assert (shown.status, shown.in_visit) == ("arrived", True)

    Encounters(doc.store).finish_visit(doc.session, visit["id"])

    [shown] = [a for a in Schedule(doc.store).today(doc.session, date.today()).appointments
               if a.id == arrived.id]
    assert (shown.status, shown.in_visit) == ("fulfilled", False)
    assert validation_errors("Appointment", orjson.dumps(stored(doc, "Appointment",
                                                                arrived.id))) == []
    assert trail(doc, arrived.id)[0][-1] == ("update", "fulfilled")
    assert trail(doc, arrived.id)[1][-1] == ("doc", "update")


def test_the_visit_in_progress_is_current_until_finished(clinic, patient):
    doc = clinic["doc"]
    encounters = Encounters(doc.store)
    assert encounters.current_visit(doc.session, patient) is None

    visit = encounters.start_visit(doc.session, patient)
    assert encounters.current_visit(doc.session, patient)["id"] == visit["id"]

    finished = encounters.finish_visit(doc.session, visit["id"])

    assert finished["status"] == "finished"
    assert finished["period"]["end"] >= finished["period"]["start"]
    assert validation_errors("Encounter", orjson.dumps(finished)) == []
    assert encounters.current_visit(doc.session, patient) is None
    assert trail(doc, visit["id"])[0] == [("create", "in-progress"), ("update", "finished")]
    with pytest.raises(InvalidRecord, match="This visit is not in progress: it is finished"):
        encounters.finish_visit(doc.session, visit["id"])


def test_a_second_clinician_joins_the_visit_in_progress(clinic, patient, appointment):
    nina, doc = clinic["nina"], clinic["doc"]
    first = Encounters(nina.store).start_visit(nina.session, patient)
    arrived = appointment("arrived")

    joined = Encounters(doc.store).start_visit(doc.session, patient, arrived.id)

    assert joined["id"] == first["id"]
    assert [p["individual"]["display"] for p in joined["participant"]] == [
        "Nina Nurse", "Elena Ortiz"]
    assert joined["appointment"] == [{"reference": f"Appointment/{arrived.id}"}]
    assert stored(doc, "Appointment", arrived.id)["status"] == "arrived"
    again = Encounters(doc.store).start_visit(doc.session, patient, arrived.id)
    assert again == joined  # pressing Start visit twice changes nothing
    assert len(trail(doc, first["id"])[0]) == 2


@pytest.mark.parametrize(("status", "reason"), [
    ("booked", "is not checked in yet; check the patient in first"),
    ("cancelled", "was cancelled"),
    ("fulfilled", "is already over"),
])
def test_a_visit_does_not_start_from_an_appointment_the_patient_is_not_here_for(
        clinic, patient, appointment, status, reason):
    doc = clinic["doc"]
    booked = appointment(status)

    with pytest.raises(InvalidRecord, match=reason):
        Encounters(doc.store).start_visit(doc.session, patient, booked.id)

    assert Encounters(doc.store).current_visit(doc.session, patient) is None
    assert stored(doc, "Appointment", booked.id)["status"] == status


def test_another_patients_appointment_or_an_unknown_patient_is_refused(clinic, patient,
                                                                        appointment):
    doc = clinic["doc"]
    someone_else = doc.patients.register(doc.session, {
        "resourceType": "Patient", "name": [{"family": "Other"}]})["id"]
    arrived = appointment("arrived")

    with pytest.raises(InvalidRecord, match="for another patient"):
        Encounters(doc.store).start_visit(doc.session, someone_else, arrived.id)
    with pytest.raises(NotFound, match="no patient nobody"):
        Encounters(doc.store).start_visit(doc.session, "nobody")
    assert stored(doc, "Appointment", arrived.id)["status"] == "arrived"


@pytest.mark.parametrize("user", ["desk", "bill"])
def test_front_desk_and_billing_may_not_start_or_finish_visits(clinic, patient, user):
    ws, doc = clinic[user], clinic["doc"]
    visit = Encounters(doc.store).start_visit(doc.session, patient)

    with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
        Encounters(ws.store).start_visit(ws.session, patient)
    with pytest.raises(PermissionDenied, match="may not edit the clinical chart"):
        Encounters(ws.store).finish_visit(ws.session, visit["id"])
    assert Encounters(doc.store).current_visit(doc.session, patient)["status"] == "in-progress"
