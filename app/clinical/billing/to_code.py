"""Finished visits still to code: how billing, who reads no chart, finds a visit to code.

A visit is listed while it is finished and either has no claim yet or has a draft claim
that is not ready to bill (the first reason is said, so the biller knows what to chase);
a ready or submitted claim is the claims side's. Billing (MANAGE_CLAIMS) sees every
clinician's visits, a physician only those they took part in, as coding itself allows.
Only visits that started in the last `days` days are looked at, through schema v14's
visit_by_start index, so years of imported history never flood the list. One audited read:
an audit row per patient listed (the list names them).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from app.clinical.billing.coding import claim_id
from app.clinical.billing.ready_to_bill import blocks
from app.clinical.chart.banner import display_name
from app.clinical.records import Records
from app.clinical.visits.encounters import HEARTH_USER
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource
from app.store.schema.v14 import VISIT_START, VISIT_TOOK_PLACE
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

RECENT_DAYS = 60
MOST = 200  # a list to work through, not an archive
RECENT_VISITS = text(
    f"SELECT json FROM resource INDEXED BY visit_by_start WHERE {VISIT_TOOK_PLACE} "
    f"AND {VISIT_START} >= datetime(:since) ORDER BY {VISIT_START} DESC")


@dataclass(frozen=True)
class ToCode:
    encounter_id: str
    patient_id: str
    patient: str  # "Boateng, Kofi"
    start: str | None
    kind: str  # the visit's type, as the chart names it
    state: str  # "Not coded yet." or the first reason the coded visit is not ready


class VisitsToCode:
    def __init__(self, store: Store):
        self._records = Records(store)

    def listed(self, session: Session, days: int = RECENT_DAYS) -> list[ToCode]:
        """The finished visits still to code, newest first (at most MOST)."""
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat()
        with self._records.read(session, Permission.CODE_VISITS) as work:
            everyone = session.may(Permission.MANAGE_CLAIMS)
            found: list[ToCode] = []
            for (body,) in work.conn.execute(RECENT_VISITS, {"since": since}):
                visit = fhir_json.loads(body)
                if visit.get("status") != "finished" or not (
                        everyone or session.user in _participants(visit)):
                    continue
                if (row := _to_code(work.conn, visit)) is not None:
                    found.append(row)
                if len(found) == MOST:
                    break
            for patient in dict.fromkeys(row.patient_id for row in found):
                work.read(f"Patient/{patient}", "visits to code: name and finished visits",
                          patient)
        return found


def _to_code(conn, visit: dict) -> ToCode | None:
    claim = get_resource(conn, "Claim", claim_id(visit["id"]))
    if claim is not None and claim.get("status") != "draft":
        return None
    patient_id = patient_of(visit)
    if not patient_id:
        return None  # a visit of nobody: nothing a claim could bill
    missing = blocks(conn, claim, visit, patient_id)
    if claim is not None and not missing:
        return None  # ready to bill: the claims side's now
    patient = get_resource(conn, "Patient", patient_id) or {}
    kind = next((t.get("text") for t in visit.get("type", []) if t.get("text")), "Visit")
    state = "Not coded yet." if claim is None else f"Coded, not ready: {missing[0]}"
    return ToCode(visit["id"], patient_id, display_name(patient),
                  (visit.get("period") or {}).get("start"), kind, state)


def _participants(visit: dict) -> list[str]:
    return [ident.get("value") for p in visit.get("participant", [])
            if (ident := (p.get("individual") or {}).get("identifier") or {}).get("system")
            == HEARTH_USER]
