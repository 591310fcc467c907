"""A patient's orders, as `hearth orders list` and the chart's Orders tab show them: lab and
imaging orders (ServiceRequest) and medication orders (MedicationRequest), newest first, read
in one audited read. `current_orders` holds those pended (draft), active or on hold;
`every_order` adds the completed, cancelled and stopped ones, so a clinician sees what
happened to an order rather than watch it vanish."""

from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.charting.entries import title
from app.clinical.records import Records
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

KINDS = {"ServiceRequest": "lab/imaging", "MedicationRequest": "medication"}
STATUS_WORDS = {"draft": "pended", "active": "active", "on-hold": "on hold",
                "revoked": "cancelled", "entered-in-error": "entered in error"}
EVERY = ("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
         "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
         "AND c.type IN ('ServiceRequest', 'MedicationRequest')")
CURRENT = text(EVERY + " AND c.status IN ('draft', 'active', 'on-hold')")


@dataclass(frozen=True)
class OrderRow:
    id: str
    kind: str  # "lab/imaging" or "medication"
    status: str  # "pended", "active", "on hold"
    what: str  # the test or drug, with its sig for a medication
    when: str | None  # authoredOn
    who: str | None  # the requester
    priority: str | None


def current_orders(records: Records, session: Session, patient_id: str) -> list[OrderRow]:
    return _orders(records, session, patient_id, CURRENT, "current orders")


def every_order(records: Records, session: Session, patient_id: str) -> list[OrderRow]:
    """Every order whatever its status (the Orders tab), newest first."""
    return _orders(records, session, patient_id, text(EVERY), "orders")


def _orders(records: Records, session: Session, patient_id: str, query, what: str
            ) -> list[OrderRow]:
    with records.read(session, Permission.READ_CHART) as work:
        patient = work.patient(patient_id, what)
        rows = [fhir_json.loads(body) for (body,) in work.conn.execute(
            query, {"patient": patient_id})] if patient else []
    if patient is None:  # after the commit, so the failed read stays audited
        raise NotFound(f"There is no patient {patient_id}.")
    return sorted((_row(r) for r in rows), key=lambda o: o.when or "", reverse=True)


def one_order(records: Records, session: Session, order_id: str) -> dict:
    """One lab, imaging or medication order as stored, whatever its status."""
    with records.read(session, Permission.READ_CHART) as work:
        found = next((r for kind in KINDS if (r := work.get(kind, order_id))), None)
        work.read(f"{found['resourceType']}/{order_id}" if found else f"order/{order_id}",
                  "order", patient_of(found) if found else None, found is not None)
    if found is None:
        raise NotFound(f"There is no order {order_id}.")
    return found


def _row(resource: dict) -> OrderRow:
    what = title(resource)
    if resource["resourceType"] == "MedicationRequest":
        sig = next((d["text"] for d in resource.get("dosageInstruction", [])
                    if d.get("text")), None)
        what = f"{what}: {sig}" if sig else what
    return OrderRow(resource["id"], KINDS[resource["resourceType"]],
                    STATUS_WORDS.get(resource.get("status", ""), resource.get("status", "")),
                    what, resource.get("authoredOn"),
                    (resource.get("requester") or {}).get("display"),
                    resource.get("priority"))
