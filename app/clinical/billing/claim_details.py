"""One claim opened from billing's Claims tab: its visit's diagnoses, each line with its
code, modifiers, units, pointers and charge, the total, who pays, where it stands and what
still keeps it from billing.

It is the superbill's content (app.clinical.printing.superbill), read the same way, so the
screen and the printed superbill never disagree on a charge; nothing is printed and no file
is written. Billing reads it under MANAGE_CLAIMS, in one audited read naming the claim.
"""

from dataclasses import dataclass

from app.clinical.fhir.names import family_given
from app.clinical.printing import superbill
from app.clinical.printing.document import Content
from app.clinical.records import Records
from app.errors import NotFound
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common.compartment import patient_of


@dataclass(frozen=True)
class ClaimDetails:
    claim_id: str
    patient: str  # "Family, Given"
    content: Content  # facts, then the Diagnoses and Services sections (and what blocks it)


class ClaimReader:
    def __init__(self, store: Store, billing: BillingPolicy):
        self._records, self._billing = Records(store), billing

    def details(self, session: Session, claim_id: str) -> ClaimDetails:
        """The claim as its superbill shows it; NotFound when there is no such claim."""
        with self._records.read(session, Permission.MANAGE_CLAIMS) as work:
            claim = work.get("Claim", claim_id)
            patient_id = patient_of(claim) if claim else None
            work.read(f"Claim/{claim_id}", "claim details", patient_id, claim is not None)
            patient = work.get("Patient", patient_id) if patient_id else None
            name = family_given(patient or {}, "(no name)")
            content = None if patient is None else superbill.read(
                work, patient_id, name, claim_id.removeprefix("claim-"), billing=self._billing)
        if content is None:  # after the commit, so the failed read stays audited
            raise NotFound(f"There is no claim {claim_id}.")
        return ClaimDetails(claim_id, name, content)
