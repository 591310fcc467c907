"""A walk-in registered offline on two workstations: after sync each workstation has both
records and the pair flagged for review; nothing is merged by itself."""

from sqlalchemy import text

from app.clinical.patients.arrived_duplicates import PossibleDuplicates
from app.clinical.patients.merge import PatientMerge
from tests.sync.stations import patient, sync

WALK_IN = patient("Mensah", "Kofi", telecom=[{"system": "phone", "value": "555-0199"}])


def test_each_workstation_flags_the_walk_in_registered_on_both(a, b, fresh_fhir_server):
    on_a = a.patients.register(a.session, dict(WALK_IN))["id"]
    on_b = b.patients.register(b.session, {**WALK_IN, "name": [{"family": "Mensah",
                                                                 "given": ["Kofi", "A."]}]})["id"]

    for ws in (a, b, a, b):  # the second round of each must not flag the pair again
        sync(ws, fresh_fhir_server)

    for ws in (a, b):
        with ws.store.read() as conn:
            audited = conn.execute(text("SELECT count(*) FROM audit")).scalar_one()
        assert PossibleDuplicates(ws.store).count(ws.session) == 1
        with ws.store.read() as conn:  # a count names no one: not an audited read
            assert conn.execute(text("SELECT count(*) FROM audit")).scalar_one() == audited
        [pair] = PossibleDuplicates(ws.store).open(ws.session)
        assert {pair.patient_id, pair.other_id} == {on_a, on_b}
        assert pair.why == "same birth date and phone; same name"
        for patient_id in (on_a, on_b):  # both stay, active and unlinked
            record = ws.patients.get(ws.session, patient_id)
            assert "active" not in record and "link" not in record
        with ws.store.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit WHERE detail LIKE "
                                     "'flagged for review:%'")).scalar_one() == 1


def test_a_patient_received_who_is_someone_else_is_not_flagged(a, b, fresh_fhir_server):
    a.patients.register(a.session, dict(WALK_IN))
    b.patients.register(b.session, patient("Mensah", "Ama", birthDate="1985-07-02"))

    for ws in (a, b, a):
        sync(ws, fresh_fhir_server)

    assert PossibleDuplicates(a.store).open(a.session) == []
    assert PossibleDuplicates(b.store).open(b.session) == []


def test_a_merge_made_on_a_closes_the_flag_on_b_when_it_arrives(a, b, fresh_fhir_server):
    on_a = a.patients.register(a.session, dict(WALK_IN))["id"]
    on_b = b.patients.register(b.session, dict(WALK_IN))["id"]
    for ws in (a, b, a):
        sync(ws, fresh_fhir_server)
    assert len(PossibleDuplicates(b.store).open(b.session)) == 1

    PatientMerge(a.store, a.changes).merge(a.session, on_a, on_b)
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)

    assert PossibleDuplicates(a.store).open(a.session) == []
    assert PossibleDuplicates(b.store).open(b.session) == []
    assert b.patients.get(b.session, on_b)["active"] is False
