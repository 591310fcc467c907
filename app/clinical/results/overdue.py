"""Orders still waiting for a result: an active lab or imaging order (ServiceRequest) signed
more than the policy's `results.overdue_days` ago that no result answers yet.

A result answers an order when a review Task was filed for it (app.clinical.results.arrivals:
every result matched here, by basedOn or an order number, makes one) or when a report or
observation in the patient's chart names it in `basedOn` (one that came by sync, say). The
signed-in clinician sees the orders they signed; the read is audited per patient.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import text

from app.clinical.access import gate
from app.clinical.fhir.names import family_given
from app.clinical.records import ChangeFeed, Records
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

WAITING = text(
    "SELECT json FROM resource WHERE type = 'ServiceRequest' AND deleted = 0 "
    "AND json_extract(json, '$.status') = 'active' "
    "AND json_extract(json, '$.requester.identifier.value') = :user "
    "AND json_extract(json, '$.authoredOn') < :cutoff "
    "ORDER BY json_extract(json, '$.authoredOn')")
ANSWERED = text(
    "SELECT 1 FROM patient_compartment c JOIN resource r ON r.type = c.type AND r.id = c.id "
    "AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.type IN ('Task', 'DiagnosticReport', 'Observation') "
    "AND EXISTS (SELECT 1 FROM json_each(r.json, '$.basedOn') b "
    "WHERE json_extract(b.value, '$.reference') = :order) LIMIT 1")


@dataclass(frozen=True)
class OverdueOrder:
    order_id: str
    patient_id: str
    test: str
    ordered: str  # authoredOn
    days: int  # since it was ordered
    patient: str = ""  # "Family, Given" as the inbox shows it; the id if the patient is gone


class OverdueOrders:
    def __init__(self, store: Store, days: int, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)
        self._days = days

    def mine(self, session: Session, now: datetime | None = None) -> gate.OpenRows:
        """The signed-in clinician's orders with no result after the policy's days, oldest
        first; those of a restricted chart the user may not open (no longer on its care team)
        are left out unread and counted."""
        now = now or datetime.now().astimezone()
        cutoff = (now - timedelta(days=self._days)).isoformat()
        with self._records.read(session, Permission.READ_CHART) as work:
            found = []
            for body in work.conn.execute(WAITING, {"user": session.user, "cutoff": cutoff}
                                          ).scalars():
                order = fhir_json.loads(body)
                patient_id = order["subject"]["reference"].removeprefix("Patient/")
                if work.conn.execute(ANSWERED, {"patient": patient_id, "order":
                                                f"ServiceRequest/{order['id']}"}).first():
                    continue
                ordered = datetime.fromisoformat(order["authoredOn"])
                found.append(OverdueOrder(order["id"], patient_id,
                                          order.get("code", {}).get("text", "order"),
                                          order["authoredOn"], (now - ordered).days))
            found = gate.keep_open(work.conn, session, found, lambda o: o.patient_id)
            names = {}
            for patient_id in dict.fromkeys(o.patient_id for o in found):
                work.read(f"Patient/{patient_id}", "overdue orders", patient_id)
                patient = work.get("Patient", patient_id)
                names[patient_id] = family_given(patient, patient_id) if patient else patient_id
        shown = gate.OpenRows(replace(o, patient=names[o.patient_id]) for o in found)
        shown.withheld = found.withheld
        return shown
