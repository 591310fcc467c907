"""Operations on the day's appointments: reading a page of the day, checking a patient in."""

from datetime import date

from PySide6.QtCore import QObject

from app.clinical.visits.schedule import Appointment, DayPage, Schedule
from app.security.session import Session
from app.ui.common.background import Background
from app.ui.operations import Op

DAY = "day page"


def day_page(owner: QObject, background: Background, schedule: Schedule, session: Session,
             day: date, practitioner: str | None, first: int) -> Op[DayPage]:
    """The page of `day` starting at `first` (only `practitioner`'s when given)."""
    return Op(owner, background,
              lambda: schedule.today(session, day, practitioner, first), DAY)


def check_in(owner: QObject, background: Background, schedule: Schedule, session: Session,
             appointment_id: str) -> Op[Appointment]:
    return Op(owner, background, lambda: schedule.check_in(session, appointment_id))
