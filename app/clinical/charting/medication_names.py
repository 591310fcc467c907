"""The name of the drug a medication record is about, when it names it by reference.

A MedicationRequest, MedicationStatement, MedicationAdministration or MedicationDispense
names its drug either inline (medicationCodeableConcept) or by reference to a Medication
resource (medicationReference): contained in the record itself ("#med1") or stored on its
own ("Medication/x"). Most of the HL7 R4 examples use a reference; a chart that listed them
as "MedicationRequest" hid which drug was ordered. The stored Medications of a page are
read in one query (referenced_medications), never one per row.
"""

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, text

from fhir_common import fhir_json

# A relative reference to a stored Medication, possibly to one version of it. An absolute
# URL names a record on some server, which need not be the one this store holds.
STORED = re.compile(r"Medication/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?")
CHUNK = 500


def medication_name(resource: dict, stored: Mapping[str, dict]) -> str | None:
    """The drug's name: the Medication's code (text, else a coding's display), else what the
    reference says of it, else its ingredients; None if the record has no medicationReference.

    `stored` maps "Medication/id" to the Medication resources read for this page.
    """
    reference = resource.get("medicationReference")
    if not isinstance(reference, dict):
        return None
    target = reference.get("reference") or ""
    medication = _contained(resource, target[1:]) if target.startswith("#") else stored.get(
        _stored_key(target) or "")
    return (concept_name((medication or {}).get("code")) or reference.get("display")
            or _ingredients(medication or {}) or _unnamed(target, medication))


def concept_name(concept) -> str | None:
    """A CodeableConcept's text, else its first coding's display, else that coding's code."""
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return concept["text"]
    for coding in concept.get("coding", []):
        if coding.get("display") or coding.get("code"):
            return coding.get("display") or coding["code"]
    return None


def referenced_medications(conn: Connection, resources: Iterable[dict]) -> dict[str, dict]:
    """The stored Medications the resources refer to, by "Medication/id"."""
    ids = {key[len("Medication/"):] for r in resources
           if (key := _stored_key((r.get("medicationReference") or {}).get("reference")))}
    found: dict[str, dict] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        marks = ", ".join(f":m{n}" for n in range(len(chunk)))
        rows = conn.execute(text(
            f"SELECT id, json FROM resource WHERE type = 'Medication' AND deleted = 0 "
            f"AND id IN ({marks})"), {f"m{n}": mid for n, mid in enumerate(chunk)})
        found.update({f"Medication/{mid}": fhir_json.loads(body) for mid, body in rows})
    return found


def _stored_key(target) -> str | None:
    match = STORED.fullmatch(target) if isinstance(target, str) else None
    return f"Medication/{match.group(1)}" if match else None


def _contained(resource: dict, local_id: str) -> dict | None:
    return next((c for c in resource.get("contained", []) if isinstance(c, dict)
                 and c.get("resourceType") == "Medication" and c.get("id") == local_id), None)


def _ingredients(medication: dict) -> str | None:
    names = [concept_name(i.get("itemCodeableConcept")) for i in medication.get("ingredient", [])
             if isinstance(i, dict)]
    return " + ".join(n for n in names if n) or None


def _unnamed(target: str, medication: dict | None) -> str:
    """A stored Medication not (yet) on this computer is named by its reference."""
    if medication is None and target and not target.startswith("#"):
        return f"{target} (not on this computer)"
    return "Medication (not named in the record)"
