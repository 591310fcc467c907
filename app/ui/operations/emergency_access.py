"""Operations of the auditor's review queue (the Admin tab's Emergency access section):
list the emergency accesses, mark one reviewed or escalated with a note.

Each is the EmergencyReview service `hearth emergency-access` uses
(app.clinical.access.review), run on the database thread, so the screen and the command
line list and decide the same way (REVIEW_AUDIT, through the write path, audited).
"""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.access.review import EmergencyAccess, EmergencyReview
from app.ui.common.background import Background
from app.ui.operations import Op

READ = "emergency access queue"  # the newest read answers


def listed(owner: QObject, background: Background, ws: Workstation,
           include_done: bool) -> Op[list[EmergencyAccess]]:
    """Those awaiting review first (with the reviewed and escalated too if asked)."""
    review = EmergencyReview(ws.store)
    return Op(owner, background, lambda: review.list(ws.session, include_done), READ)


def decide(owner: QObject, background: Background, ws: Workstation, task_id: str,
           outcome: str, note: str) -> Op[None]:
    """Mark one emergency access "reviewed" or "escalated" (a note needed to escalate)."""
    review = EmergencyReview(ws.store, ws.changes)
    return Op(owner, background, lambda: review.decide(ws.session, task_id, outcome, note))
