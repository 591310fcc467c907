"""Allergies and intolerances (FHIR R4 AllergyIntolerance), and an explicit "no known
allergies".

An empty allergy list means nobody asked; only a record saying "No known allergy" (SNOMED CT
716186003) means the patient was asked and has none, and only that is shown as NKA. Such a
record cannot be made while an allergy is active, and recording an allergy later makes the
NKA record inactive in the same transaction, with a note saying why, so the chart never
claims both.

The substance is picked from a coded list (app.clinical.charting.allergens) and saved with its
coding, so the checks can match it; typed text not on the list is saved as text alone, which
no check can match and the banner marks "not checkable".

Recording an allergy checks the patient's current medications against it (the reverse of
the check on a new order, app.clinical.safety): never refused, its alerts are returned and
saved with it as DetectedIssues.

Nothing is deleted: inactivating or marking entered-in-error saves a new version with the
reason as a note (see app.clinical.charting.entries for how versions are kept).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, text

from app.clinical.charting.allergens import AllergenList, load_allergens
from app.clinical.charting.entries import (
    annotation,
    change,
    concept,
    create,
    for_edit,
    mark_entered_in_error,
    refuse_if_in_error,
    required,
    status_code,
    title,
)
from app.clinical.drugs.catalogue import load_catalogue
from app.clinical.fhir.codes import ANY, NO_KNOWN, NO_KNOWN_ALLERGY, SNOMED
from app.clinical.records import ChangeFeed, Records, Work
from app.clinical.safety.check import Alert, SafetyChecks
from app.clinical.safety.detected_issues import alert_issue, unchecked_issue
from app.clinical.visits.encounters import now, user_reference
from app.errors import InvalidRecord
from app.security.policy import SafetyPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json

CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
SEVERITIES = ("mild", "moderate", "severe")
CRITICALITIES = ("low", "high", "unable-to-assess")
CATEGORIES = ("food", "medication", "environment", "biologic")
ACTIVE_ALLERGIES = text(
    "SELECT r.json FROM patient_compartment c "
    "JOIN resource r ON r.type = c.type AND r.id = c.id AND r.deleted = 0 "
    "WHERE c.patient_id = :patient AND c.section = 'allergies' AND c.status = 'active'")


@dataclass(frozen=True)
class Recorded:
    """A saved allergy, the alerts it raised against current medications (each naming a
    drug to review) and what could not be checked, as stored in `issues`."""

    allergy: dict
    alerts: tuple[Alert, ...]
    unchecked: tuple[str, ...]
    issues: tuple[dict, ...]


class Allergies:
    """`safety` is the workstation's checks (see app.clinical.charting.medications);
    `allergens_file` a clinic's food and environment list in place of the shipped one."""

    def __init__(self, store: Store, feed: ChangeFeed | None = None,
                 safety: SafetyChecks | None = None, allergens_file: str | None = None):
        self._records = Records(store, feed)
        self.safety = safety or SafetyChecks(store, load_catalogue, SafetyPolicy())
        self._allergens_file = allergens_file

    def allergens(self) -> AllergenList:
        """The coded substances to pick from: the checks' own drug catalogue, so a drug
        allergy picked here is one they match, and the foods and environment list."""
        return load_allergens(lambda: self.safety.catalogue, self._allergens_file)

    def add(self, session: Session, patient_id: str, substance: str, reaction: str | None,
            severity: str | None, criticality: str | None = None,
            substance_code: dict | None = None, category: str | None = None) -> dict:
        """Record an allergy (see `record`); the saved AllergyIntolerance."""
        return self.record(session, patient_id, substance, reaction, severity, criticality,
                           substance_code, category).allergy

    def record(self, session: Session, patient_id: str, substance: str, reaction: str | None,
               severity: str | None, criticality: str | None = None,
               substance_code: dict | None = None, category: str | None = None) -> Recorded:
        """Record an active, confirmed allergy, checked against the patient's current
        medications in the same unit of work: never refused (recording an allergy is always
        right), but each alert names a drug to review and is saved with it as a
        DetectedIssue, as is a sentence for what could not be checked. `substance_code` is an
        optional FHIR Coding (system, code, display) for the substance; `reaction` is what
        happened, in words; `severity` (mild, moderate, severe) is that reaction's;
        `criticality` (low, high, unable-to-assess) is the risk of a future one; `category`
        is food, medication, environment or biologic."""
        session.require(Permission.EDIT_CHART)
        substance = required(substance, "what the patient is allergic to")
        reaction = reaction.strip() if reaction else None
        _one_of(severity, SEVERITIES, "severity")
        _one_of(criticality, CRITICALITIES, "criticality")
        _one_of(category, CATEGORIES, "category")
        if severity and not reaction:
            raise InvalidRecord("Say what the reaction was: a severity belongs to a reaction.")
        allergy = self._allergy(session, patient_id, {"text": substance})
        if substance_code:
            if not (substance_code.get("system") and substance_code.get("code")):
                raise InvalidRecord("A substance code needs its system and its code.")
            allergy["code"]["coding"] = [substance_code]
        if category:
            allergy["category"] = [category]
        if criticality:
            allergy["criticality"] = criticality
        if reaction:
            allergy["reaction"] = [{"manifestation": [{"text": reaction}],
                                    **({"severity": severity} if severity else {})}]
        with self._records.write(session, Permission.EDIT_CHART) as work:
            active = _active(work.conn, patient_id)
            if any(title(a).casefold() == substance.casefold() and _no_known(a) is None
                   for a in active):
                raise InvalidRecord(f"{substance} is already recorded as an active allergy.")
            for statement in active:
                if (contradicted := _no_known(statement)) is not None and (
                        contradicted == ANY or category in contradicted):
                    _supersede(work, statement, substance)
            alerts, unchecked = self.safety.against_allergy(work.conn, patient_id, allergy)
            record = f"AllergyIntolerance/{allergy['id']}"
            issues = tuple(alert_issue(session, patient_id, record, a) for a in alerts) + (
                (unchecked_issue(session, patient_id, record, " ".join(unchecked)),)
                if unchecked else ())
            create(work, allergy, patient_id, f"allergy added: {substance}"
                   + (f" ({reaction}{f', {severity}' if severity else ''})" if reaction else "")
                   + (f"; safety: {len(alerts)} medication alert(s)" if alerts else ""), issues)
        return Recorded(allergy, alerts, unchecked, issues)

    def record_no_known_allergies(self, session: Session, patient_id: str) -> dict:
        """Record that the patient was asked and has no known allergies. Refused while an
        allergy is active; if NKA is already recorded, that record is returned as it is."""
        session.require(Permission.EDIT_CHART)
        with self._records.write(session, Permission.EDIT_CHART) as work:
            active = _active(work.conn, patient_id)
            if allergic := [title(a) for a in active if _no_known(a) is None]:
                listed = ", ".join(allergic)
                raise InvalidRecord(
                    f"No known allergies cannot be recorded: {listed} "
                    f"{'is' if len(allergic) == 1 else 'are'} recorded as active. If that was "
                    "a mistake, mark it inactive or entered in error first.")
            if existing := [a for a in active if _no_known(a) == ANY]:
                return existing[0]
            statement = self._allergy(session, patient_id, concept(
                SNOMED, NO_KNOWN_ALLERGY, "No known allergy"))
            create(work, statement, patient_id, "no known allergies recorded")
        return statement

    def inactivate(self, session: Session, allergy_id: str, reason: str) -> dict:
        """No longer true (outgrown, desensitised), though it was: kept, shown as inactive."""
        session.require(Permission.EDIT_CHART)
        reason = required(reason, "why the allergy is no longer active")

        def edit(allergy: dict) -> str:
            refuse_if_in_error(allergy)
            if status_code(allergy, "clinicalStatus") != "active":
                raise InvalidRecord(f"{title(allergy)} is not active.")
            allergy["clinicalStatus"] = concept(CLINICAL, "inactive", "Inactive")
            allergy.setdefault("note", []).append(annotation(session, f"Inactive: {reason}"))
            return f"allergy inactive: {reason}"

        return change(self._records, session, "AllergyIntolerance", allergy_id, "allergy", edit)

    def current(self, session: Session, allergy_id: str) -> dict:
        """The allergy as stored, for a form that edits it."""
        session.require(Permission.EDIT_CHART)
        return for_edit(self._records, session, "AllergyIntolerance", allergy_id, "allergy")

    def edit(self, session: Session, allergy_id: str, reaction: str | None = None,
             severity: str | None = None, criticality: str | None = None,
             note: str | None = None, based_on: dict | None = None) -> dict:
        """Correct an active allergy: a new reaction or severity replaces its (first)
        reaction entry, a new criticality replaces the old one, and a note is added (notes
        are never overwritten). What is not given stays as it was. `based_on` is the record
        the form showed (see entries.change): a change saved since is merged, or the
        edit refused, never overwritten."""
        session.require(Permission.EDIT_CHART)
        reaction = reaction.strip() if reaction else None
        note = note.strip() if note else None
        _one_of(severity, SEVERITIES, "severity")
        _one_of(criticality, CRITICALITIES, "criticality")
        if not (reaction or severity or criticality or note):
            raise InvalidRecord("Give a new reaction, severity, criticality or a note; nothing "
                                "was changed.")

        def edit(allergy: dict) -> str:
            refuse_if_in_error(allergy)
            name = title(allergy)
            if status_code(allergy, "clinicalStatus") != "active":
                raise InvalidRecord(f"{name} is not active: only an active allergy can be "
                                    "edited.")
            if _no_known(allergy) is not None and (reaction or severity or criticality):
                raise InvalidRecord(f"{name} records that there is no allergy: it has no "
                                    "reaction, severity or criticality to change.")
            changes = []
            reactions = allergy.get("reaction") or [{}]
            old = reactions[0]
            old_words = _words((old.get("manifestation") or [{}])[0])
            old_severity = old.get("severity")
            new_words = reaction or old_words
            new_severity = severity or old_severity
            if (new_words, new_severity) != (old_words, old_severity):
                if not new_words:
                    raise InvalidRecord("Say what the reaction was: a severity belongs to a "
                                        "reaction.")
                manifestation = ([{"text": new_words}] if new_words != old_words
                                 else old["manifestation"])
                allergy["reaction"] = [{"manifestation": manifestation,
                                        **({"severity": new_severity} if new_severity
                                           else {})}] + reactions[1:]
                if new_words != old_words:
                    changes.append(f"reaction {old_words or 'none'} -> {new_words}")
                if new_severity != old_severity:
                    changes.append(f"severity {old_severity or 'none'} -> {new_severity}")
            if criticality and criticality != allergy.get("criticality"):
                changes.append(f"criticality {allergy.get('criticality', 'none')} -> "
                               f"{criticality}")
                allergy["criticality"] = criticality
            if note:
                allergy.setdefault("note", []).append(annotation(session, note))
                changes.append(f"note: {note}")
            if not changes:
                raise InvalidRecord(f"{name} already has that reaction, severity and "
                                    "criticality; nothing was changed.")
            return "allergy edited: " + "; ".join(changes)

        return change(self._records, session, "AllergyIntolerance", allergy_id, "allergy", edit,
                      based_on)

    def enter_in_error(self, session: Session, allergy_id: str, reason: str) -> dict:
        """Never true for this patient (wrong chart, wrong substance): kept, marked."""
        session.require(Permission.EDIT_CHART)
        return mark_entered_in_error(self._records, session, "AllergyIntolerance", allergy_id,
                                     "allergy", VERIFICATION, reason)

    @staticmethod
    def _allergy(session: Session, patient_id: str, code: dict) -> dict:
        return {
            "resourceType": "AllergyIntolerance",
            "id": str(uuid.uuid4()),
            "clinicalStatus": concept(CLINICAL, "active", "Active"),
            "verificationStatus": concept(VERIFICATION, "confirmed", "Confirmed"),
            "code": code,
            "patient": {"reference": f"Patient/{patient_id}"},
            "recordedDate": now(),
            "recorder": user_reference(session),
        }


