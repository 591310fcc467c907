"""Importing appointments whose Slot, Schedule or practitioner this clinic does not know:
each is imported (nothing lost) and named in the report, by id and time, for the front desk."""

import orjson
from sqlalchemy import text

from tests.conftest import password_of

DOC = {"resourceType": "Practitioner", "id": "doc-p", "name": [{"family": "Ortiz"}],
       "identifier": [{"system": "urn:hearth:user", "value": "doc"}]}
PATIENT = {"resourceType": "Patient", "id": "pat-1", "name": [{"family": "Okafor"}]}
SCHEDULE = {"resourceType": "Schedule", "id": "sch-doc",
            "actor": [{"reference": "Practitioner/doc-p"}]}


def appointment(aid: str, practitioner: str, slot: str | None = None,
                status: str = "booked") -> dict:
    return {"resourceType": "Appointment", "id": aid, "status": status,
            "start": "2031-06-02T09:00:00+00:00", "end": "2031-06-02T09:15:00+00:00",
            **({"slot": [{"reference": slot}]} if slot else {}),
            "participant": [{"actor": {"reference": "Patient/pat-1"}, "status": "accepted"},
                            {"actor": {"reference": practitioner}, "status": "accepted"}]}


def slot(sid: str, schedule: str) -> dict:
    return {"resourceType": "Slot", "id": sid, "status": "busy",
            "schedule": {"reference": schedule},
            "start": "2031-06-02T09:00:00+00:00", "end": "2031-06-02T09:15:00+00:00"}


def test_appointments_on_no_calendar_are_imported_and_named(admin, tmp_path):
    admin.users.add(admin.session, "doc", "Elena Ortiz", "physician", password_of("doc"))
    entries = [DOC, PATIENT, SCHEDULE, slot("s-ok", "Schedule/sch-doc"),
               slot("s-lost", "Schedule/gone"),
               appointment("fine", "Practitioner/doc-p", "Slot/s-ok"),
               appointment("no-slot", "Practitioner/doc-p", "Slot/nowhere"),
               appointment("no-schedule", "Practitioner/doc-p", "Slot/s-lost"),
               appointment("visitor", "Practitioner/visiting"),
               appointment("gone-anyway", "Practitioner/visiting", status="cancelled")]
    path = tmp_path / "appointments.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in entries]}))
    report = admin.importer.run(admin.session, [path])

    assert (report.imported, report.skipped) == (10, 0)  # nothing lost
    with admin.store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM resource WHERE type = 'Appointment'")
                            ).scalar_one() == 5
    said = {p.reason.split()[1]: p.reason for p in report.unscheduled}
    assert sorted(said) == ["no-schedule", "no-slot", "visitor"]
    assert said["no-slot"].startswith("Appointment no-slot at ")
    assert "Slot/nowhere is in neither the file nor the store" in said["no-slot"]
    assert "Slot/s-lost is in Schedule/gone, which is in neither" in said["no-schedule"]
    assert "Practitioner/visiting is not one of this clinic's clinicians" in said["visitor"]
    assert "on no provider's calendar: book it with a clinician here" in said["visitor"]
    assert [p.entry for p in report.unscheduled] == [6, 7, 8]
    assert "3 appointments on no provider's calendar" in report.summary()
