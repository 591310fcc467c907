"""Signed orders on paper: a lab and imaging requisition, or a prescription, as a PDF.

A printout names the patient and their orders, so everything on it is read in ONE audited
read (audited as an export: the data leaves the chart), and the file appears whole or not at
all, as the day sheet does it (app.clinical.visits.day_sheet): written to a temporary file
beside the one asked for, renamed over it once complete; where it cannot be written is found
out before anything is read.

Only signed (active) orders are printed: every current one, or (`PrintRequest.which`) those
signed today, which is what a prescriber hands over at the end of a visit, or the orders
named by id. A pended order is not an order yet, and a paper
that looks like one could be acted on, so pended orders are left out rather than printed
under a watermark; when there is nothing signed, nothing is written and the sentence says
how many orders still wait for a signature.

A prescription line gives the directions in words as stored (dosageInstruction text, built
by the sig builder), quantity and refills (dispenseRequest), and any safety alert the
prescriber went past (a DetectedIssue about the order with a mitigation, e.g. "Overridden:
reason"), so the pharmacist sees what the prescriber already weighed. The quantity is "not
stated" only when neither a quantity nor a days' supply was given.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text

from app.clinical.charting.entries import title
from app.clinical.fhir.codes import RXNORM
from app.clinical.fhir.names import family_given, medical_record_number
from app.clinical.orders.catalogue import IMAGING, LOINC
from app.clinical.orders.order_prints_pdf import PrintedLine, PrintedPatient, Printout, render
from app.clinical.patients.insurance import insurance_of, shown_coverage
from app.clinical.patients.registration import COVERAGE_COMPARTMENT
from app.clinical.printing.letterhead import clinic_name, letterhead_of
from app.clinical.printing.pages import PAPERS
from app.clinical.records import Records, Work
from app.clinical.visits.day_sheet import _start_file, default_paper
from app.errors import NotFound, UsageError
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

# kind -> (what is printed, its heading, the orders named in a sentence, the paper named)
KINDS = {"lab": ("ServiceRequest", "Laboratory and imaging requisition",
                 "lab or imaging orders", "requisition"),
         "prescription": ("MedicationRequest", "Prescription", "medication orders",
                          "prescription")}
ORDERS = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
              "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
              "AND c.type = :type AND c.status IN ('active', 'draft')")
ISSUES = text("SELECT r.json FROM patient_compartment c JOIN resource r ON r.type = c.type "
              "AND r.id = c.id AND r.deleted = 0 WHERE c.patient_id = :patient "
              "AND c.type = 'DetectedIssue'")
WHICH = ("current", "today")
SEX = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}


@dataclass(frozen=True)
class PrintRequest:
    """What to print: `kind` "lab" or "prescription"; `paper` "a4", "letter" or None (the
    locale's); `which` signed orders: "current" (all), "today" (signed today, this
    computer's day) or a tuple of order ids."""

    patient_id: str
    output: Path
    kind: str = "lab"
    paper: str | None = None
    which: str | tuple[str, ...] = "current"


@dataclass(frozen=True)
class OrdersPrinted:
    path: Path
    orders: int
    pages: int
    paper: str


class OrderPrints:
    def __init__(self, store: Store, organization: str | None = None,
                 billing: BillingPolicy | None = None):
        self._records = Records(store)
        self._organization = organization  # the policy's "Organization/<id>", if any
        self._billing = billing or BillingPolicy()  # its organization_name heads the paper

    def print(self, session: Session, request: PrintRequest,
              environ: Mapping[str, str] = os.environ) -> OrdersPrinted:
        session.require(Permission.READ_CHART)
        if request.kind not in KINDS:
            raise UsageError(f"{request.kind!r} is not something to print: use lab or "
                             "prescription.")
        if isinstance(request.which, str) and request.which not in WHICH:
            raise UsageError(f"{request.which!r} is not a choice of orders: use current, today "
                             "or the orders' ids.")
        if not request.which:
            raise UsageError("No order was chosen to print: name at least one order.")
        paper = request.paper or default_paper(environ)
        if paper not in PAPERS:
            raise UsageError(f"{paper!r} is not a paper size: use a4 or letter.")
        output = request.output.expanduser().absolute()
        paper_name = KINDS[request.kind][3]
        partial = _start_file(output, f"the {paper_name}", f"{paper_name}.pdf")
        try:
            printout = self._read(session, request)
            pages = render(partial, paper, printout)
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return OrdersPrinted(output, len(printout.lines), pages, paper)

    def _read(self, session: Session, request: PrintRequest) -> Printout:
        kind, heading, what, _ = KINDS[request.kind]
        with self._records.read(session, Permission.READ_CHART) as work:
            patient = work.get("Patient", request.patient_id)
            found = [fhir_json.loads(b) for (b,) in work.conn.execute(
                ORDERS, {"patient": request.patient_id, "type": kind})] if patient else []
            current = sorted((o for o in found if o.get("status") == "active"),
                             key=lambda o: o.get("authoredOn", ""))
            signed = _chosen(current, request.which)
            unknown = [] if isinstance(request.which, str) else sorted(
                set(request.which) - {o["id"] for o in signed})
            if unknown:  # nothing is printed, so the export names no order
                signed = []
            lines = [_line(work, o, request.patient_id) for o in signed]
            work.read(f"Patient/{request.patient_id}", f"{heading.lower()} printed: "
                      f"{len(signed)} orders ({', '.join(o['id'] for o in signed) or 'none'})",
                      request.patient_id, patient is not None, action="export")
            printout = Printout(
                letterhead_of(patient, clinic_name(work.conn, self._organization,
                                                   self._billing.organization_name),
                              f"{heading}, {date.today():%d\u00a0%B\u00a0%Y}", session.user,
                              datetime.now().astimezone()),
                _patient(work, patient), tuple(dict.fromkeys(line.clinician for line in lines)),
                tuple(lines)) if patient else None
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {request.patient_id}.")
        if unknown:
            verb = "is not a signed order" if len(unknown) == 1 else "are not signed orders"
            raise UsageError(f"Nothing was printed: {', '.join(unknown)} {verb} among "
                             f"{printout.patient.name}'s {what}.")
        if not signed and request.which == "today" and current:
            others = len(current)
            raise UsageError(f"Nothing to print: {printout.patient.name} has no {what} signed "
                             f"today ({others} signed earlier: print all current ones to "
                             "include them). No file was written.")
        if not signed:
            pended = len(found) - len(current)
            waiting = (f" ({pended} pended {'order waits' if pended == 1 else 'orders wait'} "
                       "for a physician's signature)") if pended else ""
            raise UsageError(f"Nothing to print: {printout.patient.name} has no signed {what}"
                             f"{waiting}. No file was written.")
        return printout


def _patient(work: Work, patient: dict) -> PrintedPatient:
    ids = [row[0] for row in work.conn.exec_driver_sql(COVERAGE_COMPARTMENT, (patient["id"],))]
    card = insurance_of(shown_coverage([c for c in (work.get("Coverage", i) for i in ids) if c]))
    insurance = " · ".join(filter(None, [card.payer, card.member_id and f"member {card.member_id}",
                                         card.group and f"group {card.group}"])) if card else ""
    address = (patient.get("address") or [{}])[0]
    return PrintedPatient(
        name=family_given(patient, "(no name)"), born=patient.get("birthDate", ""),
        sex=SEX.get(patient.get("gender", ""), ""), mrn=medical_record_number(patient) or "",
        address=", ".join(filter(None, [*address.get("line", []), address.get("city"),
                                        " ".join(filter(None, [address.get("state"),
                                                               address.get("postalCode")])),
                                        address.get("country")])),
        insurance=insurance or "none recorded")


def _line(work: Work, order: dict, patient_id: str) -> PrintedLine:
    clinician = (order.get("requester") or {}).get("display") or "unknown clinician"
    ordered = (order.get("authoredOn") or "")[:10]
    if order["resourceType"] == "ServiceRequest":
        coding = ((order.get("code") or {}).get("coding") or [{}])[0]
        notes = [n["text"] for n in order.get("note", [])
                 if n.get("text") and not n["text"].startswith(("Pended by ", "Cancelled: "))]
        system = {LOINC: "LOINC", IMAGING: "imaging code"}.get(coding.get("system"), "code")
        return PrintedLine(title(order), f"{system} {coding.get('code', 'none')}", clinician,
                           ordered, (
            ("Priority", _priority(order.get("priority", "routine"))),
            ("Reason", _reason(work, order)),
            ("Specimen / notes", "; ".join(notes))))
    coding = next((c for c in (order.get("medicationCodeableConcept") or {}).get("coding", [])
                   if c.get("system") == RXNORM), {})
    dispense = order.get("dispenseRequest") or {}
    quantity = dispense.get("quantity") or {}
    sig = next((d["text"] for d in order.get("dosageInstruction", []) if d.get("text")), "")
    return PrintedLine(title(order), f"RxNorm {coding['code']}" if coding.get("code") else
                       "free text: no RxNorm code", clinician, ordered, (
        ("Directions", sig), ("Quantity", _quantity(quantity, dispense)),
        ("Refills", str(dispense.get("numberOfRepeatsAllowed", "not stated"))),
        *(("Safety alert", o) for o in _overrides(work, order, patient_id))))


def _chosen(current: list[dict], which: str | tuple[str, ...]) -> list[dict]:
    """The signed orders asked for: all, those signed today, or those named."""
    if which == "current":
        return current
    if which == "today":
        return [o for o in current if signed_today(o)]
    return [o for o in current if o["id"] in set(which)]


def signed_today(order: dict) -> bool:
    """Dated today (authoredOn, the date each line prints, on this computer's clock). Not
    meta.lastUpdated: an old order that arrived by sync today was not signed today."""
    return bool(order.get("authoredOn")) and _local_day(order["authoredOn"]) == date.today()


def _local_day(moment: str) -> date | None:
    try:
        return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().date()
    except ValueError:
        return None


def _quantity(quantity: dict, dispense: dict) -> str:
    """ "30 tablet", else the days' supply given, and "not stated" only when neither is."""
    amount = " ".join(str(v) for v in (_number(quantity.get("value")), quantity.get("unit"))
                      if v)
    days = (dispense.get("expectedSupplyDuration") or {}).get("value")
    if amount:
        return amount
    if isinstance(days, int | float):
        return f"{_number(days)} days' supply"
    return "not stated"


def _priority(priority: str) -> str:
    """Routine as it is; anything sooner in capitals, so the lab cannot miss it."""
    return priority if priority == "routine" else priority.upper()


def _reason(work: Work, order: dict) -> str:
    words = [c.get("text", "") for c in order.get("reasonCode", [])]
    for ref in order.get("reasonReference", []):
        kind, _, rid = ref.get("reference", "").partition("/")
        found = work.get(kind, rid) if kind == "Condition" else None
        words.append(title(found) if found else ref.get("display", ""))
    return "; ".join(w for w in words if w)


def _overrides(work: Work, order: dict, patient_id: str) -> list[str]:
    """Each alert about this order the prescriber went on past, in words."""
    me = f"MedicationRequest/{order['id']}"
    said = []
    for (body,) in work.conn.execute(ISSUES, {"patient": patient_id}):
        issue = fhir_json.loads(body)
        if (issue.get("implicated") or [{}])[0].get("reference") != me:
            continue
        for step in issue.get("mitigation", []):
            who = (step.get("author") or {}).get("display")
            said.append(f"{issue.get('detail', '')} {step['action'].get('text', '')}"
                        + (f" ({who})" if who else ""))
    return said


def _number(value: float | int | None) -> str | None:
    return None if value is None else f"{value:g}"
