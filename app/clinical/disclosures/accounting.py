"""The accounting of disclosures: what left a patient's record, when, by whom, to whom.

Every disclosure Hearth makes is already an audit row of action "export" on the patient,
written in the same transaction as the read that produced it (a printout:
app.clinical.printing.printouts; a requisition or prescription: orders.order_prints; the
chart as JSON; a claim in an 837P file; an EHI export). The audit chain is the ledger: its
rows cannot be edited or dropped without `hearth audit verify` saying so, so the accounting
is read from it rather than kept twice. Only exports that succeeded are listed: a failed one
disclosed nothing. Whom it went to is the recipient named at the print (`--to`), kept in
the row (app.clinical.disclosures.recipient); "not recorded" when none was named.

ONC 170.315(d)(11) asks for disclosures made for treatment, payment and health care
operations too, which HIPAA 164.528(a)(1) exempts from the patient's accounting: all are
listed, because the workstation cannot tell a purpose from a print, and the list is what
the clinic starts its answer to the patient from.

Sync uploads are not listed. Sending a chart to the clinic's own FHIR server moves it
within the covered entity, from one of its computers to another: that is a use, not a
disclosure (164.501: a disclosure is release "outside the entity holding the
information"), and every workstation and the server hold the same record. What the server
then releases is the server's accounting.

Who may read it: READ_CHART roles (physician, nurse), who answer the patient at the
visit, and REVIEW_AUDIT roles (admin, auditor: the privacy officer's work), who already
read these rows in the whole trail. The list names documents and people, never chart
content, so it does not widen what either side sees. Front desk and billing may not: they
read no chart and no audit trail. Reading the list is itself an audited read (action
"read", so it never lists itself); printing it for the patient is a disclosure like any
other print.

The rows are this workstation's: audit rows are uploaded to the server, never pulled, so a
print made on another workstation is in that workstation's list and the server's trail.
"""

from dataclasses import dataclass

from sqlalchemy import select, text

from app.clinical.disclosures.recipient import split_recipient
from app.clinical.fhir.names import family_given
from app.clinical.records import Records, Work
from app.errors import NotFound
from app.security.roles import Permission
from app.security.session import Session
from app.store import schema
from app.store.store import Store

MAY_READ = (Permission.READ_CHART, Permission.REVIEW_AUDIT)
EXPORTS = text("SELECT at, user, role, entity, detail FROM audit WHERE patient = :patient "
               "AND action = 'export' AND outcome = 'success' ORDER BY seq")
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Disclosure:
    at: str  # UTC, ISO 8601, as the audit row has it
    by: str  # "Dr Lee (physician)"
    what: str  # "Medication list printed to /tmp/m.pdf (a4): 12 entries"
    to: str  # whom it went to, or NOT_RECORDED


def permission_for(session: Session) -> Permission:
    """The first of MAY_READ the user holds (the first, to be refused, when none)."""
    return next((p for p in MAY_READ if session.may(p)), MAY_READ[0])


def disclosures_in(work: Work, patient_id: str) -> list[Disclosure]:
    """The patient's disclosures, oldest first, read in the caller's transaction (not
    audited here: the caller's read or print is)."""
    names = dict(work.conn.execute(select(schema.app_user.c.name,
                                          schema.app_user.c.full_name)).all())
    found = []
    for at, user, role, entity, detail in work.conn.execute(EXPORTS, {"patient": patient_id}):
        what, to = split_recipient(detail or "")
        what = what.removeprefix("disclosure: ") or f"{entity} exported"
        who = names.get(user) or user
        found.append(Disclosure(at, f"{who} ({role})" if role else who,
                                what[:1].upper() + what[1:], to or NOT_RECORDED))
    return found


class Disclosures:
    def __init__(self, store: Store):
        self._records = Records(store)

    def of_patient(self, session: Session, patient_id: str) -> tuple[str, list[Disclosure]]:
        """("Family, Given", the disclosures oldest first): one audited read, failed
        (no such patient) or not."""
        with self._records.read(session, permission_for(session)) as work:
            patient = work.get("Patient", patient_id)
            listed = disclosures_in(work, patient_id) if patient else []
            work.read(f"Patient/{patient_id}",
                      f"accounting of disclosures: {len(listed)} listed", patient_id,
                      patient is not None)
        if patient is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no patient {patient_id}.")
        return family_given(patient, "(no name)"), listed
