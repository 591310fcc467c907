"""The one place a restricted chart is kept shut: the write path calls `check` on every
audited read of a patient's clinical content (app.clinical.records.Work.read, which every
chart read passes: summary, sections, notes, trends, prints, the safety check).

A clinician reads a restricted chart's clinical content when on the patient's care team
(app.clinical.access.care_team) or within an emergency access window (break the glass);
otherwise the read is refused with a sentence saying which. Demographics and billing reads
(READ_DEMOGRAPHICS, CODE_VISITS, ...) are never gated: the front desk books and billing
bills a restricted patient, and neither can break the glass into clinical content.

The care team's window comes from the policy in force, given by `use_policy` when a
workstation opens (app.bootstrap); until then the packaged default (30 days) applies.
"""

from datetime import UTC, datetime

from sqlalchemy import Connection

from app.clinical.access.care_team import on_care_team
from app.clinical.access.grants import is_restricted, windows
from app.display_time import when_text
from app.errors import PermissionDenied
from app.security.access_policy import AccessPolicy
from app.security.roles import Permission
from app.security.session import Session
from app.store.resources import get_resource

# The permissions whose units of work read clinical content.
CLINICAL = frozenset({Permission.READ_CHART, Permission.EDIT_CHART, Permission.WRITE_NOTES,
                      Permission.SIGN_NOTES, Permission.PEND_ORDERS, Permission.SIGN_ORDERS})
REFUSED = ("This chart is restricted: break the glass to open it (you are not on the "
           "patient's care team).")
_rules = {"policy": AccessPolicy()}


class ChartRestricted(PermissionDenied):
    """A restricted chart's clinical content refused; `patient_id` says whose."""

    title = "Restricted chart"

    def __init__(self, message: str, patient_id: str, ended: bool = False):
        super().__init__(message)
        self.patient_id = patient_id
        self.ended = ended  # an emergency window ran out (an open chart closes)


def use_policy(policy: AccessPolicy) -> None:
    """The access policy in force on this workstation (called once, when it opens)."""
    _rules["policy"] = policy


class OpenRows(list):
    """A list spanning patients (results to review, notes to cosign, overdue orders) with
    the rows of restricted charts the user may not open left out, unread, and counted
    (`withheld`): one such chart must not empty the whole list, nor hide that rows are
    missing."""

    withheld: int = 0


def keep_open(conn: Connection, session: Session, rows: list, patient_of) -> OpenRows:
    """`rows` without those whose patient (`patient_of(row)`) this user may not open."""
    shut = {pid for pid in {patient_of(r) for r in rows} if not may_open(conn, session, pid)}
    kept = OpenRows(r for r in rows if patient_of(r) not in shut)
    kept.withheld = len(rows) - len(kept)
    return kept


def may_open(conn: Connection, session: Session, patient_id: str) -> bool:
    """Whether `check` would let this user read the chart: a list spanning patients (the
    results inbox) leaves out the rows of a restricted chart it may not open, instead of
    being refused whole because of one of them."""
    try:
        check(conn, session, patient_id)
    except ChartRestricted:
        return False
    return True


def withheld_sentence(count: int) -> str:
    """What a list says of the rows it left out because their charts are restricted."""
    items = "1 item of a restricted chart is" if count == 1 else \
        f"{count} items of restricted charts are"
    return f"{items} not shown: open the chart to break the glass."


def check(conn: Connection, session: Session, patient_id: str,
          now: datetime | None = None) -> None:
    """Refuse (ChartRestricted) a read of a restricted chart by someone who may not."""
    patient = get_resource(conn, "Patient", patient_id)
    if patient is None or not is_restricted(patient):
        return
    now = now or datetime.now(UTC)
    if on_care_team(conn, session.user, patient_id, _rules["policy"].care_team_days, now):
        return
    granted = windows(conn, session.user, patient_id)
    if any(w.start <= now < w.end for w in granted):
        return
    ended = [w for w in granted if w.end <= now]
    if ended:
        raise ChartRestricted(f"Your emergency access to this chart ended at "
                              f"{when_text(ended[-1].end)}.", patient_id, ended=True)
    raise ChartRestricted(REFUSED, patient_id)
