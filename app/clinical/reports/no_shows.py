"""No-show rate: of the appointments that were due in the period, how many were missed.

Due means booked for a time already past and not withdrawn: cancelled, entered-in-error,
waitlist, proposed and pending appointments never were due, and one still ahead is not yet.
A due appointment nobody marked (still "booked") counts as kept, as the desk's list shows it.
The provider is the appointment's practitioner (the participant Hearth books with); the
counts are read from the appointment_status_by_start index alone (schema v14).
"""

from datetime import UTC, datetime

from sqlalchemy import Connection, text

from app.clinical.fhir.names import main_name
from app.clinical.reports.table import SQL_INSTANT, Chart, Period, ReportTable
from app.store.schema.v13 import PRACTITIONER
from app.store.schema.v14 import APPOINTMENT_KEPT, APPOINTMENT_START, APPOINTMENT_STATUS
from fhir_common import fhir_json

START, STATUS = APPOINTMENT_START, APPOINTMENT_STATUS  # as schema v14 indexes them
DUE = (f"{APPOINTMENT_KEPT} AND {STATUS} IN "
       "('booked', 'arrived', 'checked-in', 'fulfilled', 'noshow')")
BY_PROVIDER = text(  # from the index alone (MATERIALIZED: see reports.visits)
    f"WITH due AS MATERIALIZED (SELECT {PRACTITIONER} AS practitioner, {STATUS} AS status "
    "FROM resource INDEXED BY appointment_status_by_start "
    f"WHERE {DUE} AND {START} >= :start AND {START} < :end) "
    "SELECT practitioner, count(*), sum(status = 'noshow') FROM due GROUP BY 1")
NAMES = text("SELECT id, json FROM resource WHERE type = 'Practitioner' AND deleted = 0")


def no_show_rate(conn: Connection, period: Period,
                 now: datetime | None = None) -> ReportTable:
    bounds = period.utc_bounds()
    passed = (now or datetime.now(UTC)).astimezone(UTC).strftime(SQL_INSTANT)
    bounds["end"] = min(bounds["end"], passed)
    names = _names(conn)
    counted = [(names.get(ref or "", ref or "No practitioner named"), due, missed)
               for ref, due, missed in conn.execute(BY_PROVIDER, bounds)]
    rows = [(who, due, missed, _rate(missed, due)) for who, due, missed in sorted(counted)]
    due, missed = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return ReportTable("no-show-rate", "No-show rate", period,
                       ("Provider", "Appointments due", "No-shows", "No-show rate (%)"), rows,
                       ("All providers", due, missed, _rate(missed, due)),
                       Chart(label=0, value=3),
                       "Appointments whose time had passed (not cancelled, not on the waiting "
                       "list), and how many were marked no-show.")


def _names(conn: Connection) -> dict[str, str]:
    """"Practitioner/<id>" to "Given Family"."""
    found = {}
    for rid, body in conn.execute(NAMES):
        name = main_name(fhir_json.loads(body))
        found[f"Practitioner/{rid}"] = " ".join([*name.get("given", []),
                                                 name.get("family", "")]).strip() or rid
    return found


def _rate(missed: int, due: int) -> float:
    return round(100 * missed / due, 1) if due else 0.0
