"""Operations on vital signs: what the entry dialog needs, recording a set, correcting a
reading or marking it entered in error, the trends, and how many readings wait to sync."""

from collections.abc import Iterable

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.charting.trends import Point, Trends
from app.clinical.charting.vitals import EntryContext
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

CONTEXT = "vitals context"
SERIES = "vital series"
WAITING = "vitals waiting to sync"
READING = "reading to correct"


def entry_context(owner: QObject, background: Background, ws: Workstation,
                  patient_id: str) -> Op[EntryContext]:
    """Who the patient is, the visit in progress and the latest height on file: one read."""
    return Op(owner, background, lambda: ws.vitals.entry_context(ws.session, patient_id),
              CONTEXT)


def record(owner: QObject, background: Background, ws: Workstation, patient_id: str,
           readings: dict[str, str], visit_id: str | None) -> Op[list[dict]]:
    return Op(owner, background,
              lambda: ws.vitals.record(ws.session, patient_id, readings, visit_id))


def reading(owner: QObject, background: Background, ws: Workstation,
            observation_id: str) -> Op[dict]:
    """The stored reading a correction starts from (a save is checked against it)."""
    return Op(owner, background, lambda: ws.vitals.for_correction(ws.session, observation_id),
              READING)


def correct(owner: QObject, background: Background, ws: Workstation, observation_id: str,
            values: dict[str, str], reason: str, shown: dict | None) -> Op[dict]:
    return Op(owner, background, lambda: ws.vitals.correct(ws.session, observation_id, values,
                                                           reason, shown))


def enter_in_error(owner: QObject, background: Background, ws: Workstation,
                   observation_id: str, reason: str) -> Op[dict]:
    return Op(owner, background, lambda: ws.vitals.mark_entered_in_error(
        ws.session, observation_id, reason))


def series(owner: QObject, background: Background, trends: Trends, session: Session,
           patient_id: str, codes: Iterable[str]) -> Op[dict[str, list[Point]]]:
    return Op(owner, background, lambda: trends.series(session, patient_id, codes), SERIES)


def waiting_to_sync(owner: QObject, background: Background, ws: Workstation,
                    patient_id: str) -> Op[int]:
    return Op(owner, background, lambda: ws.vitals.waiting_to_sync(ws.session, patient_id),
              WAITING)
