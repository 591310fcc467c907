"""Operations on a restricted chart: marking it restricted (or not), breaking the glass to
open it."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.access.break_glass import BreakGlass, Grant
from app.clinical.access.restricted import Restriction
from app.ui.common.background import Background
from app.ui.operations import Op


def break_glass(owner: QObject, background: Background, ws: Workstation, patient_id: str,
                reason: str, words: str, password: str) -> Op[Grant]:
    """Emergency access to the chart for the policy's window, or the sentence refusing it."""
    glass = BreakGlass(ws.store, ws.policy, ws.changes)
    return Op(owner, background,
              lambda: glass.open(ws.session, patient_id, reason, words, password))


def restrict(owner: QObject, background: Background, ws: Workstation, patient_id: str,
             restricted: bool) -> Op[bool]:
    """Mark (or unmark) the chart restricted; whether anything changed, or the refusal."""
    restriction = Restriction(ws.store, ws.policy.access, ws.changes)
    return Op(owner, background, lambda: restriction.set(ws.session, patient_id, restricted))
