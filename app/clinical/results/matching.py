"""Which order a result answers: its `basedOn` ServiceRequest, else an order sharing a placer
or filler identifier with it.

A result "names an order" when it has a `basedOn` reference or a placer/filler identifier
(v2-0203 PLAC or FILL). A named order that is not on this computer is an unknown order: the
result still files, to the clinic queue, and the import says so. A result that names no
order and matches none is chart history (a record brought from another system), not a
result to review, so it makes no inbox item.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from fhir_common import fhir_json

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ORDER_NUMBERS = ("PLAC", "FILL")
ORDERS_OF = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
                 "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
                 "AND c.type = 'ServiceRequest'")


@dataclass(frozen=True)
class Match:
    order: dict | None  # the ServiceRequest found here
    named: str | None  # what the result calls its order, when none was found


def match(conn: Connection, result: dict, patient_id: str) -> Match | None:
    """The result's order; None when it names none and matches none (chart history)."""
    references = [r.get("reference") for r in result.get("basedOn", [])
                  if isinstance(r.get("reference"), str)]
    for reference in references:
        kind, _, order_id = reference.rpartition("/")
        if kind.rpartition("/")[2] == "ServiceRequest":
            found = conn.execute(text(
                "SELECT json FROM resource WHERE type = 'ServiceRequest' AND id = :id "
                "AND deleted = 0"), {"id": order_id}).scalar_one_or_none()
            if found is not None:
                return Match(fhir_json.loads(found), None)
    numbers = _numbers(result)
    if numbers:
        for body in conn.execute(ORDERS_OF, {"patient": patient_id}).scalars():
            order = fhir_json.loads(body)
            if numbers & _own_numbers(order):
                return Match(order, None)
    if references:
        return Match(None, references[0])
    typed = _typed_numbers(result)
    return Match(None, f"order number {typed[0]}") if typed else None


def _numbers(result: dict) -> set[str]:
    """The order numbers a result carries: its identifiers and basedOn identifiers."""
    identifiers = [*result.get("identifier", []),
                   *(r["identifier"] for r in result.get("basedOn", []) if "identifier" in r)]
    return {i["value"] for i in identifiers if isinstance(i.get("value"), str)}


def _typed_numbers(result: dict) -> list[str]:
    """Identifiers marked as a placer or filler order number, and basedOn identifiers."""
    typed = [i.get("value") for i in result.get("identifier", [])
             if any(c.get("system") == V2_0203 and c.get("code") in ORDER_NUMBERS
                    for c in (i.get("type") or {}).get("coding", []))]
    typed += [r["identifier"].get("value") for r in result.get("basedOn", [])
              if isinstance(r.get("identifier"), dict)]
    return [v for v in typed if isinstance(v, str)]


def _own_numbers(order: dict) -> set[str]:
    """An order's numbers: its id (Hearth's placer number) and identifiers, requisition."""
    identifiers = [*order.get("identifier", []), order.get("requisition") or {}]
    return {order["id"]} | {i["value"] for i in identifiers if isinstance(i.get("value"), str)}
