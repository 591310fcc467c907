"""Operations on results: the results to review, acknowledging one, and orders overdue."""

from PySide6.QtCore import QObject

from app.clinical.results.inbox import Inbox, InboxItem
from app.clinical.results.overdue import OverdueOrder, OverdueOrders
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

TO_REVIEW = "results to review"
OVERDUE = "overdue orders"
COUNT = "results count"


def to_review(owner: QObject, background: Background, inbox: Inbox,
              session: Session) -> Op[list[InboxItem]]:
    """The user's open results (and the clinic queue's for who signs orders), audited."""
    return Op(owner, background, lambda: inbox.open_items(session), TO_REVIEW)


def count(owner: QObject, background: Background, inbox: Inbox,
          session: Session) -> Op[int]:
    """How many results wait for review: a count, naming no patient, so not audited."""
    return Op(owner, background, lambda: inbox.count(session), COUNT)


def acknowledge(owner: QObject, background: Background, inbox: Inbox, session: Session,
                task_id: str, note: str) -> Op[dict]:
    """One audited write: the review Task completed, with the note if one was typed."""
    return Op(owner, background, lambda: inbox.acknowledge(session, task_id, note or None))


def overdue(owner: QObject, background: Background, orders: OverdueOrders,
            session: Session) -> Op[list[OverdueOrder]]:
    """The user's signed orders still without a result after the policy's days."""
    return Op(owner, background, lambda: orders.mine(session), OVERDUE)
