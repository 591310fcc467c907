"""One chart line per FHIR resource: date, title, status, value, abnormal flag, and whether
the server has it yet; and what a clinician reads beside the title (app.clinical.chart.
item_details): a problem's code, a medication's dose, an allergy's reaction, a result's range.

The flag comes from the record itself: its interpretation code, else its value against its
own reference range. When the source system sent neither (Synthea sends neither), the flag
is None: Hearth does not guess a range. A record carrying a modifier extension says so in
`warning` (app.clinical.fhir.modifiers), and a drug named by reference is titled by the drug
(app.clinical.charting.medication_names).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from app.clinical.chart.item_details import code_text, dose_text, range_text, reaction_text
from app.clinical.charting import units
from app.clinical.charting.medication_names import concept_name, medication_name
from app.clinical.fhir.modifiers import modifier_warning
from app.store.chart_index import chart_fields
from fhir_common.fhir_json import number_text

MAX_SHOWN_DIGITS = 8  # more than any instrument reports: a machine-written double

HIGH = {"H", "HH", "HU", ">", "AA"}
LOW = {"L", "LL", "LU", "<"}
ABNORMAL = HIGH | LOW | {"A", "AA", "POS", "R", "W"}
SYSTOLIC = "8480-6"  # LOINC
TITLE_FIELDS = ("code", "medicationCodeableConcept", "vaccineCode", "type", "class",
                "description")
# A panel of a few parts reads "120 mm[Hg] / 80 mm[Hg]"; beyond this many the value shows
# the first ones and the count, so one record with 10,000 parts cannot fill a screen.
SHOWN_COMPONENTS = 3


@dataclass(frozen=True)
class ChartItem:
    type: str
    id: str
    date: str | None
    title: str
    status: str | None
    value: str | None
    flag: str | None  # "H", "L", "A" (abnormal), or None when normal or unknown
    # Still in the outbox: saved (or imported) here, not yet confirmed by the server.
    pending: bool = False
    # Set when the record carries a modifier extension Hearth does not understand.
    warning: str | None = None
    code: str | None = None  # a problem's code, "ICD-10-CM E11.9"
    dose: str | None = None  # a medication's dose and directions
    reaction: str | None = None  # an allergy's reactions and their severity
    range: str | None = None  # a result's reference range, "13.5–17.5 g/dL"


def describe(resource: dict, pending: bool = False,
             medications: Mapping[str, dict] | None = None) -> ChartItem:
    """The chart line of a resource; `medications` holds the stored Medications it may name
    (app.clinical.charting.medication_names.referenced_medications)."""
    fields = chart_fields(resource)
    return ChartItem(
        type=resource["resourceType"], id=resource["id"], date=fields["date"],
        title=_title(resource, medications or {}), status=fields["status"],
        value=_value(resource), flag=_flag(resource), pending=pending,
        warning=modifier_warning(resource), **_details(resource),
    )


def _details(resource: dict) -> dict[str, str | None]:
    """Only the detail that the record's kind has a column for."""
    kind = resource["resourceType"]
    if kind == "Condition":
        return {"code": code_text(resource)}
    if kind in ("MedicationRequest", "MedicationStatement"):
        return {"dose": dose_text(resource)}
    if kind == "AllergyIntolerance":  # its code tells the banner whether a check can match it
        return {"reaction": reaction_text(resource), "code": code_text(resource)}
    if kind == "Observation":
        return {"range": range_text(resource)}
    return {}


def _title(resource: dict, medications: Mapping[str, dict]) -> str:
    if drug := medication_name(resource, medications):
        return drug
    for field in TITLE_FIELDS:
        concept = resource.get(field)
        if isinstance(concept, list):
            concept = concept[0] if concept else None
        if name := concept_name(concept):
            return name
        if isinstance(concept, str):  # e.g. a code on its own
            return concept
    return resource.get("description") or resource.get("name") or resource["resourceType"]


def _value(resource: dict) -> str | None:
    quantity = resource.get("valueQuantity")
    if quantity and "value" in quantity:
        unit = units.quantity_unit(quantity)  # UCUM as people read it: mm[Hg] is mmHg
        return f"{_number(quantity['value'])} {unit}".strip()
    if "component" in resource:
        components = sorted(resource["component"], key=_systolic_first)
        parts = [_value(c) for c in components]
        if all(parts):
            shown = " / ".join(parts[:SHOWN_COMPONENTS])
            return (shown if len(parts) <= SHOWN_COMPONENTS
                    else f"{shown} … ({len(parts):,} components)")
    concept = resource.get("valueCodeableConcept")
    if concept:
        return concept.get("text") or next(
            (c.get("display") for c in concept.get("coding", []) if c.get("display")), None)
    for field in ("valueString", "valueInteger", "valueBoolean"):
        if field in resource:
            return str(resource[field])
    return None


def _flag(resource: dict) -> str | None:
    for concept in resource.get("interpretation", []):
        for coding in concept.get("coding", []):
            code = coding.get("code", "").upper()
            if code in ABNORMAL:
                return "H" if code in HIGH else "L" if code in LOW else "A"
    value = (resource.get("valueQuantity") or {}).get("value")
    for reference in resource.get("referenceRange", [])[:1]:
        low = (reference.get("low") or {}).get("value")
        high = (reference.get("high") or {}).get("value")
        if value is not None and high is not None and value > high:
            return "H"
        if value is not None and low is not None and value < low:
            return "L"
    return None


def _systolic_first(component: dict) -> bool:
    """Blood pressure reads systolic/diastolic; sources list the components in any order."""
    return not any(c.get("code") == SYSTOLIC for c in component.get("code", {}).get("coding", []))


def _number(value) -> str:
    """As the record wrote it: a lab's "1.50" is not "1.5" (FHIR decimals carry their
    precision). A machine-written double such as 124.68842328326839 (no instrument measures
    17 digits) reads as 124.7… : the ellipsis says it was shortened for display."""
    if not isinstance(value, int | float):
        return str(value)
    text = number_text(value)
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return f"{value:.4g}…" if len(mantissa) > MAX_SHOWN_DIGITS else text
