"""An imported medication is never refused for safety (it was prescribed elsewhere), but the
import report names each alert with its source, for a clinician to review."""

import orjson
from sqlalchemy import text

from app.clinical.fhir.codes import RXNORM

PATIENT = {"resourceType": "Patient", "id": "pat-1", "name": [{"family": "Okafor"}]}


def order(oid: str, name: str, rxcui: str, status: str = "active") -> dict:
    return {"resourceType": "MedicationRequest", "id": oid, "status": status,
            "intent": "order", "subject": {"reference": "Patient/pat-1"},
            "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": rxcui}],
                                          "text": name}}


def test_an_imported_interaction_is_stored_and_named_once_in_the_report(admin, tmp_path):
    entries = [PATIENT, order("ibu", "Ibuprofen 200 MG Oral Tablet", "310965"),
               order("warf", "Warfarin 5 MG Oral Tablet", "855332"),
               order("old-ibu", "Ibuprofen 400 MG Oral Tablet", "197806", "stopped")]
    path = tmp_path / "medications.json"
    path.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                   "entry": [{"resource": r} for r in entries]}))
    report = admin.importer.run(admin.session, [path])

    assert (report.imported, report.skipped) == (4, 0)  # nothing refused
    [alert] = report.safety
    assert alert.entry == 1 and alert.reason.startswith(
        "MedicationRequest/ibu was imported (prescribed elsewhere, so not refused); review "
        "it: major drug-drug: Ibuprofen 200 MG Oral Tablet with Warfarin 5 MG Oral Tablet "
        "(on the medication list): ")
    assert "Source: Not on the ONC list. Malone DC" in alert.reason
    assert "1 medication safety alert to review" in report.summary()
    with admin.store.read() as conn:
        detail = conn.execute(text("SELECT detail FROM audit WHERE entity = 'Import' "
                                   "ORDER BY seq DESC LIMIT 1")).scalar_one()
    assert detail.endswith(", 1 medication safety alerts")
