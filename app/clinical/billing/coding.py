"""Visit coding: a finished visit's diagnoses and services written as its FHIR R4 Claim.

A coded visit IS a Claim (status draft, use claim, type professional) with the id
"claim-<encounter id>": one claim per visit, so coding it again saves a new version of the
same claim, never a second one. Its diagnoses are billable ICD-10-CM codes (the first is
the primary), its lines HCPCS Level II or CPT codes with modifiers, units, pointers to the
diagnoses they treat, the place of service and the visit's date, and it bills the
patient's Coverage from registration or, with none, the patient (self-pay; see
app.clinical.billing.ready_to_bill). Claims (fees, submission) take it from there and
move it out of draft; a claim no longer in draft is not recoded here.

Who codes: CODE_VISITS. Billing (MANAGE_CLAIMS) codes any visit; a physician only the
visits they took part in (the visit's participants). The rendering provider is the
physician named, else the physician coding, else the one physician who took part.
Hearth users are not Practitioner resources, so the provider is a reference by user name,
as a visit's participants and a note's author are.

Only a finished visit is coded: one in progress may still gain notes and orders. Every
refusal is a sentence naming the code, the line or the visit at fault, and nothing is
saved; the diagnoses proposed for a visit come from its own problems first (see
`proposals`).
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.clinical.billing import codes
from app.clinical.billing.codes import CodingRefused, ServiceCode
from app.clinical.billing.ready_to_bill import (
    IN_PROGRESS,
    blocks,
    coverage,
    payer_sentence,
    self_pay,
)
from app.clinical.charting import icd10
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.visits.encounters import HEARTH_USER, now
from app.errors import NotFound, PermissionDenied
from app.security.roles import Permission, Role
from app.security.session import Session
from app.security.users import find_user
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

CLAIM_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                          "code": "professional", "display": "Professional"}]}
NORMAL = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority",
                      "code": "normal", "display": "Normal"}]}
MAX_DIAGNOSES = 12  # what a professional claim (837P, CMS-1500) carries
MAX_POINTERS = 4
MAX_MODIFIERS = 4
DEFAULT_PLACE = "11"  # Office
CONDITIONS = text(
    "SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
    "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
    "AND c.type = 'Condition' ORDER BY c.date DESC, c.id")
ONGOING = ("active", "recurrence", "relapse")


@dataclass(frozen=True)
class Line:
    """One procedure or service line as typed."""

    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pointers: tuple[int, ...] = ()  # 1-based, into the diagnoses
    description: str | None = None  # the clinic's own, for a code no code set here knows


@dataclass(frozen=True)
class Coding:
    """What the coder chose for a visit."""

    diagnoses: tuple[str, ...]
    lines: tuple[Line, ...]
    place: str = DEFAULT_PLACE
    provider: str | None = None  # a physician's user name; None: see the module


@dataclass(frozen=True)
class Proposal:
    code: str
    description: str
    why: str  # "visit diagnosis", "charted in this visit" or "active problem"


@dataclass(frozen=True)
class CodedVisit:
    """A visit with its claim (None: not coded yet) and what it still lacks."""

    visit: dict
    patient_id: str
    claim: dict | None
    proposals: list[Proposal]
    blocks: list[str]  # why it is not ready to bill; [] when it is
    payer: str | None  # who the claim bills, in a sentence; None when not coded

    @property
    def ready(self) -> bool:
        return self.claim is not None and not self.blocks


def claim_id(encounter_id: str) -> str:
    return f"claim-{encounter_id}"


def visit_of(claim: str) -> str | None:
    """The visit a claim id coding made names (None: a claim imported from elsewhere)."""
    return claim.removeprefix("claim-") if claim.startswith("claim-") else None


class VisitCoding:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)
        self._root = store.paths.root

    def show(self, session: Session, encounter_id: str) -> CodedVisit:
        """The visit's coding, the diagnoses proposed for it and why it is not ready to
        bill, in one audited read."""
        with self._records.read(session, Permission.CODE_VISITS) as work:
            visit = work.get("Encounter", encounter_id)
            patient_id = patient_of(visit) if visit else None
            work.read(f"Encounter/{encounter_id}", "visit coding: diagnoses, lines, "
                      "coverage and the notes' signing state", patient_id, visit is not None)
            if visit is not None:
                coded = _coded(work.conn, visit, patient_id,
                               work.get("Claim", claim_id(encounter_id)))
        if visit is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no visit {encounter_id}.")
        return coded

    def code(self, session: Session, encounter_id: str, coding: Coding) -> CodedVisit:
        """Save the visit's claim as coded (a new version when it was coded before)."""
        session.require(Permission.CODE_VISITS)
        diagnoses = _diagnoses(coding.diagnoses)
        cpt = codes.clinic_cpt(self._root)
        services = [_checked_line(n, line, len(diagnoses), cpt)
                    for n, line in enumerate(coding.lines, start=1)]
        place = (coding.place.strip().zfill(2), codes.place_of_service(coding.place))
        with self._records.write(session, Permission.CODE_VISITS) as work:
            visit = work.get("Encounter", encounter_id)
            if visit is None:
                raise NotFound(f"There is no visit {encounter_id} to code.")
            _require_codable(work, visit)
            patient_id = patient_of(visit)
            stored = work.get("Claim", claim_id(encounter_id))
            if stored is not None and stored.get("status") != "draft":
                raise CodingRefused(f"This visit's claim is {stored.get('status')}, no longer "
                                    "a draft: it was submitted, so it is not recoded here.")
            card = coverage(work.conn, patient_id)
            claim = _claim(visit, patient_id, _provider(work, visit, coding.provider),
                           diagnoses, services, place, card, stored)
            work.save(claim, "update" if stored else "create",
                      f"visit coded: {len(diagnoses)} diagnosis(es), {len(services)} "
                      f"line(s): {', '.join(s.code for s, _ in services) or 'none'}")
            coded = _coded(work.conn, visit, patient_id, claim)
        return coded


