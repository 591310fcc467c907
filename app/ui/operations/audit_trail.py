"""Operations of the Admin tab's Audit trail: a page of the filtered trail, the chain's
verification, and the filtered rows exported (CSV or PDF).

Each runs the service `hearth audit` shares (app.security.audit_review, through
app.clinical.audit_trail for names and paper) on the database thread; each is audited there.
"""

from pathlib import Path

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.audit_trail.viewer import AuditTrail, Page, Shown, TrailQuery
from app.security.audit_review import Verification
from app.ui.common.background import Background
from app.ui.operations import Op

PAGE = "audit trail page"  # the newest page asked for answers


def page(owner: QObject, background: Background, ws: Workstation, query: TrailQuery,
         after: Shown | None = None, first: int = 1,
         known: tuple[int, bool] | None = None) -> Op[Page]:
    """The page after `after` (None: the newest rows), counted unless `known`."""
    return Op(owner, background, lambda: AuditTrail(ws.store).page(
        ws.session, query, after, first, known), PAGE)


def verify(owner: QObject, background: Background, ws: Workstation) -> Op[Verification]:
    """The whole chain checked, as `hearth audit verify` checks it."""
    return Op(owner, background, lambda: ws.audit.verify(ws.session))


def export(owner: QObject, background: Background, ws: Workstation, query: TrailQuery,
           path: Path) -> Op[int]:
    """The filtered rows to `path` (.pdf: a PDF, else CSV); the answer is how many."""
    clinic = (ws.policy.billing.organization_name or "") if ws.policy.billing else ""
    return Op(owner, background, lambda: AuditTrail(ws.store).export(
        ws.session, query, path, clinic))
