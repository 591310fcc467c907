"""Breaking the glass: a clinician outside a restricted patient's care team opens the chart
for a window of time (the policy's access.emergency_minutes, default 4 hours), giving a
reason from the policy's list (and words of their own; required for "Other") and their
password again, checked as sign-in checks it. It needs no network: the grant is a Task saved
through the write path (app.clinical.access.grants says its shape), audited (a "create" whose
detail begins "emergency access"), and synced to the server for the auditor's review queue.

Only a role that reads charts may break the glass; the front desk and billing never do.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.clinical.access import gate
from app.clinical.access.grants import EMERGENCY_ACCESS, REVIEW_CODE
from app.clinical.records import Records
from app.clinical.visits.encounters import user_reference
from app.errors import UsageError, WrongPassword
from app.security.policy import Policy
from app.security.roles import Permission
from app.security.session import Session
from app.security.users import find_user, password_matches
from app.store.store import Store

OTHER = "Other"
# How the trail names an emergency access: its action column admits only the FHIR
# AuditEvent actions (schema CHECK), so the grant is a "create" whose detail starts so.
EMERGENCY_ACCESS_DETAIL = "emergency access"


@dataclass(frozen=True)
class Grant:
    task_id: str
    start: datetime
    end: datetime


class BreakGlass:
    def __init__(self, store: Store, policy: Policy, feed=None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._store = store
        self._records = Records(store, feed)
        self._policy = policy
        self._clock = clock

    @property
    def reasons(self) -> tuple[str, ...]:
        return self._policy.access.reasons

    def open(self, session: Session, patient_id: str, reason: str, words: str,
             password: str) -> Grant:
        """Grant `session` emergency access to the chart, or refuse with a sentence."""
        session.require(Permission.READ_CHART)  # front desk, billing: refused and audited
        reason, words = reason.strip(), words.strip()
        self._check_reason(reason, words)
        self._check_password(session, patient_id, password)
        start = self._clock()
        end = start + timedelta(minutes=self._policy.access.emergency_minutes)
        # saved under READ_DEMOGRAPHICS: the grant names the chart but reads nothing in it
        with self._records.write(session, Permission.READ_DEMOGRAPHICS) as work:
            work.require_patient(patient_id)
            try:
                gate.check(work.conn, session, patient_id, now=start)
            except gate.ChartRestricted:
                pass  # the glass is to be broken
            else:
                raise UsageError("You may open this chart as it is (it is not restricted, or "
                                 "you are on the patient's care team): nothing to break.")
            task = _task(session, patient_id, reason, words, start, end)
            said = f"{reason}: {words}" if words else reason
            work.save(task, "create", f"{EMERGENCY_ACCESS_DETAIL}: broke the glass: {said}; "
                      f"access until {end.isoformat(timespec='seconds')}")
        return Grant(task["id"], start, end)

    def _check_reason(self, reason: str, words: str) -> None:
        if not reason:
            raise UsageError("Say why you are breaking the glass: choose a reason ("
                             + ", ".join(self.reasons) + ").")
        if reason not in self.reasons:
            raise UsageError(f"{reason!r} is not one of the reasons: "
                             + ", ".join(self.reasons) + ".")
        if reason == OTHER and not words:
            raise UsageError("Say in your own words why you need this chart (the reason "
                             "is Other).")

    def _check_password(self, session: Session, patient_id: str, password: str) -> None:
        with self._store.read() as conn:
            user = find_user(conn, session.user)
        if user is None or not password_matches(self._policy, user.password_hash, password):
            with self._records.write(session, Permission.READ_DEMOGRAPHICS) as work:
                work.audit("read", outcome="failure", patient=patient_id,
                           entity=f"Patient/{patient_id}", detail=f"{EMERGENCY_ACCESS_DETAIL} "
                           "refused: password re-entered wrongly")
            raise WrongPassword("That is not your password: the chart stays closed.")


def _task(session: Session, patient_id: str, reason: str, words: str, start: datetime,
          end: datetime) -> dict:
    patient = {"reference": f"Patient/{patient_id}"}
    return {
        "resourceType": "Task", "id": str(uuid.uuid4()), "status": "ready", "intent": "order",
        "businessStatus": {"text": "awaiting review"},
        "code": REVIEW_CODE, "focus": patient, "for": patient,
        "requester": user_reference(session),
        "authoredOn": start.isoformat(timespec="seconds"),
        "reasonCode": {"coding": [{"system": f"{EMERGENCY_ACCESS}-reason", "code": reason}],
                       "text": f"{reason}: {words}" if words else reason},
        **({"note": [{"text": words, "authorString": session.full_name,
                      "time": start.isoformat(timespec="seconds")}]} if words else {}),
        "restriction": {"period": {"start": start.isoformat(timespec="seconds"),
                                   "end": end.isoformat(timespec="seconds")}},
    }
