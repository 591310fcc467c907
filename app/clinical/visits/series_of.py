"""How many appointments a "this and following" change would touch, asked before it is made.

The Calendar asks this when an appointment is opened, so its Cancel and Move can offer
"Only this one" or "This and following (N)" only for an appointment of a series, with the
number the desk is about to change (recurrence.Series makes the change). It reads through
the write path as an audited read, since the answer is about a patient's appointments.
"""

from datetime import datetime

from app.clinical.records import Records
from app.clinical.visits.booking import MOVABLE, stored
from app.clinical.visits.recurrence import OF_SERIES
from app.clinical.visits.slots import SERIES
from app.security.roles import Permission
from app.security.session import Session
from fhir_common import fhir_json


def following(records: Records, session: Session, appointment_id: str) -> int:
    """The occurrences of the appointment's series from it on that can still change (it
    included); 0 when it belongs to no series."""
    with records.read(session, Permission.READ_DEMOGRAPHICS) as work:
        first = stored(work, appointment_id)
        series = next((i.get("value") for i in first.get("identifier", [])
                       if i.get("system") == SERIES), None)
        if series is None or first.get("status") not in MOVABLE:
            return 0
        start = _start(first)
        count = sum(1 for _, body in work.conn.execute(OF_SERIES, {"system": SERIES,
                                                                   "series": series})
                    if (r := fhir_json.loads(body)).get("status") in MOVABLE
                    and _start(r) >= start)
        work.read(f"Appointment/{appointment_id}",
                  f"series {series}: {count} occurrences from this one on")
        return count


def _start(resource: dict) -> datetime:
    return datetime.fromisoformat(resource["start"]).astimezone()
