"""The chart a clinician reads: section counts match the source, summary first, pages after,
and each record marked "pending" until the server has confirmed it."""

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.clinical.chart.chart_items import describe
from app.errors import NotFound, PermissionDenied
from tests.fhir_counts import expected_sections
from tests.sync.conftest import a, fresh_fhir_server  # noqa: F401 (fixtures)
from tests.sync.stations import patient, sync

SYNTHEA = Path(__file__).parents[2] / "data" / "synthea"
HL7_MEDICATIONS = Path(__file__).parents[2] / "data" / "hl7-medication-examples"
NOT_GIVEN = "http://example.org/fhir/StructureDefinition/not-given"


@pytest.fixture
def doctor(admin, env, store_dir):
    admin.importer.run(admin.session, [SYNTHEA])
    admin.users.add(admin.session, "drlee", "Dr Lee", "physician", "doctor pass 1")
    return open_workstation(env, store_dir, "drlee", "doctor pass 1")


def patient_named(ws, family_start):
    with ws.store.read() as conn:
        return conn.execute(text("SELECT patient_id FROM patient_search WHERE names MATCH :n"),
                            {"n": f"{family_start}*"}).scalar_one()


def test_section_counts_equal_an_independent_count_of_the_bundles(doctor):
    for patient_id, expected in expected_sections(sorted(SYNTHEA.glob("*.json"))).items():
        counts = doctor.chart.summary(doctor.session, patient_id).counts
        assert {s: n for s, n in counts.items() if n} == dict(expected)


def test_summary_shows_active_problems_meds_and_latest_vitals(doctor):
    summary = doctor.chart.summary(doctor.session, patient_named(doctor, "Johnston"))
    assert "Osteoarthritis of knee" in [p.title for p in summary.active_problems]
    assert [m.title for m in summary.active_medications] == ["Naproxen sodium 220 MG Oral Tablet"]
    vitals = {v.title: v.value for v in summary.latest_vitals}
    assert vitals["Blood Pressure"] == "124.7… mmHg / 82.54… mmHg"  # systolic first
    assert summary.encounters[0].date >= summary.encounters[-1].date


def test_latest_vitals_show_one_line_per_sign_whatever_its_code_or_display(doctor):
    johnston = patient_named(doctor, "Johnston")
    old = doctor.chart.summary(doctor.session, johnston).latest_vitals
    doctor.vitals.record(doctor.session, johnston, {"systolic": 118, "diastolic": 76})

    latest = doctor.chart.summary(doctor.session, johnston).latest_vitals

    pressures = [v for v in latest if v.title.lower() == "blood pressure"]
    assert [(v.title, v.value) for v in pressures] == [("Blood pressure", "118 mmHg / 76 mmHg")]
    assert len(latest) == len(old)  # Synthea's 55284-4 and Hearth's 85354-9 panels: one sign


def test_sections_page_newest_first(doctor):
    patient = patient_named(doctor, "Johnston")
    first = doctor.chart.section(doctor.session, patient, "labs", page=1, page_size=5)
    last = doctor.chart.section(doctor.session, patient, "labs", page=first.pages, page_size=5)
    assert (first.total, first.pages, len(first.items), len(last.items)) == (19, 4, 5, 4)
    assert first.items[0].date >= last.items[-1].date


