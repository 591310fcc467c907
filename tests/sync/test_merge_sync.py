"""A merge reaches the other workstations by sync, and once sent it is not undone here."""

import pytest

from app.clinical.patients.merge import PatientMerge
from app.errors import InvalidRecord
from tests.sync.stations import patient, sync


def test_a_merge_sent_shows_on_b_and_can_no_longer_be_undone_on_a(a, b, fresh_fhir_server):
    keep = a.patients.register(a.session, patient("Okafor"))["id"]
    other = a.patients.register(a.session, patient(
        "Okafur", identifier=[{"system": "urn:mrn", "value": "MRN-2"}]))["id"]
    a.vitals.record(a.session, other, {"heart_rate": "88"})
    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)
    merging = PatientMerge(a.store, a.changes)
    merge = merging.merge(a.session, keep, other)

    sync(a, fresh_fhir_server)
    sync(b, fresh_fhir_server)

    with pytest.raises(InvalidRecord, match="it has been sent to the server"):
        merging.undo(a.session, merge.merge_id)
    assert b.chart.summary(b.session, keep).counts["vitals"] == 1
    assert b.patients.get(b.session, other)["active"] is False
    assert [hit.patient_id for hit in b.search.search(b.session, "MRN-2")] == [keep]
