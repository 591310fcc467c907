"""Operations of the calendar: reading a provider's week, booking (once or weekly),
checking in, cancelling, marking a no-show and moving, each through the booking services."""

from datetime import date, datetime

from PySide6.QtCore import QObject

from app.bootstrap import Workstation
from app.clinical.visits.booking import BookingRequest
from app.clinical.visits.providers import Provider
from app.clinical.visits.recurrence import Series, SeriesBooked
from app.clinical.visits.schedule import Appointment
from app.clinical.visits.week import ProviderWeek
from app.ui.common.background import Background
from app.ui.operations import Op

WEEK = "calendar week"
PROVIDERS = "calendar providers"


def weekly(weeks: int) -> str:
    """The RFC 5545 rule of "repeat weekly for `weeks` weeks"."""
    return f"FREQ=WEEKLY;COUNT={weeks}"


def providers(owner: QObject, background: Background, ws: Workstation) -> Op[list[Provider]]:
    return Op(owner, background, lambda: ws.weeks.providers(ws.session), PROVIDERS)


def week(owner: QObject, background: Background, ws: Workstation, user: str,
         day: date) -> Op[ProviderWeek]:
    """The week holding `day` of the clinician `user`; only the newest asked answers."""
    return Op(owner, background, lambda: ws.weeks.week(ws.session, user, day), WEEK)


def book(owner: QObject, background: Background, ws: Workstation, request: BookingRequest,
         weeks: int = 1) -> Op[list[Appointment]]:
    """One appointment, or `weeks` of them a week apart (a series, booked whole or not)."""
    if weeks <= 1:
        return Op(owner, background, lambda: [ws.booking.book(ws.session, request)])

    def series() -> list[Appointment]:
        booked: SeriesBooked = Series(ws.booking).book(ws.session, request, weekly(weeks))
        return booked.appointments
    return Op(owner, background, series)


def check_in(owner: QObject, background: Background, ws: Workstation,
             appointment_id: str) -> Op[Appointment]:
    """The patient is here: the appointment becomes "arrived" (Today lists them waiting)."""
    return Op(owner, background, lambda: ws.schedule.check_in(ws.session, appointment_id))


def cancel(owner: QObject, background: Background, ws: Workstation, appointment_id: str,
           reason: str) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.cancel(ws.session, appointment_id, reason))


def no_show(owner: QObject, background: Background, ws: Workstation,
            appointment_id: str) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.no_show(ws.session, appointment_id))


def move(owner: QObject, background: Background, ws: Workstation, appointment_id: str,
         start: datetime) -> Op[Appointment]:
    return Op(owner, background, lambda: ws.booking.move(ws.session, appointment_id, start))
