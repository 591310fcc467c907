"""A whole visit charted offline on one workstation, seen on another after both sync.

Check-in, visit, vitals, a problem, an allergy and a signed note, all written while no
server is reachable (nothing syncs until the end), then one real FHIR server between
workstation A and workstation B.
"""

from datetime import datetime

from app.store.resources import put_resource
from tests.sync.stations import PASSWORD, patient, sync

PRACTITIONER = {"resourceType": "Practitioner", "id": "dr-okafor",
                "name": [{"family": "Okafor", "given": ["Ada"], "prefix": ["Dr"]}]}


def clinic_reference_data(ws) -> None:
    """The practitioner a clinic's import or sync would have brought to the workstation."""
    with ws.store.write() as conn:
        put_resource(conn, dict(PRACTITIONER), "setup", "2026-01-01T00:00:00+00:00")


def test_a_visit_charted_offline_on_a_is_all_there_on_b(a, b, fresh_fhir_server):
    clinic_reference_data(a)
    ann = a.patients.register(a.session, patient("Mensah", "Ama"))
    booked = a.schedule.book(a.session, ann["id"], "Practitioner/dr-okafor",
                             datetime.now().replace(second=0, microsecond=0), 20, "Follow-up")
    a.schedule.check_in(a.session, booked.id)
    visit = a.encounters.start_visit(a.session, ann["id"], booked.id)
    a.vitals.record(a.session, ann["id"], {"systolic": "150", "diastolic": "95",
                                           "heart_rate": "88"}, visit["id"])
    a.problems.add(a.session, ann["id"], "I10")
    a.allergies.add(a.session, ann["id"], "Penicillin", "Hives", "moderate")
    draft = a.notes.start_draft(a.session, ann["id"], "soap", visit["id"])
    a.notes.save_draft(a.session, draft.id, "S: headaches.\nA: hypertension.\nP: start ACEi.")
    note = a.notes.sign(a.session, draft.id, PASSWORD)
    a.encounters.finish_visit(a.session, visit["id"])

    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)

    chart = b.chart.summary(b.session, ann["id"])
    assert [p.title for p in chart.active_problems] == ["Essential (primary) hypertension"]
    assert [x.title for x in chart.allergies] == ["Penicillin"]
    assert {v.value for v in chart.latest_vitals} >= {"150 mmHg / 95 mmHg", "88 /min"}
    assert (chart.counts["encounters"], chart.counts["notes"]) == (1, 1)
    seen = b.notes.read(b.session, ann["id"], note.id)
    assert "P: start ACEi." in seen.text and seen.locked
    assert b.schedule.today(b.session, booked.start.date()).appointments[0].status == "fulfilled"
