"""Which patient's chart a FHIR resource belongs to: shared FHIR knowledge, not Hearth's.

The local store indexes charts by it and the sync engine scopes a clinic's pull by it, so it
lives in `fhir_common`, which both may import without the store importing the sync engine.
"""

PATIENT_REFERENCE_FIELDS = ("subject", "patient", "beneficiary", "for")  # for: a Task's


def patient_of(resource: dict) -> str | None:
    """The patient whose chart this resource belongs to (a Patient is its own)."""
    if resource["resourceType"] == "Patient":
        return resource["id"]
    if resource["resourceType"] == "Appointment":  # the patient is one of the participants
        return next((ref.removeprefix("Patient/") for p in resource.get("participant", [])
                     if isinstance(ref := (p.get("actor") or {}).get("reference"), str)
                     and ref.startswith("Patient/")), None)
    for field in PATIENT_REFERENCE_FIELDS:
        holder = resource.get(field)
        reference = holder.get("reference") if isinstance(holder, dict) else None
        if isinstance(reference, str) and reference.startswith("Patient/"):
            return reference.removeprefix("Patient/")
    return None
