"""Imported medications checked for safety and named in the import report, never refused.

A MedicationRequest or MedicationStatement arriving by import was prescribed elsewhere: it
is a fact about the patient, and refusing it would hide a drug they take. But an imported
warfarin beside a local ibuprofen is exactly what the checks exist for, so once the import
is stored each current imported medication is checked against the patient's lists
(app.clinical.safety.check.SafetyChecks.review_imported) and every alert is named in the
report, with its source, for a clinician to review. With no pack loaded, the report says
that no check ran.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection

from app.clinical.imports.report import ImportReport
from app.clinical.safety.check import SafetyChecks
from fhir_common.compartment import patient_of

MEDICATIONS = ("MedicationRequest", "MedicationStatement")


@dataclass(frozen=True)
class ImportedMedication:
    source: object  # the file, as the report names it
    index: int  # the entry in that file
    patient: str
    reference: str  # "MedicationRequest/<id>"

    @classmethod
    def of(cls, source: object, index: int, resource: dict) -> "ImportedMedication | None":
        """None for a record that is no medication of a patient."""
        patient = patient_of(resource)
        if resource["resourceType"] not in MEDICATIONS or patient is None:
            return None
        return cls(source, index, patient, f"{resource['resourceType']}/{resource['id']}")


def review(checks: SafetyChecks, conn: Connection, imported: list[ImportedMedication],
           report: ImportReport) -> None:
    """Name in `report` each alert on the imported medications (stored in this `conn`)."""
    if not imported:
        return
    status = checks.knowledge.status
    if not status.can_check:
        report.safety_alert(imported[0], f"No medication safety check ran on the "
                            f"{len(imported)} imported medication(s): {status.sentence}")
        return
    by_patient: dict[str, dict[str, ImportedMedication]] = defaultdict(dict)
    for one in imported:
        by_patient[one.patient][one.reference] = one
    for patient, ones in by_patient.items():
        for reference, alert in checks.review_imported(conn, patient, set(ones)):
            report.safety_alert(ones[reference], (
                f"{reference} was imported (prescribed elsewhere, so not refused); review "
                f"it: {alert.severity} {alert.kind}: {alert.message} Source: "
                f"{alert.source.rstrip('.')}."))
