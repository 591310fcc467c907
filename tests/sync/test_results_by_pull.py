"""Results reaching a workstation by sync land in its inbox, one review item per report
whichever workstation filed it, and an acknowledgement made on one clears it on the other.

A real SEKMET server between workstation A and workstation B (tests/sync/conftest.py); the
lab interface is this test putting a report straight onto the server.
"""

import uuid

import httpx
import orjson
from sqlalchemy import text

from app.bootstrap import SyncSettings
from app.clinical.orders.service_requests import OrderLine
from app.store import audit_log
from sync.transport import Transport
from tests.sync.stations import patient, sync
from tests.sync.test_pull_without_history import hidden_history

HH = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                  "code": "HH"}]}


def lab_report(patient_id: str, order_id: str) -> tuple[dict, dict]:
    """A critical potassium and its report, answering the order, as a lab sends them."""
    tag = uuid.uuid4().hex[:8]
    potassium = {"resourceType": "Observation", "id": f"k-{tag}", "status": "final",
                 "code": {"text": "Potassium"}, "subject": {"reference": f"Patient/{patient_id}"},
                 "effectiveDateTime": "2026-03-02T09:00:00+00:00", "interpretation": [HH],
                 "valueQuantity": {"value": 6.9, "unit": "mmol/L"}}
    report = {"resourceType": "DiagnosticReport", "id": f"rep-{tag}", "status": "final",
              "code": {"text": "Basic metabolic panel"},
              "basedOn": [{"reference": f"ServiceRequest/{order_id}"}],
              "subject": {"reference": f"Patient/{patient_id}"},
              "issued": "2026-03-02T10:00:00+00:00",
              "result": [{"reference": f"Observation/{potassium['id']}"}]}
    return potassium, report


def ordered(a, b, server) -> tuple[str, str]:
    """A signs a panel for a new patient; both workstations have it."""
    ann = a.patients.register(a.session, patient("Mensah", "Ann"))
    a.orders.pend(a.session, ann["id"], OrderLine("51990-0"))
    [order] = a.orders.sign_basket(a.session, ann["id"])
    sync(a, server)
    sync(b, server)
    return ann["id"], order["id"]


def tasks(ws, patient_id: str) -> list[tuple[str, str]]:
    with ws.store.read() as conn:
        return conn.execute(text(
            "SELECT id, json_extract(json, '$.status') FROM resource WHERE type = 'Task' "
            "AND json_extract(json, '$.for.reference') = :p"), {"p": f"Patient/{patient_id}"}
            ).all()


def test_a_result_the_lab_put_on_the_server_is_filed_once_and_acknowledged_everywhere(
        a, b, fhir_server):
    patient_id, order_id = ordered(a, b, fhir_server)
    lab_puts(fhir_server, patient_id, order_id)
    sync(a, fhir_server)
    sync(b, fhir_server)

    [on_a], [on_b] = (ws.results_inbox.open_items(ws.session) for ws in (a, b))
    assert (on_a.test, on_a.flag, on_a.order_id) == ("Basic metabolic panel", "critical",
                                                     order_id)
    assert on_b.task_id == on_a.task_id  # the same item, not one per workstation

    a.results_inbox.acknowledge(a.session, on_a.task_id, "Repeat K+ today")
    for ws in (a, b, a, b):
        sync(ws, fhir_server)
    assert tasks(a, patient_id) == tasks(b, patient_id) == [(on_a.task_id, "completed")]
    assert b.results_inbox.open_items(b.session) == []
    assert a.conflicts.list(a.session) == b.conflicts.list(b.session) == []


def test_both_workstations_filing_one_result_before_either_sends_keep_one_item(
        a, b, fhir_server):
    patient_id, order_id = ordered(a, b, fhir_server)
    lab_puts(fhir_server, patient_id, order_id)
    sync(a, fhir_server)
    sync(b, fhir_server)  # both filed it before either acknowledged
    [item] = b.results_inbox.open_items(b.session)
    b.results_inbox.acknowledge(b.session, item.task_id)
    for ws in (b, a, b, a):
        sync(ws, fhir_server)

    assert tasks(a, patient_id) == tasks(b, patient_id) == [(item.task_id, "completed")]
    assert a.results_inbox.open_items(a.session) == []
    assert a.conflicts.list(a.session) == b.conflicts.list(b.session) == []


def lab_puts(server, patient_id: str, order_id: str) -> tuple[dict, dict]:
    """The lab interface puts a potassium and its report straight onto the server."""
    potassium, report = lab_report(patient_id, order_id)
    for resource in (potassium, report):
        httpx.put(f"{server.base_url}{resource['resourceType']}/{resource['id']}",
                  content=orjson.dumps(resource), timeout=10,
                  headers={"Content-Type": "application/fhir+json"}).raise_for_status()
    return potassium, report


def test_a_server_read_type_by_type_files_a_report_once_its_results_are_here(
        a, b, fhir_server):
    """Without system history the pull reads DiagnosticReport, then Observation, ... then
    Task: B files each report when its potassium arrives (so it is flagged critical), and
    A's acknowledgement, arriving last, replaces B's item without a conflict."""
    patient_id, order_id = ordered(a, b, fhir_server)
    _, seen = lab_puts(fhir_server, patient_id, order_id)
    _, waiting = lab_puts(fhir_server, patient_id, order_id)
    sync(a, fhir_server)
    item = next(i for i in a.results_inbox.open_items(a.session)
                if i.result == f"DiagnosticReport/{seen['id']}")
    a.results_inbox.acknowledge(a.session, item.task_id)
    sync(a, fhir_server)

    engine = b.sync_engine(SyncSettings(fhir_server.base_url))
    engine.transport.close()
    engine.transport = Transport(fhir_server.base_url, transport=hidden_history())
    try:
        engine.run_once()
    finally:
        engine.transport.close()

    [left] = b.results_inbox.open_items(b.session)
    assert left.result == f"DiagnosticReport/{waiting['id']}" and left.flag == "critical"
    with b.store.read() as conn:
        assert conn.execute(text("SELECT json_extract(json, '$.priority') FROM resource "
                                 "WHERE id = :id"), {"id": left.task_id}).scalar() == "stat"
    assert sorted(status for _, status in tasks(b, patient_id)) == ["completed", "requested"]
    assert b.conflicts.list(b.session) == []


def test_the_trail_says_the_sync_filed_the_result_not_the_user_who_started_it(
        a, b, fhir_server):
    patient_id, order_id = ordered(a, b, fhir_server)
    lab_puts(fhir_server, patient_id, order_id)
    sync(b, fhir_server)  # Dr Pat starts it; the sync, not Pat, stores and files the result
    [item] = [i for i in b.results_inbox.open_items(b.session) if i.patient_id == patient_id]
    with b.store.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT user, role, action, entity, detail FROM audit WHERE patient = ? AND "
            "(entity = ? OR detail LIKE 'received%') ORDER BY seq DESC LIMIT 2",
            (patient_id, f"Task/{item.task_id}")).all()
        chained = audit_log.verify(conn).intact
    assert {row[:4] for row in rows} == {
        ("sync", "system", "create", f"Task/{item.task_id}"),
        ("sync", "system", "update", f"Patient/{patient_id}")}
    assert all(row.detail.endswith("; sync started by pat") for row in rows)
    assert chained