def _active(conn: Connection, patient_id: str) -> list[dict]:
    return [fhir_json.loads(body) for (body,) in conn.execute(ACTIVE_ALLERGIES,
                                                           {"patient": patient_id})]


def _no_known(allergy: dict) -> frozenset[str] | None:
    """For a "no known ..." record, the categories that contradict it; None for a real
    allergy."""
    for coding in (allergy.get("code") or {}).get("coding", []):
        if coding.get("system") == SNOMED and coding.get("code") in NO_KNOWN:
            return NO_KNOWN[coding["code"]]
    return None


def _supersede(work: Work, statement: dict, substance: str) -> None:
    """A "no known allergy" record an allergy now contradicts becomes inactive: it was true
    when recorded, so it is not entered in error."""
    statement["clinicalStatus"] = concept(CLINICAL, "inactive", "Inactive")
    statement.setdefault("note", []).append(
        annotation(work.session, f"No longer true: an allergy to {substance} was recorded."))
    work.save(statement, "update",
              f"{title(statement)} made inactive: allergy to {substance} recorded")


def _words(concept: dict) -> str | None:
    """A reaction's manifestation in words: its text, else a coding's display."""
    return concept.get("text") or next(
        (c["display"] for c in concept.get("coding", []) if c.get("display")), None)


def _one_of(value: str | None, allowed: tuple[str, ...], what: str) -> None:
    if value is not None and value not in allowed:
        raise InvalidRecord(f"{value!r} is not a {what}; use one of {', '.join(allowed)}.")
