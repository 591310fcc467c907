"""One chart line per FHIR resource: date, title, status, value, abnormal flag, and whether
the server has it yet.

The flag comes from the record itself: its interpretation code, else its value against its
own reference range. When the source system sent neither (Synthea sends neither), the flag
is None: Hearth does not guess a range.
"""

from dataclasses import dataclass

from app.store.chart_index import chart_fields

HIGH = {"H", "HH", "HU", ">", "AA"}
LOW = {"L", "LL", "LU", "<"}
ABNORMAL = HIGH | LOW | {"A", "AA", "POS", "R", "W"}
SYSTOLIC = "8480-6"  # LOINC
TITLE_FIELDS = ("code", "medicationCodeableConcept", "vaccineCode", "type", "class",
                "description")


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


def describe(resource: dict, pending: bool = False) -> ChartItem:
    fields = chart_fields(resource)
    return ChartItem(
        type=resource["resourceType"], id=resource["id"], date=fields["date"],
        title=_title(resource), status=fields["status"], value=_value(resource),
        flag=_flag(resource), pending=pending,
    )


def _title(resource: dict) -> str:
    for field in TITLE_FIELDS:
        concept = resource.get(field)
        if isinstance(concept, list):
            concept = concept[0] if concept else None
        if isinstance(concept, dict):
            if concept.get("text"):
                return concept["text"]
            for coding in concept.get("coding", []):
                if coding.get("display") or coding.get("code"):
                    return coding.get("display") or coding["code"]
        if isinstance(concept, str):  # e.g. a code on its own
            return concept
    return resource.get("description") or resource.get("name") or resource["resourceType"]


def _value(resource: dict) -> str | None:
    quantity = resource.get("valueQuantity")
    if quantity and "value" in quantity:
        unit = quantity.get("unit") or quantity.get("code") or ""
        return f"{_number(quantity['value'])} {unit}".strip()
    if "component" in resource:
        components = sorted(resource["component"], key=_systolic_first)
        parts = [_value(c) for c in components]
        if all(parts):
            return " / ".join(parts)
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
    """Four significant digits for reading; the record keeps the source's precision."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)
