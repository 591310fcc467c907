"""Two workstations and one real FHIR server: what one records, the other sees.

Each test runs against both servers (`any_fhir_server`): SEKMET, which keeps history, and
Medplum's in-memory router, which keeps none, so a delete there cannot reach B by a pull.
"""

import httpx
import pytest

from app.errors import NotFound
from tests.sync.stations import patient, sync


def edit(ws, patient_id: str, **fields) -> None:
    ws.patients.update(ws.session, {**ws.patients.get(ws.session, patient_id), **fields})


def test_a_patient_registered_on_a_appears_on_b(a, b, any_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, any_fhir_server)
    sync(b, any_fhir_server)
    assert b.patients.get(b.session, ann["id"])["name"][0]["family"] == "Okafor"
    assert [hit.patient_id for hit in b.search.search(b.session, "okafor")] == [ann["id"]]


def test_edits_of_different_fields_on_both_sides_both_survive(a, b, any_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, any_fhir_server)
    sync(b, any_fhir_server)
    edit(a, ann["id"], gender="female")
    edit(b, ann["id"], telecom=[{"system": "phone", "value": "555-0101"}])
    sync(a, any_fhir_server)
    report = sync(b, any_fhir_server)
    sync(a, any_fhir_server)
    assert report.pushed.merged == 1
    for ws in (a, b):
        record = ws.patients.get(ws.session, ann["id"])
        assert (record["gender"], record["telecom"][0]["value"]) == ("female", "555-0101")
        assert ws.conflicts.list(ws.session) == []


def test_the_same_field_edited_on_both_sides_is_a_conflict_resolved_by_a_person(
        a, b, any_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, any_fhir_server)
    sync(b, any_fhir_server)
    edit(a, ann["id"], birthDate="1980-03-15")
    edit(b, ann["id"], birthDate="1981-03-14")
    sync(a, any_fhir_server)
    sync(b, any_fhir_server)
    [conflict] = b.conflicts.list(b.session)
    assert conflict.kind == "edit" and "birthDate" in conflict.reason
    assert (conflict.local["birthDate"], conflict.remote["birthDate"]) == (
        "1981-03-14", "1980-03-15")
    b.conflicts.resolve(b.session, conflict.id, "local")
    sync(b, any_fhir_server)
    sync(a, any_fhir_server)
    assert a.patients.get(a.session, ann["id"])["birthDate"] == "1981-03-14"
    assert b.conflicts.list(b.session) == []


def test_a_patient_deleted_on_a_is_gone_from_b(a, b, any_fhir_server):
    ann = a.patients.register(a.session, patient("Okafor"))
    sync(a, any_fhir_server)
    sync(b, any_fhir_server)
    a.patients.delete(a.session, ann["id"], "duplicate registration")
    sync(a, any_fhir_server)
    report = sync(b, any_fhir_server)
    assert httpx.get(f"{any_fhir_server.base_url}Patient/{ann['id']}").status_code in (404, 410)
    if not any_fhir_server.history:  # the delete cannot reach B: sync must say so
        assert any("cannot see records deleted" in notice for notice in report.notices), report
        return
    with pytest.raises(NotFound):
        b.patients.get(b.session, ann["id"])
    assert b.search.search(b.session, "okafor") == []