def test_abnormal_labs_are_flagged_from_the_record(doctor, admin, tmp_path):
    lab = {"resourceType": "Observation", "status": "final",
           "category": [{"coding": [{"code": "laboratory"}]}], "code": {"text": "Potassium"},
           "subject": {"reference": f"Patient/{patient_named(doctor, 'Johnston')}"},
           "effectiveDateTime": "2026-01-02", "valueQuantity": {"value": 6.1, "unit": "mmol/L"},
           "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.1}}]}
    path = tmp_path / "k.json"
    path.write_bytes(orjson.dumps(lab))
    admin.importer.run(admin.session, [path])
    [newest] = doctor.chart.section(doctor.session, lab["subject"]["reference"][8:], "labs",
                                    page_size=1).items
    assert (newest.title, newest.value, newest.flag) == ("Potassium", "6.1 mmol/L", "H")


def test_every_chart_read_is_audited(doctor):
    patient = patient_named(doctor, "Conn")
    doctor.chart.summary(doctor.session, patient)
    doctor.chart.section(doctor.session, patient, "vitals")
    with doctor.store.read() as conn:
        reads = conn.execute(text("SELECT detail FROM audit WHERE user = 'drlee' "
                                  "AND action = 'read' AND patient = :p"), {"p": patient}).all()
    assert [r.detail for r in reads] == ["chart summary", "vitals page 1"]


def test_front_desk_may_not_read_the_chart(doctor, admin, env, store_dir):
    admin.users.add(admin.session, "frank", "Frank Desk", "front-desk", "desk pass 1")
    desk = open_workstation(env, store_dir, "frank", "desk pass 1")
    with pytest.raises(PermissionDenied, match="may not read the clinical chart"):
        desk.chart.summary(desk.session, patient_named(doctor, "Conn"))


def test_unknown_patient_is_named_and_the_failed_read_stays_in_the_audit_trail(doctor):
    with pytest.raises(NotFound, match="no patient nobody"):
        doctor.chart.summary(doctor.session, "nobody")
    with pytest.raises(NotFound, match="no patient nobody"):
        doctor.chart.section(doctor.session, "nobody", "labs")
    with doctor.store.read() as conn:
        assert conn.exec_driver_sql("SELECT outcome FROM audit WHERE patient = 'nobody'"
                                    ).scalars().all() == ["failure", "failure"]


def test_every_indexed_section_has_a_place_in_the_chart():
    from app.clinical.chart.chart import SECTIONS
    from app.store.chart_index import SECTION_BY_TYPE

    assert set(SECTION_BY_TYPE.values()) - {"demographics"} <= set(SECTIONS)


def summary_items(summary) -> list:
    return [*summary.active_problems, *summary.active_medications, *summary.allergies,
            *summary.immunizations, *summary.latest_vitals, *summary.recent_labs,
            *summary.encounters, *summary.notes]


def test_imported_records_are_pending_because_no_server_has_them_yet(doctor):
    patient_id = patient_named(doctor, "Johnston")
    items = summary_items(doctor.chart.summary(doctor.session, patient_id))
    labs = doctor.chart.section(doctor.session, patient_id, "labs", page_size=100).items
    assert items and labs and all(item.pending for item in items + labs)


def test_a_new_patients_records_are_pending_until_a_sync_confirms_them(a, fresh_fhir_server):
    ann = a.patients.register(a.session, patient("Mensah", "Ama"))["id"]
    visit = a.encounters.start_visit(a.session, ann)
    a.vitals.record(a.session, ann, {"systolic": "150", "diastolic": "95"}, visit["id"])
    a.problems.add(a.session, ann, "I10")
    written = summary_items(a.chart.summary(a.session, ann))
    assert len(written) == 3 and all(item.pending for item in written)

    sync(a, fresh_fhir_server)

    synced = summary_items(a.chart.summary(a.session, ann))
    assert [i.id for i in synced] == [i.id for i in written]
    assert not any(item.pending for item in synced)
    assert not any(item.pending for item in a.chart.section(a.session, ann, "encounters").items)
    a.allergies.add(a.session, ann, "Penicillin", "Hives", "moderate")
    summary = a.chart.summary(a.session, ann)
    assert [(i.title, i.pending) for i in summary.allergies] == [("Penicillin", True)]
    assert not summary.active_problems[0].pending  # only the new record waits


@pytest.fixture
def donald(admin, env, store_dir):
    """Dr Lee, over a store holding the HL7 examples' medication records of Donald Duck."""
    report = admin.importer.run(admin.session, [HL7_MEDICATIONS])
    assert (report.imported, report.skipped) == (7, 0), report.errors
    admin.users.add(admin.session, "drlee", "Dr Lee", "physician", "doctor pass 1")
    return open_workstation(env, store_dir, "drlee", "doctor pass 1")


def test_a_drug_named_by_reference_is_listed_by_its_name(donald):
    summary = donald.chart.summary(donald.session, "pat1")
    assert sorted((m.type, m.title) for m in summary.active_medications) == [
        ("MedicationRequest", "Azithromycin 250mg capsule (product)"),  # contained
        ("MedicationRequest", "Chlorthalidone 50mg tablet (product)"),  # Medication/med0316
        ("MedicationStatement", "Tylenol PM")]
    others = donald.chart.section(donald.session, "pat1", "other").items
    assert sorted((o.type, o.title) for o in others) == [
        ("MedicationAdministration", "Vancomycin Hydrochloride (VANCOMYCIN HYDROCHLORIDE)"),
        ("MedicationDispense", "Vancomycin Hydrochloride (VANCOMYCIN HYDROCHLORIDE)")]


def test_a_referenced_drug_not_on_this_computer_is_named_as_the_record_can():
    order = orjson.loads((HL7_MEDICATIONS / "MedicationRequest-medrx002.json").read_bytes())
    assert describe(order).title == "prescribed medication"  # the reference's own display
    del order["medicationReference"]["display"]
    assert describe(order).title == "Medication/med0316 (not on this computer)"


def test_a_record_with_10000_components_keeps_a_short_value(admin, doctor, tmp_path):
    panel = {"resourceType": "Observation", "id": "huge", "status": "final",
             "category": [{"coding": [{"code": "laboratory"}]}], "code": {"text": "Panel"},
             "subject": {"reference": f"Patient/{patient_named(doctor, 'Johnston')}"},
             "effectiveDateTime": "2026-01-02",
             "component": [{"code": {"text": f"part {n}"},
                            "valueQuantity": {"value": n, "unit": "mg"}} for n in range(10_000)]}
    path = tmp_path / "huge.json"
    path.write_bytes(orjson.dumps(panel))
    admin.importer.run(admin.session, [path])
    [newest] = doctor.chart.section(doctor.session, panel["subject"]["reference"][8:], "labs",
                                    page_size=1).items
    assert newest.value == "0 mg / 1 mg / 2 mg … (10,000 components)"


def test_a_record_with_a_modifier_hearth_does_not_understand_says_so(admin, donald, tmp_path):
    order = orjson.loads((HL7_MEDICATIONS / "MedicationRequest-medrx0302.json").read_bytes())
    order["id"] = "not-given"
    order["dosageInstruction"][0]["modifierExtension"] = [{"url": NOT_GIVEN,
                                                           "valueBoolean": True}]
    path = tmp_path / "order.json"
    path.write_bytes(orjson.dumps(order))
    admin.importer.run(admin.session, [path])
    items = {m.id: m for m in donald.chart.summary(donald.session, "pat1").active_medications}
    assert items["not-given"].warning == (
        f"This record carries a modifier Hearth does not understand: {NOT_GIVEN}.")
    assert items["medrx0302"].warning is None
