"""The problem list (FHIR R4 Condition, category problem-list-item), coded in ICD-10-CM.

Problems entered here carry a billable ICD-10-CM code from the offline code set
(app.clinical.charting.icd10) with its official description; problems imported from elsewhere
(Synthea's are SNOMED CT) are shown by their own text and left as they came.

A problem is never deleted. Resolving it, making it inactive or marking it entered in error
saves a new version of the same Condition, with the reason as a note on it; see
app.clinical.charting.entries for how each version is kept (audit trail locally, the server's
version history after sync).
"""

import uuid

from app.clinical.charting import icd10
from app.clinical.charting.entries import (
    annotation,
    change,
    concept,
    create,
    mark_entered_in_error,
    past_date,
    refuse_if_in_error,
    required,
    status_code,
    title,
)
from app.clinical.records import ChangeFeed, Records
from app.clinical.visits.encounters import now, user_reference
from app.errors import InvalidRecord
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ONGOING = ("active", "recurrence", "relapse")  # as app.clinical.chart.chart lists active problems


class Problems:
    def __init__(self, store: Store, feed: ChangeFeed | None = None):
        self._records = Records(store, feed)

    def add(self, session: Session, patient_id: str, icd10_code: str, onset: str | None = None,
            note: str | None = None) -> dict:
        """Add an active, confirmed problem; `onset` is a year, month or day."""
        session.require(Permission.EDIT_CHART)
        code = icd10.normalize(icd10_code)
        description = _billable(code)
        condition = {
            "resourceType": "Condition",
            "id": str(uuid.uuid4()),
            "clinicalStatus": concept(CLINICAL, "active", "Active"),
            "verificationStatus": concept(VERIFICATION, "confirmed", "Confirmed"),
            "category": [concept(CATEGORY, "problem-list-item", "Problem List Item")],
            "code": concept(icd10.SYSTEM, code, description),
            "subject": {"reference": f"Patient/{patient_id}"},
            "recordedDate": now(),
            "recorder": user_reference(session),
        }
        if when := past_date(onset, "Onset"):
            condition["onsetDateTime"] = when
        if note and note.strip():
            condition["note"] = [annotation(session, note.strip())]
        with self._records.write(session, Permission.EDIT_CHART) as work:
            create(work, condition, patient_id, f"problem added: {code} {description}")
        return condition

    def edit(self, session: Session, condition_id: str, onset: str | None = None,
             note: str | None = None) -> dict:
        """Correct the onset, or add a note (notes are added, never overwritten)."""
        session.require(Permission.EDIT_CHART)
        when = past_date(onset, "Onset")
        note = note.strip() if note else None
        if when is None and not note:
            raise InvalidRecord("Give a new onset date or a note; nothing was changed.")

        def edit(condition: dict) -> str:
            refuse_if_in_error(condition)
            changes = []
            if when is not None:
                changes.append(f"onset {condition.get('onsetDateTime', 'none')} -> {when}")
                condition.pop("onsetPeriod", None)
                condition.pop("onsetAge", None)
                condition.pop("onsetString", None)
                condition["onsetDateTime"] = when
            if note:
                condition.setdefault("note", []).append(annotation(session, note))
                changes.append(f"note: {note}")
            return "problem edited: " + "; ".join(changes)

        return change(self._records, session, "Condition", condition_id, "problem", edit)

    def resolve(self, session: Session, condition_id: str, reason: str,
                abatement: str | None = None) -> dict:
        """The problem is over: resolved as of `abatement` (today if not given)."""
        session.require(Permission.EDIT_CHART)
        reason = required(reason, "why the problem is resolved")
        ended = past_date(abatement, "Resolved date") or now()[:10]
        return self._end(session, condition_id, "resolved", "Resolved", reason, ended)

    def inactivate(self, session: Session, condition_id: str, reason: str) -> dict:
        """No longer active, though not known to be resolved (e.g. not seen for years)."""
        session.require(Permission.EDIT_CHART)
        reason = required(reason, "why the problem is no longer active")
        return self._end(session, condition_id, "inactive", "Inactive", reason, None)

    def enter_in_error(self, session: Session, condition_id: str, reason: str) -> dict:
        """The problem was never the patient's (wrong chart, wrong code): kept, marked."""
        session.require(Permission.EDIT_CHART)
        return mark_entered_in_error(self._records, session, "Condition", condition_id,
                                     "problem", VERIFICATION, reason)

    def _end(self, session: Session, condition_id: str, status: str, display: str, reason: str,
             ended: str | None) -> dict:
        def edit(condition: dict) -> str:
            refuse_if_in_error(condition)
            current = status_code(condition, "clinicalStatus")
            if current not in ONGOING:
                raise InvalidRecord(f"{title(condition)} is already {current or 'not active'}.")
            onset = condition.get("onsetDateTime", "")
            if ended and onset and ended < onset[:len(ended)]:
                raise InvalidRecord(f"{title(condition)} cannot be resolved ({ended}) before "
                                    f"its onset ({onset[:10]}).")
            condition["clinicalStatus"] = concept(CLINICAL, status, display)
            if ended:
                condition["abatementDateTime"] = ended
            condition.setdefault("note", []).append(annotation(session, f"{display}: {reason}"))
            return f"problem {status}{f' as of {ended}' if ended else ''}: {reason}"

        return change(self._records, session, "Condition", condition_id, "problem", edit)


def _billable(code: str) -> str:
    """The description of a billable code; anything else is refused with what to choose."""
    if icd10.is_billable(code):
        return icd10.describe(code)
    description = icd10.describe(code)
    if description is None:
        raise InvalidRecord(f"{code} is not an ICD-10-CM code; search by name instead.")
    choices = ", ".join(f"{c.code} ({c.description})" for c in icd10.search(code, 3))
    raise InvalidRecord(f"{code} ({description}) is a heading, not a billable code; choose a "
                        f"more specific one, such as {choices}.")
