"""Operations of the clinic's day in the calendar: reading every provider's and room's day,
and moving an appointment to another provider or room (across the clinic's columns)."""

from datetime import date, datetime

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.visits.clinic_day import ClinicDay
from app.clinical.visits.provider_move import move_to_provider, move_to_room
from app.clinical.visits.schedule import Appointment
from app.ui.common.background import Background
from app.ui.operations import Op
from app.ui.operations.calendar import WEEK

DAY = WEEK  # one kind: whichever of a week or a day was asked for last answers


def clinic_day(owner: QObject, background: Background, ws: Workstation,
               day: date) -> Op[ClinicDay]:
    """The clinic's `day`; only the newest asked answers."""
    return Op(owner, background, lambda: ws.clinic_days.day(ws.session, day), DAY)


def move_to(owner: QObject, background: Background, ws: Workstation, appointment_id: str,
            user: str, start: datetime) -> Op[Appointment]:
    """The appointment with the clinician `user` at `start`, checked as a move is."""
    return Op(owner, background,
              lambda: move_to_provider(ws.booking, ws.session, appointment_id, user, start))


def move_to_room_at(owner: QObject, background: Background, ws: Workstation,
                    appointment_id: str, name: str, start: datetime) -> Op[Appointment]:
    """The appointment in the room `name` at `start`, checked as a move is."""
    return Op(owner, background,
              lambda: move_to_room(ws.booking, ws.session, appointment_id, name, start))
