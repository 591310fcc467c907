"""The auditor's review queue: every break-the-glass, from any workstation once it has
synced (each is a Task, app.clinical.access.grants), worked one by one as reviewed or
escalated with a note (the Task completed, its businessStatus saying which).

The auditor (REVIEW_AUDIT) may list and decide these and nothing else: no other record is
written here, and her role reads no chart. The patient is shown by name to a role that
reads demographics or names patients in the audit trail (the auditor: a patient asks "who
looked at my record?" by name); others see the patient's id. Listing is audited once per
patient shown.
"""

from dataclasses import dataclass

from sqlalchemy import text

from app.clinical.access.grants import EMERGENCY_ACCESS
from app.clinical.fhir.names import family_given
from app.clinical.records import Records
from app.errors import NotFound, UsageError
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store
from fhir_common import fhir_json
from fhir_common.compartment import patient_of

OUTCOMES = ("reviewed", "escalated")
TASKS = text("SELECT json FROM resource WHERE type = 'Task' AND deleted = 0"
             " AND json_extract(json, '$.code.coding[0].system') = :system")


@dataclass(frozen=True)
class EmergencyAccess:
    task_id: str
    patient_id: str
    patient: str  # the name, or "Patient <id>" for a role that does not read names
    clinician: str  # "Full Name (user)"
    reason: str
    start: str  # ISO instants, shown with app.display_time.when_text
    end: str
    outcome: str  # "awaiting review", "reviewed", "escalated"
    notes: tuple[str, ...]


class EmergencyReview:
    def __init__(self, store: Store, feed=None):
        self._records = Records(store, feed)

    def list(self, session: Session, include_done: bool = False) -> list[EmergencyAccess]:
        """Emergency accesses awaiting review (all of them with `include_done`): those
        awaiting review first, each part oldest first."""
        with self._records.read(session, Permission.REVIEW_AUDIT) as work:
            tasks = [fhir_json.loads(body) for (body,) in work.conn.execute(
                TASKS, {"system": EMERGENCY_ACCESS})]
            tasks = [t for t in tasks if include_done or t.get("status") == "ready"]
            names = {}
            for pid in sorted({patient_of(t) for t in tasks if patient_of(t)}):
                patient = work.get("Patient", pid)
                named = session.may(Permission.READ_DEMOGRAPHICS) or session.may(
                    Permission.NAME_PATIENTS_IN_AUDIT)
                names[pid] = family_given(patient, pid) if patient and named else f"Patient {pid}"
                work.read(f"Patient/{pid}", "emergency access review queue", pid)
            if not tasks:
                work.read("Task", "emergency access review queue: none waiting")
        found = [_access(t, names) for t in tasks]
        return sorted(found, key=lambda a: (a.outcome != "awaiting review", a.start))

    def decide(self, session: Session, task_id: str, outcome: str, note: str) -> None:
        """Mark one emergency access reviewed or escalated, with the auditor's note."""
        note = note.strip()
        if outcome not in OUTCOMES:
            raise UsageError(f"The outcome is {outcome!r}; choose reviewed or escalated.")
        if outcome == "escalated" and not note:
            raise UsageError("Say why you escalate this emergency access (a note is needed).")
        with self._records.write(session, Permission.REVIEW_AUDIT) as work:
            task = work.get("Task", task_id)
            if task is None or not is_emergency(task):
                raise NotFound(f"There is no emergency access {task_id}.")
            if task.get("status") != "ready":
                raise UsageError(f"Emergency access {task_id} was already "
                                 f"{task.get('businessStatus', {}).get('text', 'worked')}.")
            task["status"] = "completed"
            task["businessStatus"] = {"text": outcome}
            task["owner"] = {"identifier": {"system": "urn:hearth:user", "value": session.user},
                             "display": session.full_name}
            task["lastModified"] = work.at
            task.setdefault("note", []).append(
                {"text": f"{outcome.capitalize()}: {note}" if note else outcome.capitalize(),
                 "authorString": session.full_name, "time": work.at})
            work.save(task, "update", f"emergency access {outcome}"
                      + (f": {note}" if note else ""))


def is_emergency(task: dict) -> bool:
    """Whether `task` is a break-the-glass grant (app.clinical.access.grants)."""
    return any(c.get("system") == EMERGENCY_ACCESS
               for c in (task.get("code") or {}).get("coding", []))


def _access(task: dict, names: dict[str, str]) -> EmergencyAccess:
    pid = patient_of(task) or ""
    who = task.get("requester") or {}
    period = (task.get("restriction") or {}).get("period") or {}
    status = task.get("businessStatus", {}).get("text", "awaiting review")
    return EmergencyAccess(
        task["id"], pid, names.get(pid, f"Patient {pid}"),
        f"{who.get('display', '?')} ({(who.get('identifier') or {}).get('value', '?')})",
        (task.get("reasonCode") or {}).get("text", ""), period.get("start", ""),
        period.get("end", ""), status, tuple(n.get("text", "") for n in task.get("note", [])))
