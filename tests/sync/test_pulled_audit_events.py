"""AuditEvents from other systems are records like any other and are pulled; only Hearth's
own uploaded trail (marked with its tag, sync.audit_events) stays out, since each
workstation's local trail is the source of its own."""

import httpx

from fhir_common import fhir_json
from tests.sync.stations import patient, sync

LAB_EVENT = {
    "resourceType": "AuditEvent", "id": "lab-audit-1",
    "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110",
             "display": "Patient Record"},
    "action": "R", "recorded": "2025-03-01T10:00:00Z", "outcome": "0",
    "agent": [{"who": {"display": "Riverside lab system"}, "requestor": True}],
    "source": {"observer": {"display": "Riverside lab"}},
}


def held_audit_events(ws) -> list[str]:
    with ws.store.read() as conn:
        return conn.exec_driver_sql("SELECT id FROM resource WHERE type = 'AuditEvent' "
                                    "AND deleted = 0").scalars().all()


def test_a_labs_audit_events_are_pulled_and_hearths_own_trail_is_not(a, b, fresh_fhir_server):
    httpx.put(f"{fresh_fhir_server.base_url}AuditEvent/lab-audit-1",
              content=fhir_json.dumps(LAB_EVENT),
              headers={"Content-Type": "application/fhir+json"}).raise_for_status()
    a.patients.register(a.session, patient("Okafor"))
    assert sync(a, fresh_fhir_server).audit.uploaded > 0  # A's trail is on the server now
    sync(b, fresh_fhir_server)
    assert held_audit_events(b) == ["lab-audit-1"]
