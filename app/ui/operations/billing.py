"""Operations of the visit coding dialog: a visit's coding read (one audited read), the
coding saved as the visit's draft Claim, and the services a line can bill found as you type
(the shipped HCPCS Level II list and the clinic's CPT file, read on the database thread)."""

import re

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.billing import codes
from app.clinical.billing.codes import ServiceCode
from app.clinical.billing.coding import CodedVisit, Coding, VisitCoding
from app.clinical.billing.to_code import ToCode, VisitsToCode
from app.clinical.chart.banner import display_name
from app.ui.common.background import Background
from app.ui.operations import Op

CODING_READ = "visit coding read"
TO_CODE = "visits to code read"
SERVICE_SEARCH = "service search"
WORD = re.compile(r"[a-z0-9]+")


def show(owner: QObject, background: Background, ws: Workstation,
         encounter_id: str) -> Op[tuple[CodedVisit, str]]:
    """The visit, its claim if coded, the diagnoses proposed and what keeps it from billing,
    with whose visit it is ("Boateng, Kofi, born 1961-04-17"): a coder must see the
    patient, and billing may read demographics (each read audited)."""
    def read() -> tuple[CodedVisit, str]:
        coded = VisitCoding(ws.store, ws.changes).show(ws.session, encounter_id)
        patient = ws.patients.get(ws.session, coded.patient_id)
        born = f", born {patient['birthDate']}" if patient.get("birthDate") else ""
        return coded, f"{display_name(patient)}{born}"
    return Op(owner, background, read, CODING_READ)


def to_code(owner: QObject, background: Background, ws: Workstation) -> Op[list[ToCode]]:
    """The finished visits still to code (billing: everyone's; a physician: their own)."""
    return Op(owner, background, lambda: VisitsToCode(ws.store).listed(ws.session), TO_CODE)


def code(owner: QObject, background: Background, ws: Workstation, encounter_id: str,
         coding: Coding) -> Op[CodedVisit]:
    """Save the coding (a new version of the visit's one claim); answers with the visit as
    coded, so the dialog says at once whether it is ready to bill."""
    return Op(owner, background,
              lambda: VisitCoding(ws.store, ws.changes).code(ws.session, encounter_id, coding))


def find_services(owner: QObject, background: Background, ws: Workstation, typed: str,
                  limit: int) -> Op[list[ServiceCode]]:
    """HCPCS Level II and the clinic's CPT codes matching `typed`; a newer search wins."""
    root = ws.store.paths.root
    return Op(owner, background, lambda: services_matching(typed, codes.clinic_cpt(root),
                                                           limit), SERVICE_SEARCH)


def services_matching(typed: str, cpt: dict[str, str], limit: int) -> list[ServiceCode]:
    """Codes starting with what was typed, else codes whose description has a word starting
    with each word typed ("wellness sub" finds G0439); HCPCS first, then the clinic's CPT."""
    known = ([ServiceCode(codes.HCPCS_SYSTEM, c, d, "HCPCS Level II")
              for c, d in codes.hcpcs().items()]
             + [ServiceCode(codes.CPT_SYSTEM, c, d, "clinic CPT file") for c, d in cpt.items()])
    plain = typed.strip()
    if not plain:
        return []
    by_code = [s for s in known if s.code.startswith(plain.upper())]
    if by_code:
        return by_code[:limit]
    asked = WORD.findall(plain.lower())
    found = []
    for service in known:
        words = WORD.findall(service.description.lower())
        if asked and all(any(w.startswith(a) for w in words) for a in asked):
            found.append(service)
    return found[:limit]
