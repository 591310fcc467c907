"""Results arriving by import on a real store: matched to their order, flagged, filed to
the ordering physician's inbox in the import's own transaction, acknowledged with a note;
an unknown order goes to the clinic queue and a deceased patient's result is still filed."""

import orjson
import pytest
from sqlalchemy import text

from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.records import Records
from app.clinical.results.inbox import Inbox
from app.errors import InvalidRecord, PermissionDenied
from app.security.roles import Permission
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)

CBC = "58410-2"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def signed_cbc(ward) -> dict:
    doc, orders = ward.doctor, Orders(ward.doctor.store, ward.doctor.changes)
    orders.pend(doc.session, ward.patient_id, OrderLine(CBC))
    return orders.sign_basket(doc.session, ward.patient_id)[0]


def potassium(patient_id: str, value: float, code: str | None = None) -> dict:
    observation = {
        "resourceType": "Observation", "id": f"k-{value}", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}],
                 "text": "Potassium"},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": "2026-03-02T09:00:00+00:00",
        "valueQuantity": {"value": value, "unit": "mmol/L"},
        "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.1}}]}
    if code:
        observation["interpretation"] = [{"coding": [{"system": INTERPRETATION, "code": code}]}]
    return observation


def report(patient_id: str, based_on: list[dict], *observations: dict) -> dict:
    return {"resourceType": "DiagnosticReport", "id": "rep-1", "status": "final",
            "code": {"text": "Complete blood count"}, "basedOn": based_on,
            "subject": {"reference": f"Patient/{patient_id}"},
            "issued": "2026-03-02T10:00:00+00:00",
            "result": [{"reference": f"Observation/{o['id']}"} for o in observations]}


def run_import(admin, tmp_path, *resources):
    path = tmp_path / "results.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in resources]}))
    return admin.importer.run(admin.session, [path])


def test_an_imported_report_lands_in_the_ordering_physicians_inbox_flagged(ward, admin,
                                                                          tmp_path):
    order = signed_cbc(ward)
    k = potassium(ward.patient_id, 6.9, "HH")
    run_import(admin, tmp_path, report(ward.patient_id, [
        {"reference": f"ServiceRequest/{order['id']}"}], k), k)

    [item] = Inbox(ward.doctor.store).open_items(ward.doctor.session)

    assert (item.patient, item.test, item.flag, item.order_id) == (
        "Okafor, Ann", "Complete blood count", "critical", order["id"])
    assert item.result == "DiagnosticReport/rep-1"
    with admin.store.read() as conn:  # one transaction: the Task was written with the report
        times = conn.execute(text(
            "SELECT type, json_extract(json, '$.meta.lastUpdated') FROM resource "
            "WHERE type IN ('Task', 'DiagnosticReport')")).all()
    assert len({at for _, at in times}) == 1 and len(times) == 2


def test_a_placer_number_matches_when_there_is_no_based_on_and_the_range_flags_it(
        ward, admin, tmp_path):
    order = signed_cbc(ward)
    low = potassium(ward.patient_id, 3.1)  # below the range, no interpretation
    low["identifier"] = [{"type": {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PLAC"}]},
        "value": order["id"]}]
    run_import(admin, tmp_path, low)

    [item] = Inbox(ward.doctor.store).open_items(ward.doctor.session)
    assert (item.test, item.flag, item.order_id) == ("Potassium", "abnormal", order["id"])


def test_a_result_for_an_unknown_order_goes_to_the_clinic_queue_and_the_import_says_so(
        ward, admin, tmp_path):
    k = potassium(ward.patient_id, 4.2, "N")
    imported = run_import(admin, tmp_path, report(ward.patient_id, [
        {"reference": "ServiceRequest/elsewhere-9"}], k), k)

    assert [w.reason for w in imported.warnings if "clinic queue" in w.reason] == [
        "DiagnosticReport/rep-1 is for ServiceRequest/elsewhere-9, which is not on this "
        "computer: it was filed to the clinic queue for review"]
    [item] = Inbox(ward.doctor.store).open_items(ward.doctor.session)  # physicians see it
    assert (item.order_id, item.flag) == (None, None)
    assert Inbox(ward.nurse.store).open_items(ward.nurse.session) == []


def test_a_result_for_a_deceased_patient_is_filed_and_marked(ward, admin, tmp_path):
    order = signed_cbc(ward)
    with Records(ward.doctor.store).write(ward.doctor.session, Permission.EDIT_CHART) as work:
        ann = work.get("Patient", ward.patient_id)
        work.save({**ann, "deceasedDateTime": "2026-03-01"}, "update", "died")
    k = potassium(ward.patient_id, 5.0)
    k["basedOn"] = [{"reference": f"ServiceRequest/{order['id']}"}]
    imported = run_import(admin, tmp_path, k)

    assert any("recorded as deceased: filed for review" in w.reason for w in imported.warnings)
    [item] = Inbox(ward.doctor.store).open_items(ward.doctor.session)
    assert item.deceased and item.notes == ("The patient is recorded as deceased on "
                                            "2026-03-01.",)


def test_acknowledging_completes_the_item_with_its_note_once_and_audited(ward, admin,
                                                                       tmp_path):
    order = signed_cbc(ward)
    k = potassium(ward.patient_id, 4.0)
    k["basedOn"] = [{"reference": f"ServiceRequest/{order['id']}"}]
    run_import(admin, tmp_path, k)
    inbox = Inbox(ward.doctor.store)
    [item] = inbox.open_items(ward.doctor.session)
    with pytest.raises(InvalidRecord, match="filed to Drlee, not to you"):
        Inbox(ward.nurse.store).acknowledge(ward.nurse.session, item.task_id)

    task = inbox.acknowledge(ward.doctor.session, item.task_id, "Normal, tell patient")

    assert task["status"] == "completed"
    assert task["note"][-1]["text"] == "Acknowledged: Normal, tell patient"
    assert inbox.open_items(ward.doctor.session) == []
    with pytest.raises(InvalidRecord, match="already acknowledged by Drlee at "):
        inbox.acknowledge(ward.doctor.session, item.task_id)
    with admin.store.read() as conn:
        assert conn.execute(text("SELECT detail FROM audit WHERE action = 'update' "
                                 "AND entity LIKE 'Task/%'")).scalars().all() == [
            "result acknowledged: Potassium; note: Normal, tell patient"]
    run_import(admin, tmp_path, {**k, "status": "amended"})  # changed: no second item
    assert inbox.open_items(ward.doctor.session) == []


def test_front_desk_may_not_open_the_inbox(ward):
    with pytest.raises(PermissionDenied):
        Inbox(ward.desk.store).open_items(ward.desk.session)


def test_chart_history_naming_no_order_makes_no_item(ward, admin, tmp_path):
    run_import(admin, tmp_path, potassium(ward.patient_id, 9.9, "HH"))
    assert Inbox(ward.doctor.store).open_items(ward.doctor.session) == []