def _coded(conn: Connection, visit: dict, patient_id: str, claim: dict | None) -> CodedVisit:
    return CodedVisit(visit, patient_id, claim, proposals(conn, visit, patient_id),
                      blocks(conn, claim, visit, patient_id),
                      payer_sentence(claim, conn) if claim else None)


def proposals(conn: Connection, visit: dict, patient_id: str) -> list[Proposal]:
    """Billable ICD-10-CM codes for the visit, its own first: the diagnoses the visit names
    (by their rank), then conditions charted in it, then the patient's active problems
    (newest first). A problem coded only in SNOMED CT proposes nothing: its ICD-10-CM code
    is the coder's choice."""
    reference = f"Encounter/{visit['id']}"
    ranked = sorted(visit.get("diagnosis", []), key=lambda d: d.get("rank", 99))
    named = [d.get("condition", {}).get("reference", "") for d in ranked]
    conditions = [fhir_json.loads(body) for (body,) in conn.execute(
        CONDITIONS, {"patient": patient_id})]
    by_ref = {f"Condition/{c['id']}": c for c in conditions}
    steps = [([by_ref[r] for r in named if r in by_ref], "visit diagnosis"),
             ([c for c in conditions if c.get("encounter", {}).get("reference") == reference],
              "charted in this visit"),
             ([c for c in conditions if _ongoing(c)], "active problem")]
    found: dict[str, Proposal] = {}
    for group, why in steps:
        for condition in group:
            code = _billable_code(condition)
            if code and code not in found and not _in_error(condition):
                found[code] = Proposal(code, icd10.describe(code) or "", why)
    return list(found.values())


def _diagnoses(typed: tuple[str, ...]) -> list[tuple[str, str]]:
    checked = [codes.diagnosis(code) for code in typed]
    seen: set[str] = set()
    for code, _ in checked:
        if code in seen:
            raise CodingRefused(f"{code} is given twice; give each diagnosis once.")
        seen.add(code)
    if len(checked) > MAX_DIAGNOSES:
        raise CodingRefused(f"{len(checked)} diagnoses were given; a claim carries at most "
                            f"{MAX_DIAGNOSES}.")
    return checked


def _checked_line(number: int, line: Line, diagnoses: int, cpt: dict[str, str]
                  ) -> tuple[ServiceCode, Line]:
    found = codes.service(line.code, line.description, cpt)
    named = f"line {number} ({found.code})"
    if len(line.modifiers) > MAX_MODIFIERS:
        raise CodingRefused(f"{named[0].upper()}{named[1:]} has {len(line.modifiers)} "
                            f"modifiers; a line carries at most {MAX_MODIFIERS}.")
    modifiers = tuple(codes.modifier(m, number, found.code) for m in line.modifiers)
    if isinstance(line.units, bool) or not isinstance(line.units, int) or line.units < 1:
        raise CodingRefused(f"Units on {named} must be a whole number of 1 or more, not "
                            f"{line.units}.")
    if len(line.pointers) > MAX_POINTERS:
        raise CodingRefused(f"{named[0].upper()}{named[1:]} points at {len(line.pointers)} "
                            f"diagnoses; a line points at {MAX_POINTERS} at most.")
    for pointer in line.pointers:
        if not 1 <= pointer <= diagnoses:
            have = ("no diagnosis was given" if not diagnoses else
                    "only 1 diagnosis was given" if diagnoses == 1 else
                    f"only {diagnoses} diagnoses were given")
            raise CodingRefused(f"{named[0].upper()}{named[1:]} points at diagnosis "
                                f"{pointer}, but {have}.")
    if len(set(line.pointers)) != len(line.pointers):
        raise CodingRefused(f"{named[0].upper()}{named[1:]} points at the same diagnosis "
                            "twice.")
    return found, Line(found.code, modifiers, line.units, line.pointers, found.description)


