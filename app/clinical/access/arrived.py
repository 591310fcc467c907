"""Emergency accesses made on another workstation, arriving by sync: each written in this
store's audit trail too.

Each workstation's trail is its own (its rows are uploaded, never pulled back), so a nurse
who breaks the glass on workstation A leaves her row in A's trail only. The auditor who
works on B learns of it from the grant's Task in her review queue, but searching B's trail
by the patient's name would find nothing of it. This check runs in the pull's transaction
(wired with the other pull checks in app.bootstrap), so every grant that arrives gets its
row in B's trail, in the same write as the Task, naming the clinician, the reason and the
window; a grant reviewed elsewhere gets a row saying so. The row is B's own, done by the
sync (app.store.audit_log.by_sync, naming who started it), with a detail beginning
"emergency access" as break-the-glass writes it.
"""

from sqlalchemy import Connection

from app.clinical.access.break_glass import EMERGENCY_ACCESS_DETAIL
from app.clinical.access.review import is_emergency
from fhir_common.compartment import patient_of


def note_arrived_grants(conn: Connection, received: list[dict], user: str, at: str
                        ) -> list[tuple[str, str, str]]:
    """For each emergency-access Task a pull stored, the audit row (patient, entity, detail)
    that says so on this workstation."""
    return [(patient_of(task) or "", f"Task/{task['id']}", _detail(task))
            for task in received
            if task["resourceType"] == "Task" and is_emergency(task)]


def _detail(task: dict) -> str:
    requester = task.get("requester") or {}
    who = (f"{requester.get('display', '?')} "
           f"({(requester.get('identifier') or {}).get('value', '?')})")
    if task.get("status") == "ready":
        until = ((task.get("restriction") or {}).get("period") or {}).get("end", "?")
        why = (task.get("reasonCode") or {}).get("text", "no reason given")
        return (f"{EMERGENCY_ACCESS_DETAIL} on another workstation, received from the "
                f"server: {who} broke the glass: {why}; access until {until}")
    owner = (task.get("owner") or {}).get("display", "?")
    outcome = (task.get("businessStatus") or {}).get("text", task.get("status", "?"))
    return (f"{EMERGENCY_ACCESS_DETAIL} of {who} {outcome} on another workstation by "
            f"{owner}, received from the server")
