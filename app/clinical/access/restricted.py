"""Marking a chart restricted, and reading whether it is.

Restricted is the HL7 v3 Confidentiality code "R" in Patient.meta.security, so the mark
travels with the Patient to the server and every other workstation like any change to it.
Only the roles the policy's access.restrict_roles names may set or clear it (default the
physician), through the write path, audited.
"""

from app.clinical.access.grants import CONFIDENTIALITY, RESTRICTED, is_restricted
from app.clinical.records import Records
from app.errors import PermissionDenied
from app.security.access_policy import AccessPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.store import Store

__all__ = ["Restriction", "is_restricted"]


class Restriction:
    """Mark and unmark restricted charts."""

    def __init__(self, store: Store, policy: AccessPolicy, feed=None):
        self._records = Records(store, feed)
        self._policy = policy

    def set(self, session: Session, patient_id: str, restricted: bool) -> bool:
        """Mark (or unmark) the chart; whether anything changed."""
        if str(session.role) not in self._policy.restrict_roles:
            raise PermissionDenied(
                f"{session.full_name} ({session.user}) is signed in as {session.role}; only "
                f"{', '.join(self._policy.restrict_roles)} may mark a chart restricted.")
        with self._records.write(session, Permission.EDIT_DEMOGRAPHICS) as work:
            patient = work.require_patient(patient_id)
            if is_restricted(patient) == restricted:
                work.read(f"Patient/{patient_id}", "restriction unchanged", patient_id)
                return False
            meta = patient.setdefault("meta", {})
            kept = [s for s in meta.get("security", [])
                    if not (s.get("system") == CONFIDENTIALITY and s.get("code") == "R")]
            meta["security"] = [*kept, RESTRICTED] if restricted else kept
            if not meta["security"]:
                del meta["security"]
            work.save(patient, "update",
                      "chart marked restricted" if restricted else "chart restriction removed")
        return True