def _require_codable(work: Work, visit: dict) -> None:
    status = visit.get("status")
    if status == "in-progress":
        raise CodingRefused(IN_PROGRESS)
    if status != "finished":
        raise CodingRefused(f"This visit is {status or 'without a status'}, not finished; "
                            "only a finished visit is coded.")
    session = work.session
    if not session.may(Permission.MANAGE_CLAIMS) and session.user not in _participants(visit):
        raise PermissionDenied(f"{session.full_name} ({session.user}) did not take part in "
                               "this visit, so may not code it; billing can.")


def _provider(work: Work, visit: dict, named: str | None) -> dict:
    """The rendering provider: the physician named, else the coding physician, else the
    one physician who took part in the visit."""
    if named:
        return _physician(work.conn, named.strip())
    if work.session.role == Role.PHYSICIAN:
        return _physician(work.conn, work.session.user)
    physicians = [u for u in _participants(visit) if _role(work.conn, u) == Role.PHYSICIAN]
    if len(physicians) == 1:
        return _physician(work.conn, physicians[0])
    why = ("nobody who took part in this visit is a physician" if not physicians else
           f"several physicians took part ({', '.join(physicians)})")
    raise CodingRefused(f"No rendering provider: {why}; name the physician who rendered "
                        "the care.")


def _physician(conn: Connection, name: str) -> dict:
    user = find_user(conn, name)
    if user is None:
        raise CodingRefused(f"There is no user named '{name}' to be the rendering provider.")
    if user.role != Role.PHYSICIAN:
        raise CodingRefused(f"{user.full_name} ({name}) is a {user.role}, not a physician, so "
                            "cannot be the rendering provider.")
    return {"type": "Practitioner", "identifier": {"system": HEARTH_USER, "value": name},
            "display": user.full_name}


def _role(conn: Connection, name: str) -> str | None:
    user = find_user(conn, name)
    return user.role if user else None


def _participants(visit: dict) -> list[str]:
    return [ident["value"] for p in visit.get("participant", [])
            if (ident := p.get("individual", {}).get("identifier") or {}).get("system")
            == HEARTH_USER and ident.get("value")]


def _claim(visit: dict, patient_id: str, provider: dict, diagnoses: list[tuple[str, str]],
           services: list[tuple[ServiceCode, Line]], place: tuple[str, str],
           card: dict | None, stored: dict | None) -> dict:
    """The claim as the billing contract writes it (see the module)."""
    visit_ref = [{"reference": f"Encounter/{visit['id']}"}]
    served = (visit.get("period") or {}).get("start", now())[:10]
    location = {"coding": [{"system": codes.POS_SYSTEM, "code": place[0],
                            "display": place[1]}]}
    claim = {
        "resourceType": "Claim", "id": claim_id(visit["id"]), "status": "draft",
        "type": CLAIM_TYPE, "use": "claim",
        "patient": {"reference": f"Patient/{patient_id}"},
        "created": (stored or {}).get("created") or now(),
        "provider": provider, "priority": NORMAL,
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [
            {"system": icd10.SYSTEM, "code": code, "display": description}]}}
            for n, (code, description) in enumerate(diagnoses, start=1)],
        "item": [_item(n, found, line, location, served, visit_ref)
                 for n, (found, line) in enumerate(services, start=1)],
    }
    if card is None:
        claim["contained"] = [self_pay(patient_id)]
        coverage_ref = f"#{claim['contained'][0]['id']}"
    else:
        coverage_ref = f"Coverage/{card['id']}"
    claim["insurance"] = [{"sequence": 1, "focal": True,
                           "coverage": {"reference": coverage_ref}}]
    return {**_kept(stored), **{key: value for key, value in claim.items() if value != []}}


def _kept(stored: dict | None) -> dict:
    """What a new version keeps of the draft it replaces: whatever coding does not write
    (identifiers, notes, meta, extensions), so nothing added to the claim elsewhere is lost;
    not its total, which was priced for the lines being replaced."""
    owned = {"contained", "insurance", "diagnosis", "item", "total", "provider"}
    return {key: value for key, value in (stored or {}).items() if key not in owned}


def _item(number: int, found: ServiceCode, line: Line, location: dict, served: str,
          visit_ref: list[dict]) -> dict:
    item = {"sequence": number, "encounter": visit_ref,
            "productOrService": {"coding": [{"system": found.system, "code": found.code,
                                             "display": found.description}]},
            "modifier": [{"coding": [{"code": m}]} for m in line.modifiers],
            "quantity": {"value": line.units},
            "diagnosisSequence": list(line.pointers),
            "locationCodeableConcept": location, "servicedDate": served}
    return {key: value for key, value in item.items() if value != []}


def _billable_code(condition: dict) -> str | None:
    for coding in (condition.get("code") or {}).get("coding", []):
        if coding.get("system") == icd10.SYSTEM and icd10.is_billable(coding.get("code", "")):
            return icd10.normalize(coding["code"])
    return None


def _ongoing(condition: dict) -> bool:
    codings = (condition.get("clinicalStatus") or {}).get("coding", [])
    return any(c.get("code") in ONGOING for c in codings)


def _in_error(condition: dict) -> bool:
    codings = (condition.get("verificationStatus") or {}).get("coding", [])
    return any(c.get("code") == "entered-in-error" for c in codings)
