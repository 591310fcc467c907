"""Operations on patients: finding them."""

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.patients.search import PatientHit
from app.ui.common.background import Background
from app.ui.operations import Op

SEARCH = "patient search"


def search(owner: QObject, background: Background, ws: Workstation, text: str,
           limit: int) -> Op[list[PatientHit]]:
    """The best `limit` matches for what is typed; only the newest search answers."""
    return Op(owner, background, lambda: ws.search.search(ws.session, text, limit), SEARCH)
